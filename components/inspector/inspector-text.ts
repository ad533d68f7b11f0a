"use client";

import { createContext, useContext } from "react";
import { textIn, textLookup, type TextVars } from "@/lib/lessons/ui-text";
import type { L10n, Locale } from "@/lib/lessons/types";

/**
 * Every word of the wire inspector's own (headings, captions, column
 * names, hints, the byte bar and the hex legend), in both languages; terms
 * follow lessons/glossary.ts (信封, Trailer, 报文标识符). What the decoder
 * reads out of the bytes (an MQTT field's name as the spec gives it, a
 * note on a value, where decoding stopped and why) is the protocol's
 * analysis and stays in English, as do protocol names and header names.
 */
const INSPECTOR_TEXT = {
  title: { en: "Wire inspector", "zh-CN": "报文检查器" },
  close: { en: "Close the inspector", "zh-CN": "关闭报文检查器" },
  closeTitle: { en: "Close (Esc)", "zh-CN": "关闭（Esc）" },
  selectHint: { en: "Select an arrow or a row to inspect its bytes.", "zh-CN": "选中一个箭头或一行，查看它的字节。" },
  loading: { en: "Loading the bytes and headers…", "zh-CN": "正在加载字节和头部…" },
  eventsOfArrow: { en: "Events of this arrow", "zh-CN": "这个箭头的事件" },
  recordedBy: { en: "Recorded by", "zh-CN": "记录方" },
  switchTitle: { en: "{kind} recorded by {observer}", "zh-CN": "{observer} 记录的{kind}" },
  switchTitleBytes: { en: "{kind} recorded by {observer}, {n} bytes captured", "zh-CN": "{observer} 记录的{kind}，抓到 {n} 字节" },
  bytesBadge: { en: " · bytes", "zh-CN": " · 字节" },
  loadFailed: { en: "The bytes and headers could not be loaded ({error}); counts and timing are complete.", "zh-CN": "字节和头部没能加载（{error}）；计数和时间是完整的。" },
  gone: {
    en: "The server no longer keeps this event's bytes and headers (it keeps each session's latest events); counts and timing are complete.",
    "zh-CN": "服务器已经不再保留这个事件的字节和头部（它只保留每个会话最近的事件）；计数和时间是完整的。",
  },
  decoderFailed: { en: "The decoder failed: {error}", "zh-CN": "解码器出错：{error}" },
  hex: { en: "Hex", "zh-CN": "十六进制" },
  decoded: { en: "Decoded", "zh-CN": "解码" },
  both: { en: "Both", "zh-CN": "两者" },
  pointHint: { en: "Point at a byte, or at a row of the decoded view, to see which field it belongs to.", "zh-CN": "指向一个字节，或解码视图里的一行，看看它属于哪个字段。" },
  atByte: { en: "{offset} (byte {n}): {labels}", "zh-CN": "{offset}（第 {n} 字节）：{labels}" },
  noField: { en: "no field", "zh-CN": "不属于任何字段" },
  noBytesEvent: { en: "No bytes were captured for this event.", "zh-CN": "这个事件没有抓到字节。" },
  noBytes: { en: "No bytes were captured.", "zh-CN": "没有抓到字节。" },
  notes: { en: "Notes", "zh-CN": "说明" },
  packet: { en: "Packet", "zh-CN": "报文" },
  body: { en: "Body", "zh-CN": "消息体" },
  captured: { en: "{size} captured", "zh-CN": "抓到 {size}" },
  nothingCaptured: { en: "nothing captured", "zh-CN": "什么也没抓到" },
  truncated: { en: "truncated at 4 KiB", "zh-CN": "截断于 4 KiB" },
  bodyView: { en: "Body view", "zh-CN": "消息体视图" },
  hexColours: { en: "Hex colours", "zh-CN": "十六进制配色" },
  hiddenPassword: { en: "•• hidden (password)", "zh-CN": "•• 已隐藏（密码）" },
  hexDump: { en: "Hex dump", "zh-CN": "十六进制转储" },
  hexDumpRegion: { en: "{label}: {n} bytes, {cols} per row", "zh-CN": "{label}：{n} 字节，每行 {cols} 个" },

  // The summary.
  summary: { en: "Summary", "zh-CN": "概要" },
  route: { en: "Route", "zh-CN": "路径" },
  kind: { en: "Kind", "zh-CN": "类型" },
  recordedByWho: { en: " · recorded by {observer}", "zh-CN": " · 由 {observer} 记录" },
  unknown: { en: "unknown", "zh-CN": "未知" },
  mode: { en: "Mode", "zh-CN": "方式" },
  request: { en: "Request", "zh-CN": "请求" },
  topic: { en: "topic {topic}", "zh-CN": "主题 {topic}" },
  clientId: { en: "Client id", "zh-CN": "客户端标识符" },
  time: { en: "Time", "zh-CN": "时间" },
  latency: { en: "Latency", "zh-CN": "延迟" },
  returnCode: { en: "return code {code}", "zh-CN": "返回码 {code}" },
  status: { en: "Status", "zh-CN": "状态" },
  error: { en: "Error", "zh-CN": "错误" },
  fault: { en: "Fault", "zh-CN": "故障" },
  rule: { en: "rule {id}", "zh-CN": "规则 {id}" },
  span: { en: "Span", "zh-CN": "Span" },
  parent: { en: " parent {id}", "zh-CN": " 父级 {id}" },
  message: { en: " · message {n}", "zh-CN": " · 第 {n} 条消息" },
  attempt: { en: "Attempt", "zh-CN": "尝试" },
  retryOf: { en: "{n} (retry of {id})", "zh-CN": "{n}（重试自 {id}）" },

  // The bytes on the wire.
  bytesOnWire: { en: "Bytes on the wire", "zh-CN": "线路上的字节" },
  overhead: { en: "{size} · {pct}% overhead", "zh-CN": "{size} · 开销 {pct}%" },
  noByteCounts: { en: "No byte counts were recorded for this event.", "zh-CN": "这个事件没有记录字节数。" },
  estimated: { en: "estimated", "zh-CN": "估算" },
  hpackNote: {
    en: "Header bytes are estimated: HTTP/2 compresses headers with HPACK (RFC 7541), so the count is the uncompressed header list size.",
    "zh-CN": "头部字节是估算值：HTTP/2 用 HPACK（RFC 7541）压缩头部，这里给出的是未压缩的头部列表大小。",
  },
  framingNote: {
    en: "Framing: 5-byte length prefixes (flags + 4-byte length) around each message, and any trailer frame.",
    "zh-CN": "分帧：每条消息前的 5 字节长度前缀（标志位 + 4 字节长度），以及 Trailer 帧。",
  },
  segHttpHeaderHelp: { en: "Request or status line and header fields", "zh-CN": "请求行或状态行，以及各个头部字段" },
  segHttpBodyHelp: { en: "The message itself, without framing", "zh-CN": "消息本身，不含分帧" },
  segHttpFramingHelp: { en: "Length prefixes (5 bytes per message), chunked coding, trailer frames", "zh-CN": "长度前缀（每条消息 5 字节）、分块编码、Trailer 帧" },
  segMqttHeader: { en: "Fixed + variable header", "zh-CN": "固定头 + 可变头" },
  segMqttHeaderHelp: { en: "Packet type, flags, Remaining Length, topic, packet identifier", "zh-CN": "报文类型、标志位、剩余长度、主题、报文标识符" },
  segMqttBodyHelp: { en: "The application message (or CONNECT/SUBSCRIBE payload fields)", "zh-CN": "应用消息（或 CONNECT/SUBSCRIBE 的载荷字段）" },
  segMqttFramingHelp: { en: "Transport framing around the packet", "zh-CN": "报文外层的传输分帧" },
  framing: { en: "Framing", "zh-CN": "分帧" },
  segEstimated: { en: "{help} (estimated: HPACK compresses them on the wire)", "zh-CN": "{help}（估算值：线路上经过 HPACK 压缩）" },

  // Headers and trailers.
  headersAndTrailers: { en: "Headers and trailers", "zh-CN": "头部与 Trailer" },
  noHttp: { en: "No HTTP information was recorded for this event.", "zh-CN": "这个事件没有记录 HTTP 信息。" },
  headers: { en: "Headers", "zh-CN": "头部" },
  noHeaders: { en: "No headers recorded.", "zh-CN": "没有记录头部。" },
  trailers: { en: "Trailers", "zh-CN": "Trailer" },
  noTrailers: { en: "No trailers.", "zh-CN": "没有 Trailer。" },
  grpcWebTrailers: { en: "None as HTTP trailers: gRPC-web sends them in the body, as the last frame.", "zh-CN": "没有 HTTP Trailer：gRPC-web 把它们放在消息体里，作为最后一帧发送。" },
  name: { en: "Name", "zh-CN": "名称" },
  value: { en: "Value", "zh-CN": "值" },
  sectionFailed: { en: "The {name} could not be shown: {error}", "zh-CN": "无法显示{name}：{error}" },

  // The decoded body.
  decodeStopped: { en: "{what} stopped at byte {n} ({offset}):", "zh-CN": "{what}在第 {n} 字节（{offset}）处停止：" },
  decoding: { en: "Decoding", "zh-CN": "解码" },
  protobufDecoding: { en: "Protobuf decoding", "zh-CN": "Protobuf 解码" },
  framingDecoding: { en: "Framing", "zh-CN": "分帧解析" },
  trailerParsing: { en: "Trailer parsing", "zh-CN": "Trailer 解析" },
  mqttDecoding: { en: "MQTT decoding", "zh-CN": "MQTT 解码" },
  emptyMessage: { en: "Empty message (0 bytes): every field has its default value.", "zh-CN": "空消息（0 字节）：每个字段都是默认值。" },
  compressed: {
    en: "Compressed: the payload is not decoded (see the grpc-encoding / connect-content-encoding header).",
    "zh-CN": "已压缩：不解码载荷（见 grpc-encoding / connect-content-encoding 头部）。",
  },
  textBytes: { en: "Text, {n} bytes", "zh-CN": "文本，{n} 字节" },
  jsonBytes: { en: "JSON, {n} bytes", "zh-CN": "JSON，{n} 字节" },
  badJson: { en: "Not valid JSON: {error}", "zh-CN": "不是合法的 JSON：{error}" },
  noSchema: { en: " · no schema: names unknown, types guessed", "zh-CN": " · 没有 schema：字段名未知，类型靠猜" },
  bytesAt: { en: " · {n} bytes at {offset}", "zh-CN": " · {n} 字节，位于 {offset}" },
  fieldNumber: { en: "Field number", "zh-CN": "字段编号" },
  wireType: { en: "Wire type", "zh-CN": "线路类型" },
  offset: { en: "Offset", "zh-CN": "偏移" },
  offsetTitle: { en: "Offset of the tag and bytes of the whole field", "zh-CN": "标签的偏移，以及整个字段的字节数" },
  noFields: { en: "No fields.", "zh-CN": "没有字段。" },
  nested: { en: " (nested, depth {n})", "zh-CN": "（嵌套，第 {n} 层）" },
  byteRange: { en: "bytes {from}–{to}", "zh-CN": "第 {from}–{to} 字节" },
  envelope: {
    en: "{protocol} envelope: {frames}, {framing} bytes of prefixes, {payload} bytes of payload",
    "zh-CN": "{protocol} 信封：{frames}，前缀 {framing} 字节，载荷 {payload} 字节",
  },
  frames: { en: "{n} frames", "zh-CN": "{n} 帧" },
  frameOne: { en: "1 frame", "zh-CN": "1 帧" },
  frame: { en: "Frame", "zh-CN": "帧" },
  flags: { en: "Flags", "zh-CN": "标志位" },
  length: { en: "Length", "zh-CN": "长度" },
  lengthTitle: { en: "From the 4-byte big-endian length", "zh-CN": "来自 4 字节大端长度" },
  none: { en: "none", "zh-CN": "无" },
  onlyPresent: { en: "only {n} present", "zh-CN": "只有 {n}" },
  frameTitle: { en: "Frame {n}: {kind}", "zh-CN": "第 {n} 帧：{kind}" },
  grpcWebBodyTrailers: { en: "gRPC-web trailers in the body", "zh-CN": "消息体里的 gRPC-web Trailer" },
  streamOk: { en: "Stream ended without an error.", "zh-CN": "流正常结束，没有错误。" },
  metadata: { en: "Metadata", "zh-CN": "元数据" },
  values: { en: "Values", "zh-CN": "值" },
  endStreamJson: { en: "End-of-stream JSON: {error}", "zh-CN": "流结束消息的 JSON：{error}" },
  notDecoded: { en: "Not decoded.", "zh-CN": "未解码。" },
  fixedHeader: { en: "Fixed header (§2.2)", "zh-CN": "固定头（§2.2）" },
  variableHeader: { en: "Variable header", "zh-CN": "可变头" },
  payload: { en: "Payload", "zh-CN": "有效载荷" },
  packetsInCapture: { en: "{n} MQTT packets in this capture", "zh-CN": "这次抓包里有 {n} 个 MQTT 报文" },
  payloadOf: { en: "{type} payload (application message)", "zh-CN": "{type} 的有效载荷（应用消息）" },
  packetBytes: {
    en: "{total} bytes: {fixed} fixed header + {variable} variable header + {payload} payload",
    "zh-CN": "{total} 字节：固定头 {fixed} + 可变头 {variable} + 有效载荷 {payload}",
  },
  incompletePacket: { en: "Incomplete packet", "zh-CN": "不完整的报文" },
  packetId: { en: " · packet id {id}", "zh-CN": " · 报文标识符 {id}" },
  field: { en: "Field", "zh-CN": "字段" },
  bytes: { en: "Bytes", "zh-CN": "字节" },
  bytesTitle: { en: "Offset and length in bytes", "zh-CN": "偏移和长度（字节）" },
  spec: { en: "Spec", "zh-CN": "规范" },
  bits: { en: " bits {bits}", "zh-CN": " 位 {bits}" },
  hidden: { en: "(hidden)", "zh-CN": "（已隐藏）" },

  // Hex colours.
  toneTag: { en: "tag (field number + wire type)", "zh-CN": "标签（字段编号 + 线路类型）" },
  toneLength: { en: "length prefix", "zh-CN": "长度前缀" },
  toneValue: { en: "value", "zh-CN": "值" },
  toneMessage: { en: "message", "zh-CN": "消息" },
  toneFraming: { en: "frame prefix", "zh-CN": "帧前缀" },
  toneTrailers: { en: "trailers", "zh-CN": "Trailer" },
  toneEndStream: { en: "end of stream", "zh-CN": "流结束" },
  toneFixedHeader: { en: "fixed header", "zh-CN": "固定头" },
  toneVariableHeader: { en: "variable header", "zh-CN": "可变头" },
  tonePayload: { en: "payload", "zh-CN": "有效载荷" },
} as const satisfies Record<string, L10n>;

export type InspectorTextKey = keyof typeof INSPECTOR_TEXT;

export const inspectorText = textLookup(INSPECTOR_TEXT);

/** The inspector's language for the parts inside it (decoded body, hex dump). */
export const InspectorLocale = createContext<Locale>("en");

/** The inspector's texts in the language of the inspector around the caller. */
export function useInspectorText(): (key: InspectorTextKey, vars?: TextVars) => string {
  return textIn(inspectorText, useContext(InspectorLocale));
}
