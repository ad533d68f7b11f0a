/**
 * Small, pure formatting helpers shared by the diagram layout, the exports and
 * the React components. No DOM, no React.
 */
import { EventKind, Mode } from "../gen/lab/v1/trace_pb";
import type { L10n, Locale } from "../lessons/types";

/** A stable, CSS- and file-name-friendly key for each transport mode. */
export type ModeKey = "rest" | "connect" | "grpc-web" | "grpc" | "mqtt" | "local" | "unspecified";

export function modeKey(mode: Mode): ModeKey {
  switch (mode) {
    case Mode.REST:
      return "rest";
    case Mode.CONNECT:
      return "connect";
    case Mode.GRPC_WEB:
      return "grpc-web";
    case Mode.GRPC:
      return "grpc";
    case Mode.MQTT:
      return "mqtt";
    case Mode.LOCAL:
      return "local";
    default:
      return "unspecified";
  }
}

/** Human label of a mode, as the lessons spell it. */
export function modeLabel(mode: Mode): string {
  switch (mode) {
    case Mode.REST:
      return "REST";
    case Mode.CONNECT:
      return "Connect";
    case Mode.GRPC_WEB:
      return "gRPC-web";
    case Mode.GRPC:
      return "gRPC";
    case Mode.MQTT:
      return "MQTT";
    case Mode.LOCAL:
      return "Local";
    default:
      return "Other";
  }
}

/** All modes a learner can meet, in legend order. */
export const MODES_IN_ORDER: readonly Mode[] = [
  Mode.REST,
  Mode.CONNECT,
  Mode.GRPC_WEB,
  Mode.GRPC,
  Mode.MQTT,
  Mode.LOCAL,
];

/** Each event kind's name, in both languages (the filter chips, the table, a step's arrow label). */
const KIND_NAMES: Record<EventKind, L10n> = {
  [EventKind.UNSPECIFIED]: { en: "unspecified", "zh-CN": "未指定" },
  [EventKind.REQUEST_SENT]: { en: "request sent", "zh-CN": "发出请求" },
  [EventKind.REQUEST_RECEIVED]: { en: "request received", "zh-CN": "收到请求" },
  [EventKind.RESPONSE_SENT]: { en: "response sent", "zh-CN": "发出响应" },
  [EventKind.RESPONSE_RECEIVED]: { en: "response received", "zh-CN": "收到响应" },
  [EventKind.STREAM_MESSAGE]: { en: "stream message", "zh-CN": "流消息" },
  [EventKind.MQTT_PACKET]: { en: "MQTT packet", "zh-CN": "MQTT 报文" },
  [EventKind.PROCESSED]: { en: "processed", "zh-CN": "已处理" },
  [EventKind.ERROR]: { en: "error", "zh-CN": "错误" },
  [EventKind.FAULT]: { en: "fault", "zh-CN": "故障" },
  [EventKind.DEAD_LETTER]: { en: "dead letter", "zh-CN": "死信" },
  [EventKind.CONNECTION]: { en: "connection", "zh-CN": "连接" },
};

/** An event kind's name in `locale`. */
export function kindText(kind: EventKind, locale: Locale): string {
  return (KIND_NAMES[kind] ?? KIND_NAMES[EventKind.UNSPECIFIED])[locale];
}

/** An event kind's name in English (exports, search). */
export function kindLabel(kind: EventKind): string {
  return kindText(kind, "en");
}

export const KINDS_IN_ORDER: readonly EventKind[] = [
  EventKind.REQUEST_SENT,
  EventKind.REQUEST_RECEIVED,
  EventKind.RESPONSE_SENT,
  EventKind.RESPONSE_RECEIVED,
  EventKind.STREAM_MESSAGE,
  EventKind.MQTT_PACKET,
  EventKind.PROCESSED,
  EventKind.ERROR,
  EventKind.FAULT,
  EventKind.DEAD_LETTER,
  EventKind.CONNECTION,
];

/**
 * Milliseconds for people: "0.42 ms", "3.2 ms", "120 ms", "1.25 s", "2 min 5 s".
 * Never "NaN": non-finite input gives "–".
 */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return "–";
  const sign = ms < 0 ? "−" : "";
  const a = Math.abs(ms);
  if (a < 1) return `${sign}${trimZeros(a.toFixed(2))} ms`;
  if (a < 10) return `${sign}${trimZeros(a.toFixed(1))} ms`;
  if (a < 1000) return `${sign}${Math.round(a)} ms`;
  if (a < 60_000) {
    const s = a / 1000;
    return `${sign}${trimZeros(s.toFixed(s < 10 ? 2 : 1))} s`;
  }
  const totalS = Math.round(a / 1000);
  const m = Math.floor(totalS / 60);
  const s = totalS % 60;
  return `${sign}${m} min${s ? ` ${s} s` : ""}`;
}

/**
 * A time stamp relative to a trace's start, precise enough to order events:
 * "0.45 ms", "40.9 ms", "1.001 s", "2 min 5.3 s".
 */
export function formatOffset(ms: number): string {
  if (!Number.isFinite(ms)) return "–";
  const sign = ms < 0 ? "−" : "";
  const a = Math.abs(ms);
  if (a < 10) return `${sign}${a.toFixed(2)} ms`;
  if (a < 1000) return `${sign}${a.toFixed(1)} ms`;
  if (a < 60_000) return `${sign}${(a / 1000).toFixed(3)} s`;
  const m = Math.floor(a / 60_000);
  return `${sign}${m} min ${((a - m * 60_000) / 1000).toFixed(1)} s`;
}

function trimZeros(s: string): string {
  return s.includes(".") ? s.replace(/\.?0+$/, "") : s;
}

/** Byte counts: exact below 10 000 ("1234 B"), then KiB/MiB with one decimal. */
export function formatBytes(n: number): string {
  if (!Number.isFinite(n) || n < 0) return "–";
  if (n < 10_000) return `${Math.round(n)} B`;
  if (n < 10 * 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / (1024 * 1024)).toFixed(1)} MiB`;
}

const HTTP_REASONS: Record<number, string> = {
  100: "Continue",
  101: "Switching Protocols",
  200: "OK",
  201: "Created",
  202: "Accepted",
  204: "No Content",
  206: "Partial Content",
  301: "Moved Permanently",
  302: "Found",
  304: "Not Modified",
  307: "Temporary Redirect",
  308: "Permanent Redirect",
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  408: "Request Timeout",
  409: "Conflict",
  410: "Gone",
  412: "Precondition Failed",
  413: "Content Too Large",
  415: "Unsupported Media Type",
  422: "Unprocessable Content",
  429: "Too Many Requests",
  499: "Client Closed Request",
  500: "Internal Server Error",
  501: "Not Implemented",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
};

/** "200 OK", "504 Gateway Timeout", "299" for codes without a well-known reason. */
export function httpStatusText(status: number): string {
  const reason = HTTP_REASONS[status];
  return reason ? `${status} ${reason}` : String(status);
}

/**
 * Shortens an MQTT topic for a label while keeping its informative tail:
 * "lab/s-8f2c/events/order.created" → "…/events/order.created".
 */
export function shortTopic(topic: string, keepLevels = 2): string {
  const levels = topic.split("/");
  if (levels.length <= keepLevels + 1) return topic;
  return `…/${levels.slice(-keepLevels).join("/")}`;
}

// ---------------------------------------------------------------------------
// Text measuring without a DOM.
//
// Widths are in em for DejaVu Sans / Verdana, the widest common UI sans fonts,
// so an estimate is an upper bound for system-ui, Segoe UI, Roboto, Helvetica
// or Arial: a label that fits by this estimate fits on screen.
// ---------------------------------------------------------------------------

const NARROW = new Set("il.,:;|!'`Ij");
const SEMI = new Set("frt()[]{}-/\\\"* ");
const WIDE_LOWER = new Set("mw");
const WIDE_UPPER = new Set("MW@%#&");
const ROUND_UPPER = new Set("OQGDNHCUVAXKYRB");

function charEm(ch: string): number {
  if (NARROW.has(ch)) return 0.32;
  if (SEMI.has(ch)) return 0.42;
  if (ch >= "0" && ch <= "9") return 0.64;
  if (ch >= "a" && ch <= "z") return WIDE_LOWER.has(ch) ? 0.98 : 0.62;
  if (ch >= "A" && ch <= "Z") {
    if (WIDE_UPPER.has(ch)) return 0.99;
    return ROUND_UPPER.has(ch) ? 0.78 : 0.7;
  }
  if (WIDE_UPPER.has(ch)) return 1.0;
  if (ch === "·") return 0.42;
  if (ch === "_" || ch === "=" || ch === "+" || ch === "<" || ch === ">" || ch === "~") return 0.84;
  const code = ch.codePointAt(0) ?? 0;
  if (code < 128) return 0.62;
  // Arrows, symbols, emoji, CJK: assume a full em (or more for emoji).
  return code > 0xffff ? 1.25 : 1.0;
}

/** Estimated rendered width in px of `text` at `fontSize` px. */
export function textWidth(text: string, fontSize: number): number {
  let em = 0;
  for (const ch of text) em += charEm(ch);
  return em * fontSize * 1.04;
}

/**
 * Cuts `text` to fit `maxWidth` px at `fontSize`, ending in "…" when cut.
 * Returns "" when not even the ellipsis fits.
 */
export function truncateToWidth(text: string, maxWidth: number, fontSize: number): string {
  if (textWidth(text, fontSize) <= maxWidth) return text;
  const ell = textWidth("…", fontSize);
  if (ell > maxWidth) return "";
  let w = ell;
  let out = "";
  for (const ch of text) {
    const cw = textWidth(ch, fontSize);
    if (w + cw > maxWidth) break;
    w += cw;
    out += ch;
  }
  return `${out.trimEnd()}…`;
}
