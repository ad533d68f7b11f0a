/**
 * Where the bytes of one message went: headers, body, framing. Feeds the
 * stacked bar of the inspector.
 *
 * The counts come from `lab.v1.ByteCounts` (proto/lab/v1/trace.proto):
 * - header: request/status line and headers (HTTP/1.1 exact; HTTP/2 as the
 *   uncompressed header list size of RFC 7541 §4.1, flagged estimated), or
 *   the MQTT fixed + variable header (MQTT 3.1.1 §2.2, §2.3);
 * - body: message body or MQTT payload, without framing;
 * - framing: 5-byte Connect/gRPC prefixes (gRPC PROTOCOL-HTTP2
 *   "Length-Prefixed-Message"), chunked transfer-coding (RFC 9112 §7.1),
 *   the gRPC-web trailer frame.
 */

import { Mode } from "../gen/lab/v1/trace_pb";

/** The three parts of a message, in the order of the bar. */
export type ByteSegmentKey = "header" | "body" | "framing";

/** The fields of `lab.v1.ByteCounts` this module reads (a plain object works too). */
export interface ByteCountsLike {
  header: number;
  body: number;
  framing: number;
  headerEstimated?: boolean;
}

/** The fields of `lab.v1.TraceEvent` this module reads. */
export interface TraceEventBytesLike {
  bytes?: ByteCountsLike | undefined;
  mode?: Mode;
}

/** One part of the bar. */
export interface ByteSegment {
  key: ByteSegmentKey;
  /** Label for the legend, worded for the event's mode ("Headers", "Fixed + variable header", …). */
  label: string;
  /** What the bytes are, one sentence. */
  description: string;
  bytes: number;
  /** Share of the total, 0–100, unrounded (for widths). */
  percent: number;
  /** Whole-number share; the three add up to exactly 100 (largest remainder), or all 0. */
  roundedPercent: number;
  /** The count is an estimate (HTTP/2 headers are HPACK-compressed on the wire). */
  estimated: boolean;
}

/** Result of {@link byteBreakdown}. */
export interface ByteBreakdown {
  /** header + body + framing. */
  total: number;
  /** Always the three segments, header, body, framing, even when 0. */
  segments: ByteSegment[];
  /** Bytes that are not the message itself: header + framing. */
  overheadBytes: number;
  /** overheadBytes / total × 100, unrounded; 0 when total is 0. */
  overheadPercent: number;
  /** Whether any count is estimated. */
  estimated: boolean;
}

const LABELS: Record<"http" | "mqtt", Record<ByteSegmentKey, [string, string]>> = {
  http: {
    header: ["Headers", "Request or status line and header fields"],
    body: ["Body", "The message itself, without framing"],
    framing: ["Framing", "Length prefixes (5 bytes per message), chunked coding, trailer frames"],
  },
  mqtt: {
    header: ["Fixed + variable header", "Packet type, flags, Remaining Length, topic, packet identifier"],
    body: ["Payload", "The application message (or CONNECT/SUBSCRIBE payload fields)"],
    framing: ["Framing", "Transport framing around the packet"],
  },
};

/**
 * Splits an event's byte counts into header, body and framing segments with
 * percentages. Events without counts give a total of 0 and 0% everywhere.
 */
export function byteBreakdown(event: TraceEventBytesLike): ByteBreakdown {
  const counts = event.bytes;
  const header = nonNegative(counts?.header);
  const body = nonNegative(counts?.body);
  const framing = nonNegative(counts?.framing);
  const headerEstimated = counts?.headerEstimated === true;
  const total = header + body + framing;
  const labels = LABELS[event.mode === Mode.MQTT ? "mqtt" : "http"];
  const values: [ByteSegmentKey, number][] = [
    ["header", header],
    ["body", body],
    ["framing", framing],
  ];
  const rounded = largestRemainder(values.map(([, v]) => v), total);
  const segments = values.map(([key, bytes], i): ByteSegment => {
    const [label, description] = labels[key];
    return {
      key,
      label,
      description: key === "header" && headerEstimated ? `${description} (estimated: HPACK compresses them on the wire)` : description,
      bytes,
      percent: total === 0 ? 0 : (bytes / total) * 100,
      roundedPercent: rounded[i],
      estimated: key === "header" && headerEstimated,
    };
  });
  return {
    total,
    segments,
    overheadBytes: header + framing,
    overheadPercent: total === 0 ? 0 : ((header + framing) / total) * 100,
    estimated: headerEstimated,
  };
}

function nonNegative(n: number | undefined): number {
  return typeof n === "number" && Number.isFinite(n) && n > 0 ? n : 0;
}

/** Rounds shares to whole percents adding up to 100 (Hamilton / largest remainder method). */
function largestRemainder(values: number[], total: number): number[] {
  if (total === 0) return values.map(() => 0);
  const exact = values.map((v) => (v / total) * 100);
  const floors = exact.map(Math.floor);
  let left = 100 - floors.reduce((a, b) => a + b, 0);
  const order = exact.map((x, i) => [x - Math.floor(x), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (const [, i] of order) {
    if (left <= 0) break;
    floors[i]++;
    left--;
  }
  return floors;
}
