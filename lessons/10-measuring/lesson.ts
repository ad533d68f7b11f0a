import type { ModeName } from "@/lib/client/types";
import { EventKind, type TraceEvent } from "@/lib/gen/lab/v1/trace_pb";
import { modeTitle } from "@/lib/lessons/actions";
import { latencySummary, logicalCalls, ms, othersOverlapping, type LogicalCall } from "@/lib/lessons/stats";
import { goals, mqttPackets, serverExchanges } from "@/lib/lessons/trace-query";
import { defineLesson, type CallAction, type L10n, type RepeatAction } from "@/lib/lessons/types";

const getUser = (mode: ModeName, codec?: CallAction["codec"]): CallAction => ({ call: "GetUser", mode, input: { id: 1 }, ...(codec ? { codec } : {}) });
const times = (repeat: number, action: CallAction, concurrency = 1): RepeatAction => ({ repeat, concurrency, action });

/** The page's answered GetUser calls in a mode, in the order they started. */
const okCalls = (events: readonly TraceEvent[], mode: ModeName) => logicalCalls(events, { mode, call: "GetUser" }).filter((c) => c.ok);

/** The last `n` of them, when there are that many. */
function lastOk(events: readonly TraceEvent[], mode: ModeName, n: number): LogicalCall[] | undefined {
  const list = okCalls(events, mode);
  return list.length >= n ? list.slice(-n) : undefined;
}

const durations = (run: readonly LogicalCall[]) => run.map((c) => c.durationMs);

/** "p50 0.84 ms · p90 1.2 ms · p99 3.1 ms · max 3.1 ms" from a run. */
function spreadLabel(run: readonly LogicalCall[] | undefined): string {
  const s = run && latencySummary(durations(run));
  return s ? `p50 ${ms(s.p50)} ms · p90 ${ms(s.p90)} ms · p99 ${ms(s.p99)} ms · max ${ms(s.max)} ms` : "";
}

/**
 * Calls per second while calls were in flight: the calls over the time at
 * least one of them was (the union of their intervals), so pauses between
 * presses do not count.
 */
function throughput(calls: readonly LogicalCall[]): number {
  const spans = calls.map((c) => [c.startMs, c.endMs] as const).sort((a, b) => a[0] - b[0]);
  let busy = 0;
  let [from, to] = spans[0] ?? [0, 0];
  for (const [a, b] of spans.slice(1)) {
    if (a > to) {
      busy += to - from;
      [from, to] = [a, b];
    } else to = Math.max(to, b);
  }
  busy += to - from;
  return busy > 0 ? (calls.length * 1000) / busy : 0;
}

/** The bytes of one exchange the server handled, request and response, headers and body (envelopes counted with the body). */
function exchangeBytes(events: readonly TraceEvent[], spanId: string): { headers: number; body: number } {
  let headers = 0;
  let body = 0;
  for (const e of events) {
    if (e.spanId !== spanId || e.seq === 0n || (e.kind !== EventKind.REQUEST_RECEIVED && e.kind !== EventKind.RESPONSE_SENT)) continue;
    headers += e.bytes?.header ?? 0;
    body += (e.bytes?.body ?? 0) + (e.bytes?.framing ?? 0);
  }
  return { headers, body };
}

const BYTE_TARGETS: ReadonlyArray<{ key: string; title: string; mode: ModeName; codec?: "json" | "proto"; action: CallAction }> = [
  { key: "rest", title: "REST", mode: "rest", action: getUser("rest") },
  { key: "connect-json", title: "Connect JSON", mode: "connect", codec: "json", action: getUser("connect", "json") },
  { key: "connect-binary", title: "Connect protobuf", mode: "connect", codec: "proto", action: getUser("connect", "binary") },
  { key: "grpc-web", title: "gRPC-web", mode: "grpc-web", action: getUser("grpc-web") },
];

const SPREAD_N = 50;
const MODES_N = 30;
const LOAD_N = 50;

export default defineLesson({
  title: { en: "Measuring: numbers, not adjectives", "zh-CN": "测量：用数字说话" },
  summary: {
    en: "Make a claim like “gRPC is 5–10× faster than HTTP” into a measurement: many calls and their percentiles, the first call's cost, three protocols side by side, the bytes on the wire, and what concurrency does to latency.",
    "zh-CN": "把“gRPC 比 HTTP 快 5–10 倍”这样的说法变成测量：大量调用和它们的百分位数、第一次调用的代价、三种协议并排对比、线路上的字节，以及并发对延迟的影响。",
  },
  minutes: 20,
  steps: [
    {
      id: "spread",
      title: { en: "One call is an anecdote", "zh-CN": "一次调用只是个例" },
      widgets: ["call", "measure"],
      check: (ctx) => {
        const run = lastOk(ctx.events, "connect", SPREAD_N);
        return goals([
          [{ en: `${SPREAD_N} answered calls`, "zh-CN": `${SPREAD_N} 个得到应答的调用` }, run !== undefined],
          [{ en: run ? `their spread: ${spreadLabel(run)}` : "their spread: p50, p90, p99, max", "zh-CN": run ? `它们的分布：${spreadLabel(run)}` : "它们的分布：p50、p90、p99、max" }, run !== undefined],
        ]);
      },
      hints: [{ en: "Press the ×50 button and read the table under it.", "zh-CN": "按 ×50 按钮，然后看按钮下面的表格。" }],
      solution: [times(SPREAD_N, getUser("connect", "binary"))],
      wrong: [times(10, getUser("connect", "binary"))],
    },
    {
      id: "first-call",
      title: { en: "The first call pays for the connection", "zh-CN": "第一次调用要为建立连接买单" },
      widgets: ["call", "diagram"],
      check: (ctx) => {
        const connects = mqttPackets(ctx.events, { type: "CONNECT", from: "Browser" });
        const subscribed = mqttPackets(ctx.events, { type: "SUBSCRIBE", from: "Browser" }).length > 0;
        const mqtt = okCalls(ctx.events, "mqtt");
        // The call under way while the page's MQTT client connected (same machine, same clock), and the calls after it.
        const coldAt = mqtt.findIndex((c) => connects.some((p) => p.timeUnixMs >= c.startMs - 100 && p.timeUnixMs <= c.endMs + 100));
        const cold = coldAt >= 0 && mqtt.length - coldAt >= 20 ? mqtt.slice(coldAt, coldAt + 20) : undefined;
        const first = cold?.[0].durationMs;
        const rest = cold && latencySummary(durations(cold.slice(1)));
        const label: L10n =
          first !== undefined && rest
            ? { en: `the first call took ${ms(first)} ms, the others ${ms(rest.p50)} ms (p50)`, "zh-CN": `第一次调用用了 ${ms(first)} ms，其余调用 ${ms(rest.p50)} ms（p50）` }
            : { en: "the first call against the others", "zh-CN": "第一次调用与其余调用对比" };
        return goals([
          [{ en: "the page's MQTT client connected and subscribed (CONNECT, SUBSCRIBE)", "zh-CN": "页面的 MQTT 客户端建立了连接并订阅（CONNECT、SUBSCRIBE）" }, connects.length > 0 && subscribed],
          [{ en: "20 calls over MQTT, the first of them on the new connection", "zh-CN": "20 个 MQTT 调用，其中第一个走在新建的连接上" }, cold !== undefined],
          [label, cold !== undefined],
        ]);
      },
      hints: [
        { en: "Press the MQTT ×20 button once. If it does not show a CONNECT, the page had connected already: reload the page and press it first.", "zh-CN": "按一次 MQTT ×20 按钮。如果图里没有 CONNECT，说明页面之前已经连上了：刷新页面，先按这个按钮。" },
      ],
      solution: [times(20, getUser("mqtt"))],
      wrong: [times(20, getUser("connect", "binary"))],
    },
    {
      id: "protocols",
      title: { en: "The same call, three protocols", "zh-CN": "同一个调用，三种协议" },
      widgets: ["call", "measure"],
      check: (ctx) => {
        const modes: ModeName[] = ["rest", "connect", "grpc-web"];
        const runs = modes.map((m) => lastOk(ctx.events, m, MODES_N));
        const p50 = runs.map((r) => (r ? latencySummary(durations(r))!.p50 : undefined));
        const [rest, connect] = p50;
        const ratio = rest !== undefined && connect !== undefined && connect > 0 ? rest / connect : undefined;
        return goals([
          ...modes.map((m, i): readonly [L10n, boolean] => [
            {
              en: `${MODES_N} or more calls over ${modeTitle(m)}${p50[i] !== undefined ? `: p50 ${ms(p50[i]!)} ms` : ""}`,
              "zh-CN": `用 ${modeTitle(m)} 发出 ${MODES_N} 个以上的调用${p50[i] !== undefined ? `：p50 ${ms(p50[i]!)} ms` : ""}`,
            },
            runs[i] !== undefined,
          ]),
          [
            {
              en: ratio !== undefined ? `REST's median is ${ratio.toFixed(1)}× Connect's on this machine (the seeds claim 5–10× HTTP's performance for gRPC, and 40–60 % lower latency)` : "REST's median against Connect's",
              "zh-CN": ratio !== undefined ? `在这台机器上，REST 的中位数是 Connect 的 ${ratio.toFixed(1)} 倍（参考文章说 gRPC 是 HTTP 的 5–10 倍，延迟低 40%~60%）` : "REST 与 Connect 的中位数之比",
            },
            ratio !== undefined,
          ],
        ]);
      },
      hints: [{ en: "Press the three ×30 buttons, one after another.", "zh-CN": "依次按下三个 ×30 按钮。" }],
      solution: [times(MODES_N, getUser("rest")), times(MODES_N, getUser("connect", "binary")), times(MODES_N, getUser("grpc-web"))],
      wrong: [times(MODES_N, getUser("rest")), times(MODES_N, getUser("connect", "binary"))],
    },
    {
      id: "bytes",
      title: { en: "Where the bytes go", "zh-CN": "字节都花在哪儿了" },
      widgets: ["call", "diagram", "measure"],
      check: (ctx) => {
        const rows = BYTE_TARGETS.map((t) => {
          const x = serverExchanges(ctx.events, { mode: t.mode, call: "GetUser", from: "Browser", ...(t.codec ? { codec: t.codec } : {}) })
            .filter((e) => e.httpStatus === 200)
            .at(-1);
          return { t, bytes: x && exchangeBytes(ctx.events, x.spanId) };
        });
        return goals(
          rows.map(({ t, bytes }) => [
            bytes
              ? { en: `${t.title}: ${bytes.headers} B of headers, ${bytes.body} B of body (both ways)`, "zh-CN": `${t.title}：头部 ${bytes.headers} B，消息体 ${bytes.body} B（往返合计）` }
              : { en: `${t.title}: headers and body`, "zh-CN": `${t.title}：头部和消息体` },
            bytes !== undefined,
          ]),
        );
      },
      hints: [{ en: "One press of each of the four buttons.", "zh-CN": "四个按钮各按一次。" }],
      solution: BYTE_TARGETS.map((t) => t.action),
      wrong: [BYTE_TARGETS[0].action, BYTE_TARGETS[1].action],
    },
    {
      id: "concurrency",
      title: { en: "Ten at a time", "zh-CN": "十个一起来" },
      widgets: ["call", "measure"],
      check: (ctx) => {
        const list = okCalls(ctx.events, "connect");
        const overlaps = othersOverlapping(list);
        const aloneCalls = list.filter((_, i) => overlaps[i] === 0).slice(-LOAD_N);
        const crowdedCalls = list.filter((_, i) => overlaps[i] >= 4).slice(-LOAD_N);
        const alone = aloneCalls.length >= LOAD_N ? aloneCalls : undefined;
        // A ×50 run ten at a time: nearly every call has four or more others in flight with it.
        const crowded = crowdedCalls.length >= LOAD_N - 10 ? crowdedCalls : undefined;
        const describe = (r: readonly LogicalCall[] | undefined): string => (r ? `p50 ${ms(latencySummary(durations(r))!.p50)} ms, ${throughput(r).toFixed(0)} calls/s` : "");
        const describeZh = (r: readonly LogicalCall[] | undefined): string => (r ? `p50 ${ms(latencySummary(durations(r))!.p50)} ms，每秒 ${throughput(r).toFixed(0)} 个调用` : "");
        return goals([
          [{ en: `${LOAD_N} calls one at a time${alone ? `: ${describe(alone)}` : ""}`, "zh-CN": `逐个发出的 ${LOAD_N} 个调用${alone ? `：${describeZh(alone)}` : ""}` }, alone !== undefined],
          [{ en: `calls ten at a time${crowded ? `: ${describe(crowded)}` : ""}`, "zh-CN": `每次并发 10 个的调用${crowded ? `：${describeZh(crowded)}` : ""}` }, crowded !== undefined],
        ]);
      },
      hints: [{ en: "Press both buttons, the one-at-a-time one first; wait for the first run to end before the second.", "zh-CN": "两个按钮都按一下，先按逐个发出的那个；等第一轮结束再按第二个。" }],
      solution: [times(LOAD_N, getUser("connect", "binary")), times(LOAD_N, getUser("connect", "binary"), 10)],
      wrong: [times(LOAD_N, getUser("connect", "binary"))],
    },
  ],
});
