import { FaultKind } from "@/lib/gen/lab/v1/fault_pb";
import { Mode, type TraceEvent } from "@/lib/gen/lab/v1/trace_pb";
import { clientCallGroups, clientCalls, faultHits, goals, isSuccess, serverExchanges, type ClientCallView } from "@/lib/lessons/trace-query";
import { defineLesson, type CallAction, type DefencesInit } from "@/lib/lessons/types";

const getUser = (id: number, mode: CallAction["mode"] = "rest"): CallAction => ({ call: "GetUser", mode, input: { id } });
/** The deadline of steps 2 and 3, and what "about that long" accepts: a loaded machine is slow, never early. */
const DEADLINE_MS = 500;
const aboutTheDeadline = (c: ClientCallView) => c.durationMs >= DEADLINE_MS - 50 && c.durationMs <= 2_500;
/** UserService's delay in steps 2 and 3: long enough that "stopped at the deadline" and "ran to the end" never blur on a busy machine. */
const SLOW_MS = 3_000;
/** A call that ended because time ran out: REST's own timeout, the gateway's 504, or the RPC code. */
const TIMED_OUT = /^(timeout|504|deadline_exceeded)$/;
/** The lab's default per-call deadline (DEFAULT_DEFENCES.timeoutMs): a call still waiting after it has none. */
const LAB_DEFAULT_TIMEOUT_MS = 10_000;
/** Retries in the storm step: up to 5 attempts, 20 ms doubling to at most 200 ms, full jitter. */
const RETRIES = { maxAttempts: 5, initialBackoffMs: 20, maxBackoffMs: 200, multiplier: 2, jitter: 1 } as const;
const STORM_CALLS = 20;
const BUDGET_CALLS = 30;

/** The time of the latest event: the trace's own clock, so checks stay functions of the trace. */
const latest = (events: readonly TraceEvent[]) => events.reduce((t, e) => Math.max(t, e.timeUnixMs), 0);

const labDefaults: DefencesInit = { timeoutMs: LAB_DEFAULT_TIMEOUT_MS, propagateDeadline: true, retry: { maxAttempts: 1 } };

export default defineLesson({
  title: { en: "Timeouts and deadlines", "zh-CN": "超时与截止时间" },
  summary: {
    en: "A client without a timeout waits forever; a deadline travels from the browser through the gateway to the service; a gateway that resets it works for nobody; and retries without a budget turn a failure into a storm.",
    "zh-CN": "没有超时的客户端会一直等下去；截止时间从浏览器经网关一路传到服务；重设截止时间的网关在替没人干活；没有预算的重试会把一次故障变成一场风暴。",
  },
  minutes: 22,
  faults: [
    {
      id: "slow-users",
      title: { en: "UserService takes 3 s per call", "zh-CN": "UserService 每次调用耗时 3 秒" },
      rules: [{ kind: FaultKind.LATENCY, target: { service: "UserService" }, probability: 1, latencyMs: SLOW_MS, label: "slow user service" }],
    },
    {
      id: "gateway-hangs",
      title: { en: "The gateway never answers (hang)", "zh-CN": "网关永不应答（挂起）" },
      rules: [{ kind: FaultKind.HANG, target: { mode: Mode.REST }, probability: 1, label: "gateway hangs" }],
    },
    {
      id: "user-service-down",
      title: { en: "UserService fails: unavailable", "zh-CN": "UserService 故障：unavailable" },
      rules: [{ kind: FaultKind.ERROR, target: { service: "UserService" }, probability: 1, rpcCode: "unavailable", label: "user service down" }],
    },
  ],
  defences: [
    { id: "no-deadline", title: { en: "No timeout (timeout 0)", "zh-CN": "不设超时（timeout 为 0）" }, defences: { timeoutMs: 0 } },
    { id: "deadline-1s", title: { en: "Deadline 1 s", "zh-CN": "截止时间 1 秒" }, defences: { timeoutMs: 1_000 } },
    { id: "deadline-500ms", title: { en: "Deadline 500 ms", "zh-CN": "截止时间 500 毫秒" }, defences: { timeoutMs: DEADLINE_MS } },
    { id: "fresh-deadline", title: { en: "Gateway starts a fresh deadline (anti-pattern)", "zh-CN": "网关重设截止时间（反模式）" }, defences: { propagateDeadline: false } },
    { id: "propagate-deadline", title: { en: "Gateway passes the deadline on (default)", "zh-CN": "网关传递截止时间（默认）" }, defences: { propagateDeadline: true } },
    { id: "retries-no-budget", title: { en: "Up to 5 attempts, no retry budget", "zh-CN": "最多 5 次尝试，不设重试预算" }, defences: { timeoutMs: LAB_DEFAULT_TIMEOUT_MS, retry: { ...RETRIES, budgetPercent: 0 } } },
    { id: "retries-budget", title: { en: "Up to 5 attempts, retry budget 10 %", "zh-CN": "最多 5 次尝试，重试预算 10%" }, defences: { timeoutMs: LAB_DEFAULT_TIMEOUT_MS, retry: { ...RETRIES, budgetPercent: 10 } } },
    { id: "lab-defaults", title: { en: "Back to the lab's defaults (10 s, no retries)", "zh-CN": "恢复实验室默认值（10 秒，不重试）" }, defences: labDefaults },
  ],
  steps: [
    {
      id: "no-timeout",
      title: { en: "A client without a timeout", "zh-CN": "不设超时的客户端" },
      widgets: ["faults", "defences", "call", "diagram"],
      faults: ["gateway-hangs"],
      defences: ["no-deadline", "deadline-1s"],
      check: (ctx) => {
        const now = latest(ctx.events);
        const rest = clientCalls(ctx.events, { mode: "rest", answered: false });
        const waited = rest.some((c) => (c.received ? c.durationMs : now - c.sent.timeUnixMs) >= LAB_DEFAULT_TIMEOUT_MS + 500);
        const gaveUp = rest.some((c) => TIMED_OUT.test(c.status ?? "") && c.durationMs <= 3_000);
        return goals([
          [{ en: "the gateway hung: a request with no answer", "zh-CN": "网关挂起：请求得不到任何应答" }, faultHits(ctx.events, "hang").length > 0],
          [{ en: "a call with no timeout was still waiting after 10 s (longer than the lab's default deadline)", "zh-CN": "一个不设超时的调用，10 秒后还在等（比实验室默认的截止时间还长）" }, waited],
          [{ en: "with a 1 s deadline, a call gave up by itself", "zh-CN": "设了 1 秒截止时间的调用，自己放弃了" }, gaveUp],
        ]);
      },
      hints: [
        { en: "Turn the hang on and choose “No timeout”, then ask for user 3. Leave it waiting.", "zh-CN": "打开挂起故障，选“不设超时”，然后查询 3 号用户，让它等着。" },
        { en: "After ten seconds choose “Deadline 1 s” and ask for user 2.", "zh-CN": "十秒之后选“截止时间 1 秒”，再查询 2 号用户。" },
      ],
      solution: [
        { applyFaults: "gateway-hangs" },
        { applyDefences: "no-deadline" },
        // User 3: while this GET hangs, the browser makes later GETs of the same URL wait for it (its HTTP cache lock).
        { ...getUser(3), background: true },
        { wait: LAB_DEFAULT_TIMEOUT_MS },
        { applyDefences: "deadline-1s" },
        getUser(2),
        { removeFaults: "gateway-hangs" },
      ],
      wrong: [{ applyFaults: "gateway-hangs" }, { applyDefences: "deadline-1s" }, getUser(2)],
    },
    {
      id: "deadline-propagation",
      title: { en: "A deadline travels downstream", "zh-CN": "截止时间一路向下传递" },
      widgets: ["faults", "defences", "call", "diagram"],
      faults: ["slow-users"],
      defences: ["deadline-500ms"],
      check: (ctx) => {
        const rest = clientCalls(ctx.events, { mode: "rest", call: "GetUser", status: TIMED_OUT }).filter(aboutTheDeadline);
        const inner = serverExchanges(ctx.events, { from: "Gateway", call: "GetUser" }).filter((x) => (x.code === "deadline_exceeded" || x.code === "canceled") && x.endMs - x.startMs < SLOW_MS - 500);
        const connect = clientCalls(ctx.events, { mode: "connect", call: "GetUser", status: "deadline_exceeded" }).filter(aboutTheDeadline);
        return goals([
          [{ en: "REST: the call failed after about 500 ms, not 3 s", "zh-CN": "REST：调用在约 500 毫秒时失败，而不是等满 3 秒" }, rest.length > 0],
          [{ en: "the gateway's GetUser to UserService stopped at the deadline too", "zh-CN": "网关发给 UserService 的 GetUser 也在截止时间停了下来" }, inner.length > 0],
          [{ en: "Connect: UserService gave up at about 500 ms (deadline_exceeded)", "zh-CN": "Connect：UserService 在约 500 毫秒时放弃（deadline_exceeded）" }, connect.length > 0],
        ]);
      },
      hints: [
        { en: "Make UserService slow, choose the 500 ms deadline, then press both buttons.", "zh-CN": "让 UserService 变慢，选 500 毫秒截止时间，然后把两个按钮都按一下。" },
        { en: "Click the Gateway → UserService arrow to find grpc-timeout among its headers; then turn the delay off.", "zh-CN": "点开 Gateway → UserService 的箭头，在请求头里找 grpc-timeout；然后关掉延迟。" },
      ],
      solution: [{ applyFaults: "slow-users" }, { applyDefences: "deadline-500ms" }, getUser(1), getUser(1, "connect"), { wait: 1_500 }, { removeFaults: "slow-users" }],
      wrong: [{ removeFaults: "slow-users" }, { applyDefences: "deadline-500ms" }, getUser(1), getUser(1, "connect")],
    },
    {
      id: "reset-deadline",
      title: { en: "The gateway that resets the deadline", "zh-CN": "重设截止时间的网关" },
      widgets: ["faults", "defences", "call", "diagram"],
      faults: ["slow-users"],
      defences: ["deadline-500ms", "fresh-deadline", "propagate-deadline"],
      check: (ctx) => {
        const rest = serverExchanges(ctx.events, { mode: "rest", call: "GetUser" });
        const inner = serverExchanges(ctx.events, { from: "Gateway", call: "GetUser" });
        const callerLeft = (x: (typeof inner)[number]) => rest.find((r) => r.spanId === x.parentSpanId && (r.broken || r.httpStatus >= 500));
        // Ran its whole delay and answered ok after the caller's exchange had ended (by seq, the server's own order).
        const forNobody = inner.filter((x) => {
          const parent = callerLeft(x);
          return x.code === "ok" && parent !== undefined && parent.lastSeq < x.lastSeq && x.endMs - x.startMs >= SLOW_MS - 500;
        });
        const stoppedAgain = inner.some((x) => (x.code === "deadline_exceeded" || x.code === "canceled") && callerLeft(x) && forNobody.some((f) => f.lastSeq < x.firstSeq));
        return goals([
          [{ en: "the caller gave up at its deadline", "zh-CN": "调用方在截止时间放弃了" }, clientCalls(ctx.events, { mode: "rest", call: "GetUser", status: TIMED_OUT }).some(aboutTheDeadline)],
          [{ en: "UserService worked on for the full 3 s and answered ok after the caller had left", "zh-CN": "调用方已经走了，UserService 还干满 3 秒，最后返回了 ok" }, forNobody.length > 0],
          [{ en: "with the deadline passed on again, UserService stopped with the caller", "zh-CN": "恢复传递截止时间后，UserService 随调用方一起停下" }, stoppedAgain],
        ]);
      },
      hints: [
        { en: "Make UserService slow again, keep the 500 ms deadline, switch the gateway to “starts a fresh deadline” and ask for user 1.", "zh-CN": "再次让 UserService 变慢，保持 500 毫秒截止时间，把网关切换成“重设截止时间”，查询 1 号用户。" },
        { en: "Watch the diagram for three seconds, then switch back to passing the deadline on and ask again.", "zh-CN": "盯着时序图看三秒，然后切回“传递截止时间”，再查一次。" },
      ],
      solution: [
        { applyFaults: "slow-users" },
        { applyDefences: "deadline-500ms" },
        { applyDefences: "fresh-deadline" },
        getUser(1),
        { wait: SLOW_MS },
        { applyDefences: "propagate-deadline" },
        getUser(1),
        { wait: 500 },
        { removeFaults: "slow-users" },
      ],
      wrong: [{ applyFaults: "slow-users" }, { applyDefences: "deadline-500ms" }, { applyDefences: "propagate-deadline" }, getUser(1)],
    },
    {
      id: "retry-storm",
      title: { en: "Retry storms, and the budget that stops them", "zh-CN": "重试风暴，以及止住它的预算" },
      widgets: ["faults", "defences", "call", "counters", "diagram"],
      faults: ["user-service-down"],
      defences: ["retries-no-budget", "retries-budget", "lab-defaults"],
      check: (ctx) => {
        const calls = clientCallGroups(ctx.events, { mode: "rest", call: "GetUser" });
        const failed = (i: number, n: number) => calls.slice(i, i + n).length === n && calls.slice(i, i + n).every((g) => !isSuccess(g.last.status ?? ""));
        const requests = (i: number, n: number) => calls.slice(i, i + n).reduce((sum, g) => sum + g.attempts.length, 0);
        let storm = -1;
        for (let i = 0; storm < 0 && i + STORM_CALLS <= calls.length; i++) if (failed(i, STORM_CALLS) && requests(i, STORM_CALLS) >= 4 * STORM_CALLS) storm = i;
        let budget = -1;
        for (let i = storm < 0 ? calls.length : storm + STORM_CALLS; budget < 0 && i + BUDGET_CALLS <= calls.length; i++) {
          const retries = requests(i, BUDGET_CALLS) - BUDGET_CALLS;
          if (failed(i, BUDGET_CALLS) && retries > 0 && retries * 2 <= BUDGET_CALLS) budget = i;
        }
        const stormText = storm < 0 ? "" : ` (${requests(storm, STORM_CALLS)})`;
        const budgetText = budget < 0 ? "" : ` (${requests(budget, BUDGET_CALLS)})`;
        return goals([
          [
            { en: `no budget: ${STORM_CALLS} failing calls sent at least ${4 * STORM_CALLS} requests${stormText}`, "zh-CN": `不设预算：${STORM_CALLS} 个失败的调用发出了至少 ${4 * STORM_CALLS} 个请求${stormText}` },
            storm >= 0,
          ],
          [
            { en: `with a budget: ${BUDGET_CALLS} failing calls, still retrying, sent at most ${BUDGET_CALLS * 1.5} requests${budgetText}`, "zh-CN": `设了预算：${BUDGET_CALLS} 个失败的调用，仍有重试，但最多只发出 ${BUDGET_CALLS * 1.5} 个请求${budgetText}` },
            budget >= 0,
          ],
        ]);
      },
      hints: [
        { en: "Turn UserService's failure on, choose “no retry budget” and press the 30 × button.", "zh-CN": "打开 UserService 故障，选“不设重试预算”，按下重复 30 次的按钮。" },
        { en: "Then choose “retry budget 10 %” and press it again. Compare Requests → received in the counters.", "zh-CN": "然后选“重试预算 10%”，再按一次。对比计数器里“请求”一栏的“已收到”。" },
        { en: "When you are done, turn the fault off and go back to the lab's defaults.", "zh-CN": "做完之后关掉故障，恢复实验室默认值。" },
      ],
      solution: [
        { applyFaults: "user-service-down" },
        { applyDefences: "retries-no-budget" },
        { repeat: 30, concurrency: 6, action: getUser(1) },
        { applyDefences: "retries-budget" },
        { repeat: 30, concurrency: 6, action: getUser(1) },
        { removeFaults: "user-service-down" },
        { applyDefences: "lab-defaults" },
      ],
      wrong: [{ applyFaults: "user-service-down" }, { applyDefences: "retries-no-budget" }, { repeat: 30, concurrency: 6, action: getUser(1) }],
    },
  ],
});
