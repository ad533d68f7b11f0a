import type { L10n } from "@/lib/lessons/types";
import { textLookup, UI } from "@/lib/lessons/ui-text";

/**
 * Every word the playground page (Playground.tsx, CopyButton.tsx) writes, in
 * both languages. Terms follow lessons/glossary.ts and the lesson UI
 * (lib/lessons/ui-text.ts; the texts both show are taken from there, so they
 * stay the same). Protocol and call names, status codes, units (ms, B) and
 * command lines stay as they are; what the server or the browser says (an
 * error's message) is shown as it came, with only the framing here.
 */
export const PLAYGROUND_TEXT = {
  // The call panel
  makeCall: { en: "Make a call", "zh-CN": "发起调用" },
  mode: { en: "Mode", "zh-CN": "方式" },
  qosField: { en: "QoS of request and reply (MQTT 3.1.1 §4.3)", "zh-CN": "请求和应答的 QoS（MQTT 3.1.1 §4.3）" },
  qos0: { en: "0 — at most once (no ack)", "zh-CN": "0 — 最多一次（无确认）" },
  qos1: { en: "1 — at least once (PUBACK)", "zh-CN": "1 — 至少一次（PUBACK）" },
  qos2: { en: "2 — exactly once (PUBREC, PUBREL, PUBCOMP)", "zh-CN": "2 — 恰好一次（PUBREC、PUBREL、PUBCOMP）" },
  call: { en: "Call", "zh-CN": "调用" },
  input: { en: "Input (JSON)", "zh-CN": "输入（JSON）" },
  send: { en: "Send {call} over {mode}", "zh-CN": "用 {mode} 发送 {call}" },
  sending: UI.sending,
  compare: { en: "Compare REST · Connect · MQTT", "zh-CN": "对比 REST · Connect · MQTT" },

  // Input checks (the page's own; JSON.parse's message is the browser's)
  notJson: { en: "Input is not valid JSON: {error}", "zh-CN": "输入不是有效的 JSON：{error}" },
  notObject: { en: "Input must be a JSON object.", "zh-CN": "输入必须是一个 JSON 对象。" },
  notInteger: { en: "\"{key}\" must be an integer ≥ {min}.", "zh-CN": "\"{key}\" 必须是 ≥ {min} 的整数。" },
  skuNotString: { en: "\"sku\" must be a string.", "zh-CN": "\"sku\" 必须是字符串。" },
  nameEmailNotStrings: { en: "\"name\" and \"email\" must be strings.", "zh-CN": "\"name\" 和 \"email\" 必须是字符串。" },
  callFailed: { en: "The call could not be made: {error}", "zh-CN": "调用没能发出：{error}" },
  callsFailed: { en: "The calls could not be made: {error}", "zh-CN": "这批调用没能发出：{error}" },

  // Repeat ×N
  repeat: { en: "Repeat", "zh-CN": "重复" },
  repeatCount: { en: "Repeat count", "zh-CN": "重复次数" },
  /** Around the concurrency field: "at most [10] at a time". */
  atMostBefore: { en: "at most", "zh-CN": "最多同时" },
  atMostAfter: { en: "at a time", "zh-CN": "个" },
  callsAtATime: { en: "Calls at a time", "zh-CN": "同时进行的调用数" },
  repeatProgress: { en: "Repeat progress", "zh-CN": "重复进度" },
  cancel: { en: "Cancel", "zh-CN": "取消" },
  repeatButton: { en: "Repeat {call} ×{n}", "zh-CN": "重复 {call} ×{n}" },
  runRunning: { en: "Running: ", "zh-CN": "运行中：" },
  runCancelled: { en: "Cancelled after ", "zh-CN": "已取消：" },
  runSummary: { en: "{done}/{total} {call} over {mode} · {ok} ok", "zh-CN": "{done}/{total} 次 {call}（{mode}）· {ok} 次成功" },
  runFailed: { en: " · {n} × {status}", "zh-CN": " · {n} × {status}" },
  /** The status of a call that threw instead of answering. */
  runError: { en: "error", "zh-CN": "出错" },
  runRetried: { en: " · {n} retried", "zh-CN": " · {n} 次经过重试" },

  // The session line
  session: UI.session,
  traceLive: UI.traceLive,
  connecting: UI.connecting,

  // The response panel
  response: UI.response,
  responseEmpty: { en: "Send a call to see its response, status, latency and bytes.", "zh-CN": "发送一次调用，就能看到它的响应、状态、延迟和字节数。" },
  roundTrip: UI.roundTrip,
  attempts: { en: " · {n} attempts", "zh-CN": " · 共 {n} 次尝试" },
  bytesSentReceived: UI.bytesSentReceived,
  onTheWire: { en: "on the wire {sent} B → {received} B", "zh-CN": "线路上 {sent} B → {received} B" },
  onTheWireTitle: { en: "Measured by the server on the socket: headers + body + framing", "zh-CN": "由服务端在套接字上测得：头部 + 消息体 + 分帧" },

  // The command panel
  fromTerminal: { en: "The same call from a terminal", "zh-CN": "在终端里发起同样的调用" },
  nativeGrpc: { en: "Native gRPC (h2c port {port})", "zh-CN": "原生 gRPC（h2c 端口 {port}）" },
  waitingSession: { en: "Waiting for the session…", "zh-CN": "正在等待会话……" },
  fixInput: { en: "Fix the input to see the command.", "zh-CN": "先改正输入，才能看到命令。" },
  copy: UI.copy,
  copied: UI.copied,

  // Side by side
  compareTitle: UI.compareTitle,
  compareNote: { en: "the same {call} in three modes, each from its first byte, on one time axis", "zh-CN": "同一个 {call} 用三种方式各调用一次，每个都从第一个字节算起，共用一条时间轴" },
  compareDiagram: { en: "Side-by-side comparison", "zh-CN": "并排对比图" },
  close: { en: "Close", "zh-CN": "关闭" },

  // Faults, defences, counters and trace
  breakIt: UI.faultsTitle,
  trace: { en: "Trace", "zh-CN": "追踪" },
  events: { en: "{n} events", "zh-CN": "{n} 个追踪事件" },
  dropped: { en: " · {n} older events dropped", "zh-CN": " · 已丢弃 {n} 个较早的事件" },
  diagram: UI.diagram,
} as const satisfies Record<string, L10n>;

export type PlaygroundTextKey = keyof typeof PLAYGROUND_TEXT;

/** A playground text in `locale`, with `{name}` placeholders filled from `vars`. */
export const playgroundText = textLookup(PLAYGROUND_TEXT);
