/**
 * Pure helpers of the wire inspector panel: which event of an arrow to show,
 * a decode that never throws, the "link targets" that tie a decoded row to
 * its bytes in the hex dump, and small formatters.
 */
import { EventKind, type TraceEvent } from "@/lib/gen/lab/v1/trace_pb";
import {
  byteBreakdown,
  flattenProtoFields,
  inspectTraceEvent,
  type ByteBreakdown,
  type ByteRange,
  type ProtoField,
  type ProtoMessage,
  type WireInspection,
} from "@/lib/wire";

/** The selection as a list: `null` → [], one event → [event]. */
export function toEventList(event: TraceEvent | readonly TraceEvent[] | null | undefined): readonly TraceEvent[] {
  if (event == null) return [];
  if (Array.isArray(event)) return (event as readonly TraceEvent[]).filter((e) => e != null);
  return [event as TraceEvent];
}

function mapSize(m: unknown): number {
  return m && typeof m === "object" ? Object.keys(m).length : 0;
}

/** The server records REQUEST_RECEIVED and RESPONSE_SENT. */
export function isServerSide(e: TraceEvent): boolean {
  return e.kind === EventKind.REQUEST_RECEIVED || e.kind === EventKind.RESPONSE_SENT;
}

/** How much an event can show in the inspector: captured bytes first, then HTTP, RPC, MQTT and counts. */
export function informationScore(e: TraceEvent): number {
  let s = 0;
  const wire = e.wire?.length ?? 0;
  if (wire > 0) s += 1000 + Math.min(wire, 4096) / 64;
  if (e.http) s += 100 + mapSize(e.http.headers) + mapSize(e.http.trailers) + (e.http.contentType ? 1 : 0);
  if (e.rpc) s += 20;
  if (e.mqtt) s += 20;
  const b = e.bytes;
  if (b && b.header + b.body + b.framing > 0) s += 10;
  if (e.error) s += 5;
  if (e.durationMs > 0) s += 2;
  if (isServerSide(e)) s += 1;
  return s;
}

/** Index of the event with the most information (the first one on a tie); -1 for an empty list. */
export function primaryEventIndex(events: readonly TraceEvent[]): number {
  let best = -1;
  let bestScore = -Infinity;
  events.forEach((e, i) => {
    const s = informationScore(e);
    if (s > bestScore) {
      best = i;
      bestScore = s;
    }
  });
  return best;
}

/** A stable identity for a selection, to reset per-selection state. */
export function selectionKey(events: readonly TraceEvent[]): string {
  return events.map((e) => `${e.spanId}|${e.kind}|${e.observer}|${e.timeUnixMs}|${e.streamIndex}|${e.seq}`).join("~");
}

/** An inspection that cannot throw. */
export function safeInspect(event: TraceEvent): { inspection: WireInspection; error?: string } {
  const bytes = event.wire instanceof Uint8Array ? event.wire : new Uint8Array(0);
  try {
    return { inspection: inspectTraceEvent({ ...event, wire: bytes }) };
  } catch (e) {
    return {
      inspection: { bytes, truncated: event.wireTruncated === true, layout: "empty", payloads: [], highlights: [], redact: [], notes: [] },
      error: e instanceof Error ? e.message : String(e),
    };
  }
}

/** A byte breakdown that cannot throw. */
export function safeBreakdown(event: TraceEvent): ByteBreakdown | undefined {
  try {
    return byteBreakdown(event);
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------
// Link targets: a decoded row ↔ its bytes.

/** One row of a decoded view and the bytes it stands for. */
export interface LinkTarget extends ByteRange {
  /** Unique within one inspection. */
  key: string;
  /** Shown under the hex dump when the row is active. */
  label: string;
}

export const protoKey = (prefix: string, field: ProtoField) => `${prefix}@${field.offset}`;
export const mqttKey = (packetOffset: number, index: number) => `mqtt-${packetOffset}-${index}`;
export const frameKey = (index: number) => `frame-${index}`;
export const trailerKey = (offset: number) => `trailer-${offset}`;
/** Prefix of the protobuf rows of a payload (frame index, MQTT payload, or a bare body). */
export const payloadPrefix = (frameIndex: number | undefined, layout: WireInspection["layout"]) =>
  frameIndex !== undefined ? `frame-${frameIndex}.` : layout === "mqtt" ? "payload." : "body.";

export function protoFieldName(field: ProtoField): string {
  return field.schema ? field.schema.name : `field ${field.fieldNumber}`;
}

function protoTargets(message: ProtoMessage, prefix: string, out: LinkTarget[]) {
  for (const { field } of flattenProtoFields(message)) {
    out.push({ key: protoKey(prefix, field), offset: field.offset, length: field.length, label: `${protoFieldName(field)} (field ${field.fieldNumber}, ${field.wireTypeName}): ${field.display}` });
  }
}

/** Every row a decoded view can draw, with its bytes. */
export function linkTargets(inspection: WireInspection): LinkTarget[] {
  const out: LinkTarget[] = [];
  try {
    for (const p of inspection.mqtt?.packets ?? []) {
      p.fields.forEach((f, i) => out.push({ key: mqttKey(p.offset, i), offset: f.offset, length: f.length, label: `${p.typeName} ${f.name}: ${f.sensitive ? "(hidden)" : f.display}` }));
    }
    for (const f of inspection.envelope?.frames ?? []) {
      out.push({ key: frameKey(f.index), offset: f.offset, length: f.length, label: `frame ${f.index} (${f.kind}): flags 0x${hex2(f.flags)}, declared length ${f.declaredLength}` });
      for (const t of f.trailers?.entries ?? []) out.push({ key: trailerKey(t.offset), offset: t.offset, length: t.length, label: `trailer ${t.name}: ${t.value}` });
    }
    for (const p of inspection.payloads) {
      if (p.view.kind === "protobuf") protoTargets(p.view.message, payloadPrefix(p.frameIndex, inspection.layout), out);
    }
  } catch {
    // A half-built list still links what it has.
  }
  return out;
}

/** The innermost (shortest) target covering `offset`. */
export function targetAt(offset: number, targets: readonly LinkTarget[]): LinkTarget | undefined {
  let best: LinkTarget | undefined;
  for (const t of targets) {
    if (offset >= t.offset && offset < t.offset + t.length && (!best || t.length < best.length)) best = t;
  }
  return best;
}

// ---------------------------------------------------------------------------
// Formatting

export function hex2(n: number): string {
  return (n & 0xff).toString(16).padStart(2, "0");
}

/** "0x0a" style offset, at least 2 hex digits. */
export function hexOffset(n: number): string {
  return `0x${Math.max(0, n).toString(16).padStart(2, "0")}`;
}

export function formatBytes(n: number): string {
  return `${Math.round(n).toLocaleString("en-US")} B`;
}

export function formatMs(ms: number): string {
  if (!Number.isFinite(ms) || ms <= 0) return "—";
  if (ms < 10) return `${ms.toFixed(2)} ms`;
  if (ms < 1000) return `${ms.toFixed(1)} ms`;
  return `${(ms / 1000).toFixed(3)} s`;
}

/** "15:06:40.450 UTC" and the full ISO string for a title. */
export function formatTime(unixMs: number): { short: string; iso: string } {
  if (!Number.isFinite(unixMs) || unixMs <= 0) return { short: "—", iso: "" };
  const d = new Date(unixMs);
  if (Number.isNaN(d.getTime())) return { short: "—", iso: "" };
  const iso = d.toISOString();
  return { short: `${iso.slice(11, 23)} UTC`, iso };
}

/** Pretty JSON of a parsed value, falling back on the text as sent. */
export function prettyJson(value: unknown, text: string): string {
  if (value === undefined) return text;
  try {
    return JSON.stringify(value, null, 2) ?? text;
  } catch {
    return text;
  }
}
