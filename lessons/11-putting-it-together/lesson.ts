import { FaultKind } from "@/lib/gen/lab/v1/fault_pb";
import { Mode, type TraceEvent } from "@/lib/gen/lab/v1/trace_pb";
import { attemptTarget, logicalCalls, type LogicalCall } from "@/lib/lessons/stats";
import { goals, mqttPackets, processedBy, serverExchanges } from "@/lib/lessons/trace-query";
import { defineLesson, type CallAction, type RepeatAction } from "@/lib/lessons/types";

const order: CallAction = { call: "CreateOrder", mode: "rest", input: { userId: 1, sku: "sku-book", quantity: 1 } };
const getUser = (extra: Partial<CallAction> = {}): CallAction => ({ call: "GetUser", mode: "connect", input: { id: 1 }, ...extra });
const withFallback = getUser({ fallback: "rest" });
const balanced = getUser({ instances: [1, 2] });
const EJECT_MS = 10_000;
const balancedEjecting = getUser({ instances: [1, 2], ejectMs: EJECT_MS });
const times = (repeat: number, action: CallAction): RepeatAction => ({ repeat, concurrency: 1, action });
const ORDER_TOPIC = "events/order.created";
/** Notification's delay in the first step, so the follow-up is visibly later than the answer. */
const SLOW_MS = 1_500;

const connectCalls = (events: readonly TraceEvent[]) => logicalCalls(events, { mode: "connect", call: "GetUser" });
/** Calls whose every attempt went to an instance (a balanced call). */
const balancedCalls = (events: readonly TraceEvent[]) => connectCalls(events).filter((c) => c.attempts.every((a) => /#\d$/.test(attemptTarget(a))));
const atInstance = (c: LogicalCall, n: number) => c.attempts.filter((a) => attemptTarget(a) === `UserService#${n}`);

export default defineLesson({
  title: { en: "Putting it together", "zh-CN": "融会贯通" },
  summary: {
    en: "Seed 1's shop end to end — REST at the edge, RPC inside, a queue for what can wait — then a fallback from gRPC to HTTP, and round-robin over two instances with one of them killed.",
    "zh-CN": "把第一篇参考文章里的电商系统从头走到尾：对外 REST，对内 RPC，能等的事交给队列；然后试试从 gRPC 降级到 HTTP，再在两个实例间轮询、并干掉其中一个。",
  },
  minutes: 25,
  faults: [
    {
      id: "slow-notification",
      title: { en: "Notification takes 1.5 s per order", "zh-CN": "Notification 每单耗时 1.5 秒" },
      rules: [{ kind: FaultKind.SLOW_CONSUMER, target: { consumer: "notification" }, probability: 1, latencyMs: SLOW_MS, label: "slow notification" }],
    },
    {
      id: "rpc-path-down",
      title: { en: "UserService's RPC endpoint refuses connections", "zh-CN": "UserService 的 RPC 端点拒绝连接" },
      rules: [{ kind: FaultKind.RESET, target: { mode: Mode.CONNECT, service: "UserService" }, probability: 1, afterBytes: 0, label: "RPC endpoint down" }],
    },
    {
      id: "user-service-down",
      title: { en: "UserService itself is down", "zh-CN": "UserService 本身宕机" },
      rules: [{ kind: FaultKind.ERROR, target: { service: "UserService", method: "GetUser" }, probability: 1, rpcCode: "unavailable", label: "user service down" }],
    },
    {
      id: "instance-2-down",
      title: { en: "Kill instance UserService#2", "zh-CN": "干掉实例 UserService#2" },
      rules: [{ kind: FaultKind.RESET, target: { service: "UserService#2" }, probability: 1, afterBytes: 0, label: "instance 2 down" }],
    },
  ],
  defences: [
    { id: "no-retries", title: { en: "No retries", "zh-CN": "不重试" }, defences: { retry: { maxAttempts: 1 } } },
    {
      id: "retry-once",
      title: { en: "Retry once (the retry takes the next instance)", "zh-CN": "重试一次（重试会轮到下一个实例）" },
      defences: { retry: { maxAttempts: 2, initialBackoffMs: 50, maxBackoffMs: 200, multiplier: 2, jitter: 1, budgetPercent: 0 } },
    },
  ],
  steps: [
    {
      id: "the-shop",
      title: { en: "The shop, end to end", "zh-CN": "电商系统，从头到尾" },
      widgets: ["faults", "call", "diagram"],
      faults: ["slow-notification"],
      check: (ctx) => {
        const edge = serverExchanges(ctx.events, { mode: "rest", call: "CreateOrder", httpStatus: 201 });
        const inside = serverExchanges(ctx.events, { mode: "grpc", from: "Gateway", call: "CreateOrder", code: "ok" }).filter((x) => edge.some((e) => e.spanId === x.parentSpanId));
        const published = mqttPackets(ctx.events, { type: "PUBLISH", from: "OrderService", topic: ORDER_TOPIC });
        const stock = processedBy(ctx.events, "Inventory");
        const later = processedBy(ctx.events, "Notification").some((p) => edge.some((e) => p.seq > e.lastSeq && p.timeUnixMs - e.endMs >= SLOW_MS * 0.6));
        return goals([
          [{ en: "REST at the edge: POST /rest/orders → 201 with the order id", "zh-CN": "对外 REST：POST /rest/orders → 201，带回订单号" }, edge.length > 0],
          [{ en: "RPC inside: the gateway called OrderService over gRPC", "zh-CN": "对内 RPC：网关通过 gRPC 调用了 OrderService" }, inside.length > 0],
          [{ en: "a queue for side effects: order.created published, Inventory took the stock down", "zh-CN": "副作用交给队列：发布了 order.created，Inventory 扣减了库存" }, published.length > 0 && stock.length > 0],
          [{ en: "the buyer was notified a second or more after the order id came back", "zh-CN": "订单号返回一秒多之后，买家才收到通知" }, later],
        ]);
      },
      hints: [{ en: "Turn on the slow Notification, place an order, and watch for a couple of seconds. Turn the fault off afterwards.", "zh-CN": "打开“Notification 每单耗时 1.5 秒”，下一单，然后看上几秒钟。之后记得关掉故障。" }],
      solution: [{ applyFaults: "slow-notification" }, order, { wait: 2_500 }, { removeFaults: "slow-notification" }],
      wrong: [{ removeFaults: "slow-notification" }, order, { wait: 500 }],
    },
    {
      id: "fallback",
      title: { en: "Fall back from gRPC to HTTP", "zh-CN": "从 gRPC 降级到 HTTP" },
      widgets: ["faults", "call", "diagram"],
      faults: ["rpc-path-down"],
      check: (ctx) => {
        const calls = connectCalls(ctx.events);
        // Retries left on from an earlier lesson add Connect attempts before the fallback; they change nothing here.
        const stranded = calls.some((c) => !c.ok && c.status === "unavailable" && c.attempts.every((a) => a.mode === Mode.CONNECT));
        const rescued = calls.some((c) => c.ok && c.attempts.at(-1)!.mode === Mode.REST && c.attempts.some((a) => a.mode === Mode.CONNECT && a.status === "unavailable"));
        return goals([
          [{ en: "without a fallback, GetUser over Connect failed: unavailable", "zh-CN": "没有降级时，通过 Connect 调用 GetUser 失败：unavailable" }, stranded],
          [{ en: "with a fallback, the same call failed over Connect and was answered over REST", "zh-CN": "有降级时，同一个调用通过 Connect 失败，又通过 REST 得到了应答" }, rescued],
        ]);
      },
      hints: [{ en: "Turn the fault on, then press both buttons: plain Connect first, then the one that falls back to REST.", "zh-CN": "打开故障，然后两个按钮都按：先按普通的 Connect，再按会降级到 REST 的那个。" }],
      solution: [{ applyFaults: "rpc-path-down" }, getUser(), withFallback],
      wrong: [{ applyFaults: "rpc-path-down" }, getUser(), { call: "GetUser", mode: "rest", input: { id: 1 } }],
    },
    {
      id: "fallback-limits",
      title: { en: "When a fallback cannot help", "zh-CN": "降级也救不了的时候" },
      widgets: ["faults", "call", "diagram"],
      faults: ["rpc-path-down", "user-service-down"],
      check: (ctx) => {
        const both = connectCalls(ctx.events).some((c) => c.attempts.at(-1)!.mode === Mode.REST && c.attempts.at(-1)!.status === "503" && c.attempts.some((a) => a.mode === Mode.CONNECT && a.status === "unavailable"));
        const inner = serverExchanges(ctx.events, { mode: "grpc", from: "Gateway", call: "GetUser", code: "unavailable" });
        return goals([
          [{ en: "the fallback call failed on both paths: unavailable, then 503", "zh-CN": "带降级的调用两条路都失败了：先是 unavailable，然后是 503" }, both],
          [{ en: "the gateway's own gRPC call to UserService got unavailable", "zh-CN": "网关自己对 UserService 的 gRPC 调用也得到了 unavailable" }, inner.length > 0],
        ]);
      },
      hints: [
        { en: "Turn off “RPC endpoint refuses connections”, turn on “UserService itself is down”, and press the fallback button.", "zh-CN": "关闭“RPC 端点拒绝连接”，打开“UserService 本身宕机”，再按带降级的按钮。" },
        { en: "Turn the fault off when you have seen it.", "zh-CN": "看清楚之后，把故障关掉。" },
      ],
      solution: [{ removeFaults: "rpc-path-down" }, { applyFaults: "user-service-down" }, withFallback, { removeFaults: "user-service-down" }],
      wrong: [{ removeFaults: "user-service-down" }, { applyFaults: "rpc-path-down" }, withFallback],
    },
    {
      id: "round-robin",
      title: { en: "Two instances, in turn", "zh-CN": "两个实例，轮流来" },
      widgets: ["call", "diagram"],
      check: (ctx) => {
        const calls = balancedCalls(ctx.events);
        const last = calls.slice(-6);
        const alternating = last.length === 6 && last.every((c, i) => c.ok && (i === 0 || attemptTarget(c.attempts[0]) !== attemptTarget(last[i - 1].attempts[0])));
        const answeredBy = (n: number) => calls.some((c) => c.ok && atInstance(c, n).length > 0);
        return goals([
          [{ en: "UserService#1 answered", "zh-CN": "UserService#1 作出了应答" }, answeredBy(1)],
          [{ en: "UserService#2 answered", "zh-CN": "UserService#2 作出了应答" }, answeredBy(2)],
          [{ en: "six or more calls in a row went to #1, #2, #1, #2…", "zh-CN": "连续六个以上的调用依次发往 #1、#2、#1、#2……" }, alternating],
        ]);
      },
      hints: [{ en: "Clear the faults and press the round-robin ×10 button.", "zh-CN": "清除故障，然后按轮询 ×10 按钮。" }],
      solution: [{ clearFaults: true }, times(10, balanced)],
      wrong: [{ clearFaults: true }, times(10, getUser())],
    },
    {
      id: "one-down",
      title: { en: "One instance killed", "zh-CN": "干掉一个实例" },
      widgets: ["faults", "defences", "call", "diagram"],
      faults: ["instance-2-down"],
      defences: ["no-retries"],
      check: (ctx) => {
        const calls = balancedCalls(ctx.events).filter((c) => c.attempts.length === 1);
        const failedAt2 = calls.filter((c) => !c.ok && atInstance(c, 2).length > 0).length;
        const okAt1 = calls.filter((c) => c.ok && atInstance(c, 1).length > 0).length;
        return goals([
          [{ en: `calls sent to #2 failed${failedAt2 ? ` (${failedAt2})` : ""}`, "zh-CN": `发往 #2 的调用失败了${failedAt2 ? `（${failedAt2} 个）` : ""}` }, failedAt2 >= 3],
          [{ en: `calls sent to #1 were answered${okAt1 ? ` (${okAt1})` : ""}`, "zh-CN": `发往 #1 的调用得到了应答${okAt1 ? `（${okAt1} 个）` : ""}` }, okAt1 >= 3],
        ]);
      },
      hints: [{ en: "Kill #2, keep retries off, and press the round-robin ×10 button.", "zh-CN": "干掉 #2，保持不重试，然后按轮询 ×10 按钮。" }],
      solution: [{ applyFaults: "instance-2-down" }, { applyDefences: "no-retries" }, times(10, balanced)],
      wrong: [{ removeFaults: "instance-2-down" }, { applyDefences: "no-retries" }, times(10, balanced)],
    },
    {
      id: "eject",
      title: { en: "Leave the dead one out", "zh-CN": "把挂掉的实例摘掉" },
      widgets: ["faults", "defences", "call", "diagram"],
      faults: ["instance-2-down"],
      defences: ["retry-once"],
      check: (ctx) => {
        const calls = balancedCalls(ctx.events);
        // The last ten calls, whichever button made them; #2 must have been down in the step.
        const last = calls.slice(-10);
        const down = calls.some((c) => atInstance(c, 2).some((a) => a.status === "unavailable"));
        const held = last.length === 10 && last.every((c) => c.ok) && down;
        const at2 = last.reduce((n, c) => n + atInstance(c, 2).length, 0);
        return goals([
          [{ en: "ten calls in a row all answered, although #2 was down", "zh-CN": "尽管 #2 已经挂了，连续十个调用全部得到应答" }, held],
          [
            {
              en: `#2 was left out: at most 2 of those calls' attempts went to it${last.length === 10 ? ` (here ${at2})` : ""}`,
              "zh-CN": `#2 被摘除了：这些调用最多只有 2 次尝试发给它${last.length === 10 ? `（这里是 ${at2} 次）` : ""}`,
            },
            held && at2 <= 2,
          ],
        ]);
      },
      hints: [
        { en: "Keep #2 dead and turn on “Retry once”. The plain round-robin button now succeeds, but look how often it still tries #2.", "zh-CN": "保持 #2 挂掉的状态，开启“重试一次”。普通的轮询按钮现在能成功了，但看看它还有多少次去找 #2。" },
        { en: "Then press the button that leaves a failed instance out for 10 s.", "zh-CN": "然后按那个把失败实例摘除 10 秒的按钮。" },
      ],
      solution: [{ applyFaults: "instance-2-down" }, { applyDefences: "retry-once" }, times(10, balancedEjecting)],
      wrong: [{ applyFaults: "instance-2-down" }, { applyDefences: "retry-once" }, times(10, balanced)],
    },
  ],
});
