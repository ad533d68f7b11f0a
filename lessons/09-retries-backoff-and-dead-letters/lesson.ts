import { DEFAULT_DEFENCES } from "@/lib/faults/catalog";
import { FaultKind } from "@/lib/gen/lab/v1/fault_pb";
import { EventKind, type TraceEvent } from "@/lib/gen/lab/v1/trace_pb";
import { logicalCalls, othersOverlapping, retryWaits, type LogicalCall } from "@/lib/lessons/stats";
import { goals, mqttPackets, processedBy, relativeTopic } from "@/lib/lessons/trace-query";
import { defineLesson, type CallAction, type DefencesInit, type MqttAction, type RepeatAction } from "@/lib/lessons/types";

const getUser = (id = 1): CallAction => ({ call: "GetUser", mode: "connect", input: { id } });
const times = (repeat: number, concurrency = 1, action: CallAction = getUser()): RepeatAction => ({ repeat, concurrency, action });
const order: CallAction = { call: "CreateOrder", mode: "rest", input: { userId: 1, sku: "sku-book", quantity: 1 } };
const ops = (a: Omit<MqttAction, "client">): MqttAction => ({ client: "Ops", ...a });

/** The backoff of the jitter step: 400 ms, then 800, then 1,600 (× 2 each time). */
const BASE_MS = 400;
/**
 * A retry preset, with the lab's default deadline: a learner who comes from
 * lesson 6 with a 500 ms deadline would otherwise see the backoffs cut off.
 */
const retry = (r: NonNullable<DefencesInit["retry"]>): DefencesInit => ({ timeoutMs: DEFAULT_DEFENCES.timeoutMs, retry: r });
const ORDER_TOPIC = "events/order.created";
const DLQ_TOPIC = "dlq/notification";

/** The page's GetUser calls over Connect in the step, each with all its attempts. */
const calls = (events: readonly TraceEvent[]) => logicalCalls(events, { mode: "connect", call: "GetUser" });

/** Requests per call in a run: every attempt of every call, over the calls. */
const requestsPerCall = (run: readonly LogicalCall[]) => run.reduce((n, c) => n + c.attempts.length, 0) / Math.max(1, run.length);

/** The step's last `n` calls, when there are `n` and all failed: the service was down for all of them. */
function lastFailed(events: readonly TraceEvent[], n: number): LogicalCall[] | undefined {
  const last = calls(events).slice(-n);
  return last.length === n && last.every((c) => !c.ok) ? last : undefined;
}

/** Early calls retried, and after the first retried call a failed call that got no retry (the budget said no). */
function budgetShape(run: readonly LogicalCall[]): { retried: boolean; refused: boolean } {
  const first = run.findIndex((c) => c.attempts.length > 1);
  return { retried: first >= 0, refused: first >= 0 && run.slice(first + 1).some((c) => c.attempts.length === 1 && c.status === "unavailable") };
}

/** Calls that overlapped with at least `others` more calls, and made at least `attempts` attempts. */
function together(list: readonly LogicalCall[], others: number, attempts: number): LogicalCall[] {
  const inFlight = othersOverlapping(list);
  return list.filter((c, i) => inFlight[i] >= others && c.attempts.length >= attempts);
}

/** Every wait was the whole backoff (no jitter: a wait is never shorter than its base). */
const wholeBackoff = (c: LogicalCall) => retryWaits(c).every((w, k) => w >= 0.98 * BASE_MS * 2 ** k);
/**
 * Some wait was shorter than its whole backoff: only a wait drawn at random
 * from [0, base) (full jitter) can be, since a busy page only makes waits
 * longer, never shorter.
 */
const drawnBackoff = (c: LogicalCall) => retryWaits(c).some((w, k) => w < 0.95 * BASE_MS * 2 ** k);

/** Notification's failed attempts at one order (its FAULT notes), by order id. */
function notificationFailures(events: readonly TraceEvent[]): Map<string, number> {
  const byOrder = new Map<string, number>();
  for (const e of events) {
    if (e.kind !== EventKind.FAULT || e.from !== "Notification") continue;
    const id = /processing (\S+) failed/.exec(e.summary)?.[1];
    if (id) byOrder.set(id, (byOrder.get(id) ?? 0) + 1);
  }
  return byOrder;
}

export default defineLesson({
  title: { en: "Retries, backoff and dead letters", "zh-CN": "重试、退避与死信" },
  summary: {
    en: "Retry what is worth retrying, wait longer each time and at random, cap the extra load with a budget, and park the message that never gets through in a dead-letter queue.",
    "zh-CN": "只重试值得重试的错误，每次多等一会儿、随机地等，用预算给额外负载封顶，再把永远处理不了的消息放进死信队列。",
  },
  minutes: 25,
  faults: [
    {
      id: "flaky-user",
      title: { en: "GetUser fails half the time", "zh-CN": "GetUser 一半概率失败" },
      rules: [{ kind: FaultKind.ERROR, target: { service: "UserService", method: "GetUser" }, probability: 0.5, seed: 9n, rpcCode: "unavailable", label: "flaky user service" }],
    },
    {
      id: "user-down",
      title: { en: "UserService is down", "zh-CN": "UserService 宕机" },
      rules: [{ kind: FaultKind.ERROR, target: { service: "UserService", method: "GetUser" }, probability: 1, rpcCode: "unavailable", label: "user service down" }],
    },
    {
      id: "notification-fails",
      title: { en: "Notification fails on every message", "zh-CN": "Notification 处理每条消息都失败" },
      rules: [{ kind: FaultKind.ERROR, target: { consumer: "notification" }, probability: 1, label: "notification bug" }],
    },
  ],
  defences: [
    { id: "no-retries", title: { en: "No retries", "zh-CN": "不重试" }, defences: retry({ maxAttempts: 1 }) },
    {
      id: "retries",
      title: { en: "Up to 4 attempts, backoff 100 ms × 2, full jitter", "zh-CN": "最多 4 次尝试，退避 100 ms × 2，完全抖动" },
      defences: retry({ maxAttempts: 4, initialBackoffMs: 100, maxBackoffMs: 2_000, multiplier: 2, jitter: 1, budgetPercent: 0 }),
    },
    {
      id: "backoff-no-jitter",
      title: { en: "4 attempts, backoff 400 ms × 2, no jitter", "zh-CN": "4 次尝试，退避 400 ms × 2，无抖动" },
      defences: retry({ maxAttempts: 4, initialBackoffMs: BASE_MS, maxBackoffMs: 4_000, multiplier: 2, jitter: 0, budgetPercent: 0 }),
    },
    {
      id: "backoff-full-jitter",
      title: { en: "4 attempts, backoff 400 ms × 2, full jitter", "zh-CN": "4 次尝试，退避 400 ms × 2，完全抖动" },
      defences: retry({ maxAttempts: 4, initialBackoffMs: BASE_MS, maxBackoffMs: 4_000, multiplier: 2, jitter: 1, budgetPercent: 0 }),
    },
    {
      id: "eager-retries",
      title: { en: "5 attempts, short backoff, no budget", "zh-CN": "5 次尝试，短退避，不设预算" },
      defences: retry({ maxAttempts: 5, initialBackoffMs: 20, maxBackoffMs: 100, multiplier: 2, jitter: 1, budgetPercent: 0 }),
    },
    {
      id: "retry-budget",
      title: { en: "5 attempts, short backoff, retry budget 10 %", "zh-CN": "5 次尝试，短退避，重试预算 10%" },
      defences: retry({ maxAttempts: 5, initialBackoffMs: 20, maxBackoffMs: 100, multiplier: 2, jitter: 1, budgetPercent: 10 }),
    },
    { id: "dlq", title: { en: "Dead-letter after 3 failed attempts", "zh-CN": "失败 3 次后转入死信队列" }, defences: { dlqAfterAttempts: 3, persistentSession: true, eventQos: 1 } },
  ],
  steps: [
    {
      id: "transient",
      title: { en: "A retry rides out a blip", "zh-CN": "重试扛过一次抖动" },
      widgets: ["faults", "defences", "call", "diagram"],
      faults: ["flaky-user"],
      defences: ["no-retries", "retries"],
      check: (ctx) => {
        const list = calls(ctx.events);
        const failedAlone = list.some((c) => c.attempts.length === 1 && c.status === "unavailable");
        const rescued = list.filter((c) => c.ok && c.attempts.length > 1 && c.attempts[0].status === "unavailable");
        const firstRescue = rescued[0]?.startMs ?? Infinity;
        const notRetried = list.some((c) => c.status === "not_found" && c.startMs > firstRescue);
        return goals([
          [{ en: "without retries, a call failed: unavailable", "zh-CN": "不重试时，有调用失败：unavailable" }, failedAlone],
          [{ en: "with retries, a call that failed at first succeeded on a later attempt", "zh-CN": "开启重试后，有调用第一次失败、后来的尝试成功" }, rescued.length > 0],
          [{ en: "with retries on, not_found (user 999) was answered and not retried", "zh-CN": "重试开启时，not_found（999 号用户）得到应答，且没有被重试" }, notRetried],
        ]);
      },
      hints: [
        { en: "Turn the fault on and press the ×10 button with retries off; some calls fail.", "zh-CN": "打开故障，在不重试的情况下按 ×10 按钮，会有调用失败。" },
        { en: "Then turn on “Up to 4 attempts” and press ×10 again; last, ask for user 999, and turn the fault off.", "zh-CN": "然后开启“最多 4 次尝试”，再按一次 ×10；最后查询 999 号用户，再把故障关掉。" },
      ],
      solution: [
        { applyFaults: "flaky-user" },
        { applyDefences: "no-retries" },
        times(10),
        { applyDefences: "retries" },
        times(10),
        getUser(999),
        { removeFaults: "flaky-user" },
      ],
      wrong: [{ applyFaults: "flaky-user" }, { applyDefences: "no-retries" }, times(10), getUser(999)],
    },
    {
      id: "jitter",
      title: { en: "Back off, at random", "zh-CN": "退避，而且要随机" },
      widgets: ["faults", "defences", "call", "diagram"],
      faults: ["user-down"],
      defences: ["backoff-no-jitter", "backoff-full-jitter"],
      check: (ctx) => {
        const list = calls(ctx.events);
        const lockstep = together(list, 3, 3).filter(wholeBackoff);
        const spread = together(list, 3, 3).filter(drawnBackoff);
        return goals([
          [{ en: "4 or more calls failed together and retried in lockstep, each wait the whole backoff", "zh-CN": "4 个以上的调用同时失败，然后步调一致地重试，每次都等满整个退避时间" }, lockstep.length >= 4],
          [{ en: "4 or more calls failed together and retried at random moments within the backoff", "zh-CN": "4 个以上的调用同时失败，然后在退避时间内的随机时刻重试" }, spread.length >= 4],
        ]);
      },
      hints: [
        { en: "Turn on “UserService is down”, pick “no jitter”, press the ×6 button (6 at once) and watch the retries in the diagram.", "zh-CN": "打开“UserService 宕机”，选择“无抖动”，按 ×6 按钮（6 个同时发出），在时序图里观察重试。" },
        { en: "Then pick “full jitter” and press ×6 again.", "zh-CN": "然后选择“完全抖动”，再按一次 ×6。" },
      ],
      solution: [{ applyFaults: "user-down" }, { applyDefences: "backoff-no-jitter" }, times(6, 6), { applyDefences: "backoff-full-jitter" }, times(6, 6)],
      wrong: [{ applyFaults: "user-down" }, { applyDefences: "backoff-no-jitter" }, times(6, 6)],
    },
    {
      id: "storm",
      title: { en: "A retry storm", "zh-CN": "重试风暴" },
      widgets: ["faults", "defences", "call", "counters"],
      faults: ["user-down"],
      defences: ["eager-retries"],
      check: (ctx) => {
        const last = lastFailed(ctx.events, 20);
        const factor = last ? requestsPerCall(last) : 0;
        return goals([
          [{ en: "20 calls in a row to a service that is down", "zh-CN": "连续 20 个调用发往已宕机的服务" }, last !== undefined],
          [
            { en: `3 or more requests per call${factor ? ` (here ${factor.toFixed(1)})` : ""}`, "zh-CN": `每个调用产生 3 个以上的请求${factor ? `（这里是 ${factor.toFixed(1)} 个）` : ""}` },
            factor >= 3,
          ],
        ]);
      },
      hints: [{ en: "Keep UserService down, turn on “5 attempts, short backoff, no budget” and press ×20.", "zh-CN": "保持 UserService 宕机，开启“5 次尝试，短退避，不设预算”，然后按 ×20。" }],
      solution: [{ applyFaults: "user-down" }, { applyDefences: "eager-retries" }, times(20, 5)],
      wrong: [{ applyFaults: "user-down" }, { applyDefences: "no-retries" }, times(20, 5)],
    },
    {
      id: "budget",
      title: { en: "A retry budget", "zh-CN": "重试预算" },
      widgets: ["faults", "defences", "call", "counters"],
      faults: ["user-down"],
      defences: ["retry-budget"],
      check: (ctx) => {
        const last = lastFailed(ctx.events, 30);
        const shape = last ? budgetShape(last) : { retried: false, refused: false };
        const factor = last ? requestsPerCall(last) : 0;
        return goals([
          [{ en: "30 calls in a row to the service that is down", "zh-CN": "连续 30 个调用发往已宕机的服务" }, last !== undefined],
          [{ en: "the first of them were retried", "zh-CN": "其中最早的几个被重试了" }, shape.retried],
          [{ en: "once the budget was spent, failed calls were not retried", "zh-CN": "预算用完后，失败的调用不再重试" }, shape.refused],
          [
            { en: `at most 2 requests per call${factor ? ` (here ${factor.toFixed(1)})` : ""}`, "zh-CN": `每个调用最多产生 2 个请求${factor ? `（这里是 ${factor.toFixed(1)} 个）` : ""}` },
            last !== undefined && factor <= 2,
          ],
        ]);
      },
      hints: [
        { en: "Turn on “retry budget 10 %” (everything else as before) and press ×30.", "zh-CN": "开启“重试预算 10%”（其余设置不变），然后按 ×30。" },
        { en: "Turn the fault off when you are done.", "zh-CN": "做完之后，把故障关掉。" },
      ],
      solution: [{ applyFaults: "user-down" }, { applyDefences: "retry-budget" }, times(30, 5), { removeFaults: "user-down" }],
      wrong: [{ applyFaults: "user-down" }, { applyDefences: "eager-retries" }, times(30, 5)],
    },
    {
      id: "poison",
      title: { en: "A message that keeps failing", "zh-CN": "一条屡屡失败的消息" },
      widgets: ["faults", "call", "diagram", "counters"],
      faults: ["notification-fails"],
      check: (ctx) => {
        const failures = notificationFailures(ctx.events);
        const worst = Math.max(0, ...failures.values());
        const lastFailure = ctx.events.filter((e) => e.kind === EventKind.FAULT && e.from === "Notification").reduce((m, e) => (e.seq > m ? e.seq : m), 0n);
        const deliveries = mqttPackets(ctx.events, { type: "PUBLISH", from: "Broker", to: "Notification", topic: ORDER_TOPIC }).length;
        const recovered = processedBy(ctx.events, "Notification").some((e) => lastFailure > 0n && e.seq > lastFailure);
        return goals([
          [{ en: `Notification failed the same order 3 or more times${worst ? ` (${worst} so far)` : ""}`, "zh-CN": `Notification 处理同一个订单失败 3 次以上${worst ? `（目前 ${worst} 次）` : ""}` }, worst >= 3],
          [{ en: "the broker delivered it again after each failure", "zh-CN": "每次失败后，Broker 都重新投递了它" }, deliveries >= 3],
          [{ en: "with the fault off, the next delivery was processed", "zh-CN": "关闭故障后，下一次投递被处理成功" }, recovered],
        ]);
      },
      hints: [
        { en: "Turn the fault on, place one order and watch Notification's lifeline for a few seconds.", "zh-CN": "打开故障，下一单，然后盯着 Notification 的生命线看几秒。" },
        { en: "Then turn the fault off: the bug is “fixed”, and the next redelivery goes through.", "zh-CN": "然后关闭故障：相当于“修好了 bug”，下一次重新投递就能处理成功。" },
      ],
      solution: [{ applyFaults: "notification-fails" }, order, { wait: 3_000 }, { removeFaults: "notification-fails" }, { wait: 2_000 }],
      wrong: [{ removeFaults: "notification-fails" }, order, { wait: 1_000 }],
    },
    {
      id: "dead-letter",
      title: { en: "Park it in a dead-letter queue", "zh-CN": "把它放进死信队列" },
      widgets: ["mqtt-client", "faults", "defences", "call", "diagram", "counters"],
      faults: ["notification-fails"],
      defences: ["dlq"],
      check: (ctx) => {
        const dead = ctx.events.filter((e) => e.kind === EventKind.DEAD_LETTER && e.from === "Notification");
        const parked = mqttPackets(ctx.events, { type: "PUBLISH", from: "Broker", to: "Ops" }).filter((e) => relativeTopic(e.mqtt!.topic) === DLQ_TOPIC);
        const stockDown = processedBy(ctx.events, "Inventory").length > 0;
        return goals([
          [{ en: "after 3 failed attempts Notification moved the order to dlq/notification", "zh-CN": "失败 3 次后，Notification 把订单转到了 dlq/notification" }, dead.length > 0],
          [{ en: "Ops, subscribed to dlq/#, received it", "zh-CN": "订阅了 dlq/# 的 Ops 收到了它" }, parked.length > 0],
          [{ en: "Inventory processed the same order as usual", "zh-CN": "Inventory 照常处理了同一个订单" }, stockDown && dead.length > 0],
        ]);
      },
      hints: [
        { en: "Connect Ops and subscribe to dlq/# first, so you see what lands there.", "zh-CN": "先连接 Ops 并订阅 dlq/#，这样能看到落进死信队列的消息。" },
        { en: "Then turn on the dead-letter defence and the fault, and place an order.", "zh-CN": "然后开启死信防护和故障，再下一单。" },
      ],
      solution: [
        ops({ mqtt: "connect" }),
        ops({ mqtt: "subscribe", topic: "dlq/#", qos: 1 }),
        { applyDefences: "dlq" },
        { applyFaults: "notification-fails" },
        order,
        { wait: 4_000 },
        { removeFaults: "notification-fails" },
      ],
      wrong: [ops({ mqtt: "connect" }), ops({ mqtt: "subscribe", topic: "dlq/#", qos: 1 }), { removeFaults: "notification-fails" }, order, { wait: 1_000 }],
    },
  ],
});
