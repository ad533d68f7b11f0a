import { textIn, textLookup, type TextVars } from "../lessons/ui-text";
import type { L10n, Locale } from "../lessons/types";

/**
 * Every word of the trace viewer's own controls (playback, filters,
 * exports, views, legend), in both languages; terms follow
 * lessons/glossary.ts (追踪, 时序图, 确认). What the trace itself says
 * (summaries, participants, notes from the services) is data and stays as
 * recorded.
 */
const DIAGRAM_TEXT = {
  playback: { en: "Playback", "zh-CN": "回放" },
  noTraffic: { en: "No traffic yet. Make a call and its messages appear here.", "zh-CN": "还没有流量。发起一次调用，它的消息就会出现在这里。" },
  pause: { en: "❚❚ Pause", "zh-CN": "❚❚ 暂停" },
  resume: { en: "▶ Resume", "zh-CN": "▶ 继续" },
  playAgain: { en: "↺ Play again", "zh-CN": "↺ 再放一遍" },
  back: { en: "◀ Back", "zh-CN": "◀ 上一条" },
  backLabel: { en: "◀ Back: step back one event", "zh-CN": "◀ 上一条：后退一个事件" },
  next: { en: "Next ▶", "zh-CN": "下一条 ▶" },
  nextLabel: { en: "Next ▶: step forward one event", "zh-CN": "下一条 ▶：前进一个事件" },
  clear: { en: "Clear", "zh-CN": "清空" },
  replay: { en: "↺ Replay from start", "zh-CN": "↺ 从头回放" },
  speed: { en: "Speed", "zh-CN": "速度" },
  backToLive: { en: "● Back to live", "zh-CN": "● 回到实时" },
  statusReplay: { en: "Replay · {position}/{total} events", "zh-CN": "回放 · {position}/{total} 个事件" },
  statusImported: { en: "Imported trace · {position}/{total} events", "zh-CN": "导入的追踪 · {position}/{total} 个事件" },
  statusDone: { en: " · done", "zh-CN": " · 已放完" },
  statusPaused: { en: " · paused", "zh-CN": " · 已暂停" },
  statusPausedLive: { en: "Paused · {position} shown", "zh-CN": "已暂停 · 显示 {position} 个" },
  statusWaiting: { en: " · {n} new events waiting", "zh-CN": " · {n} 个新事件待显示" },
  statusWaitingOne: { en: " · 1 new event waiting", "zh-CN": " · 1 个新事件待显示" },
  statusLive: { en: "Live · {n} events", "zh-CN": "实时 · {n} 个事件" },
  statusLiveOne: { en: "Live · 1 event", "zh-CN": "实时 · 1 个事件" },
  timeAxis: { en: "Time axis", "zh-CN": "时间轴" },
  toScale: { en: "To scale", "zh-CN": "按比例" },
  compact: { en: "Compact", "zh-CN": "紧凑" },
  exportImport: { en: "Export and import", "zh-CN": "导出与导入" },
  export: { en: "Export", "zh-CN": "导出" },
  exportJson: { en: "Export the trace as JSON", "zh-CN": "把追踪导出为 JSON" },
  exportSvg: { en: "Export the diagram as SVG", "zh-CN": "把时序图导出为 SVG" },
  exportMermaid: { en: "Export the diagram as Mermaid text", "zh-CN": "把时序图导出为 Mermaid 文本" },
  importJson: { en: "Import JSON…", "zh-CN": "导入 JSON…" },
  importJsonLabel: { en: "Import JSON…: import a trace JSON file and replay it", "zh-CN": "导入 JSON…：导入一个追踪 JSON 文件并回放" },
  readFailed: { en: "Could not read {file}: {error}", "zh-CN": "无法读取 {file}：{error}" },
  replaying: { en: "Replaying {n} events from {file}", "zh-CN": "正在回放 {file} 里的 {n} 个事件" },
  modes: { en: "Modes", "zh-CN": "方式" },
  participants: { en: "Participants", "zh-CN": "参与者" },
  kinds: { en: "Kinds", "zh-CN": "事件类型" },
  showOnly: { en: "Show only these {what}", "zh-CN": "只显示这些{what}" },
  noise: { en: "Noise", "zh-CN": "控制报文" },
  hideNoise: { en: "Hide acks & control", "zh-CN": "隐藏确认与控制报文" },
  hideNoiseTitle: {
    en: "Hides {kinds} arrows (MQTT acks, CONNECT, SUBSCRIBE, pings, connections)",
    "zh-CN": "隐藏 {kinds} 箭头（MQTT 确认、CONNECT、SUBSCRIBE、心跳、连接）",
  },
  and: { en: " and ", "zh-CN": " 和 " },
  showAll: { en: "Show all", "zh-CN": "全部显示" },
  view: { en: "View", "zh-CN": "视图" },
  sequenceDiagram: { en: "Sequence diagram", "zh-CN": "时序图" },
  table: { en: "Table", "zh-CN": "表格" },
  tableCaption: { en: "{title}: trace events", "zh-CN": "{title}：追踪事件" },
  dropped: { en: "{n} older events dropped (the live buffer keeps the newest).", "zh-CN": "丢弃了 {n} 个较早的事件（实时缓冲区只保留最新的）。" },
  droppedOne: { en: "1 older event dropped (the live buffer keeps the newest).", "zh-CN": "丢弃了 1 个较早的事件（实时缓冲区只保留最新的）。" },
  zoomGroup: { en: "Zoom the time axis", "zh-CN": "缩放时间轴" },
  zoomOut: { en: "Zoom out", "zh-CN": "缩小" },
  zoomIn: { en: "Zoom in", "zh-CN": "放大" },
  zoomReset: { en: "Zoom {pct}%, reset to 100%", "zh-CN": "缩放 {pct}%，恢复到 100%" },
  arrows: { en: "{n} arrows", "zh-CN": "{n} 个箭头" },
  arrowOne: { en: "1 arrow", "zh-CN": "1 个箭头" },
  events: { en: "{n} events", "zh-CN": "{n} 个事件" },
  eventOne: { en: "1 event", "zh-CN": "1 个事件" },
  filteredOf: { en: " (of {total}, filtered)", "zh-CN": "（共 {total} 个，已筛选）" },
  keysHint: { en: "Ctrl + wheel zooms. Tab to an arrow, arrow keys move between arrows, Enter selects.", "zh-CN": "Ctrl + 滚轮缩放。Tab 移到箭头上，方向键在箭头之间移动，Enter 选中。" },
  colTime: { en: "Time", "zh-CN": "时间" },
  colFrom: { en: "From", "zh-CN": "发送方" },
  colTo: { en: "To", "zh-CN": "接收方" },
  colMode: { en: "Mode", "zh-CN": "方式" },
  colKind: { en: "Kind", "zh-CN": "类型" },
  colLabel: { en: "Message", "zh-CN": "消息" },
  colStatus: { en: "Status", "zh-CN": "状态" },
  colLatency: { en: "Latency", "zh-CN": "延迟" },
  colBytes: { en: "Bytes", "zh-CN": "字节" },
  colSpan: { en: "Span", "zh-CN": "Span" },
  filterEvents: { en: "Filter trace events", "zh-CN": "筛选追踪事件" },
  filter: { en: "Filter", "zh-CN": "筛选" },
  filterPlaceholder: { en: "path, topic, participant, span…", "zh-CN": "路径、主题、参与者、span…" },
  allModes: { en: "All modes", "zh-CN": "全部方式" },
  allKinds: { en: "All kinds", "zh-CN": "全部类型" },
  tableSummary: {
    en: "{caption}: {shown} of {total} shown, sorted by {column} ({dir}). Arrow keys move between rows, Enter selects.",
    "zh-CN": "{caption}：显示 {shown}/{total} 个，按{column}{dir}排序。方向键在行之间移动，Enter 选中。",
  },
  ascending: { en: "ascending", "zh-CN": "升序" },
  descending: { en: "descending", "zh-CN": "降序" },
  noMatch: { en: "No event matches the filter.", "zh-CN": "没有符合筛选条件的事件。" },
  noEvents: { en: "No events yet.", "zh-CN": "还没有事件。" },
  legend: { en: "Legend", "zh-CN": "图例" },
  legendCall: { en: "call (request)", "zh-CN": "调用（请求）" },
  legendReply: { en: "reply", "zh-CN": "回复" },
  legendAsync: { en: "async / MQTT publish", "zh-CN": "异步 / MQTT 发布" },
  legendAck: { en: "MQTT ack", "zh-CN": "MQTT 确认" },
  legendStream: { en: "stream message", "zh-CN": "流消息" },
  legendNote: { en: "note: work inside a service", "zh-CN": "注释：服务内部的工作" },
  legendError: { en: "✕ error / reset", "zh-CN": "✕ 错误 / 连接重置" },
  legendTimeout: { en: "⏱ timeout", "zh-CN": "⏱ 超时" },
  legendFault: { en: "⚡ fault injected", "zh-CN": "⚡ 注入的故障" },
  legendDeadLetter: { en: "☠ dead letter", "zh-CN": "☠ 死信" },
} as const satisfies Record<string, L10n>;

export type DiagramTextKey = keyof typeof DIAGRAM_TEXT;

/** A trace viewer text in `locale`, `{name}` placeholders filled. */
export const diagramText = textLookup(DIAGRAM_TEXT);

/** `diagramText` in one language, for a component: `const t = diagramTextFor(locale); t("pause")`. */
export function diagramTextFor(locale: Locale): (key: DiagramTextKey, vars?: TextVars) => string {
  return textIn(diagramText, locale);
}
