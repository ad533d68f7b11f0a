/**
 * One call for the inspector: take a trace event's captured bytes
 * (`TraceEvent.wire`, proto/lab/v1/trace.proto) and decode every layer the
 * event's mode implies:
 *
 * - MQTT: the control packet(s) (MQTT 3.1.1 §2–3), then a PUBLISH payload;
 * - gRPC / gRPC-web / Connect streaming: the envelope frames, then each
 *   message (protobuf by schema when `rpc.message_type` names one, or JSON);
 * - Connect unary and REST: the bare body.
 *
 * Plus ready-made hex-dump highlights and redactions.
 */

import { createRegistry, type DescMessage } from "@bufbuild/protobuf";
import { file_lab_v1_lab } from "../gen/lab/v1/lab_pb";
import { file_lab_v1_order } from "../gen/lab/v1/order_pb";
import { Mode, file_lab_v1_trace } from "../gen/lab/v1/trace_pb";
import { file_lab_v1_user } from "../gen/lab/v1/user_pb";
import { bodyFormatForContentType, splitEnvelopes, type EnvelopeProtocol, type EnvelopeSplit } from "./envelope";
import type { HexHighlight } from "./hex-dump";
import { envelopeHighlights, mqttHighlights, mqttRedactions, protoHighlights } from "./highlights";
import { decodeMqttPackets, type MqttPacketStream } from "./mqtt-packet";
import { decodeProtobuf, type ProtoMessage } from "./protobuf-wire";
import { decodeUtf8Strict, printableRatio } from "./text";
import type { ByteRange } from "./types";

/** The fields of `lab.v1.TraceEvent` the inspector reads (a `TraceEvent` fits). */
export interface TraceEventWireLike {
  wire: Uint8Array;
  wireTruncated?: boolean;
  mode?: Mode;
  http?: { contentType?: string } | undefined;
  rpc?: { messageType?: string; codec?: string } | undefined;
  mqtt?: { messageType?: string } | undefined;
}

/** How a message body reads. */
export type PayloadView =
  | { kind: "protobuf"; message: ProtoMessage; typeName?: string }
  | { kind: "json"; text: string; value?: unknown; error?: string }
  | { kind: "text"; text: string }
  | { kind: "compressed" }
  | { kind: "empty" };

/** One message carried by the capture. */
export interface InspectedPayload {
  /** Where the message bytes are within `wire`. */
  range: ByteRange;
  /** Envelope frame it came from, if any. */
  frameIndex?: number;
  view: PayloadView;
}

/** Result of {@link inspectTraceEvent}. */
export interface WireInspection {
  /** The captured bytes. */
  bytes: Uint8Array;
  /** The capture was cut (at 4 KiB): decoders will report truncation. */
  truncated: boolean;
  /** Which outer layer was decoded. */
  layout: "empty" | "mqtt" | "envelope" | "bare";
  /** MQTT events: the packets. */
  mqtt?: MqttPacketStream;
  /** Enveloped bodies: the frames. */
  envelope?: EnvelopeSplit;
  /** The messages, in wire order. */
  payloads: InspectedPayload[];
  /** Hex-dump highlights for every layer. */
  highlights: HexHighlight[];
  /** Byte ranges to hide (MQTT passwords). */
  redact: ByteRange[];
  /** Short explanations of choices made ("no schema for …", "compressed", …). */
  notes: string[];
}

/** Options of {@link inspectTraceEvent} and {@link inspectPayload}. */
export interface InspectOptions {
  /** Finds a message descriptor by fully qualified name. Default: the lab.v1 messages. */
  resolveMessage?: (typeName: string) => DescMessage | undefined;
}

let labRegistry: ReturnType<typeof createRegistry> | undefined;

/** Looks a lab.v1 message up by fully qualified name, e.g. "lab.v1.User". */
export function resolveLabMessage(typeName: string): DescMessage | undefined {
  labRegistry ??= createRegistry(file_lab_v1_user, file_lab_v1_order, file_lab_v1_trace, file_lab_v1_lab);
  return labRegistry.getMessage(typeName);
}

/**
 * Decodes a trace event's captured bytes through every layer its mode and
 * content type imply. Never throws; problems show up as `error` fields in
 * the layers and as notes.
 */
export function inspectTraceEvent(event: TraceEventWireLike, options: InspectOptions = {}): WireInspection {
  const bytes = event.wire ?? new Uint8Array(0);
  const out: WireInspection = {
    bytes,
    truncated: event.wireTruncated === true,
    layout: "empty",
    payloads: [],
    highlights: [],
    redact: [],
    notes: [],
  };
  if (out.truncated) out.notes.push("the capture was cut at 4 KiB: the last item is truncated");
  if (bytes.length === 0) {
    out.notes.push("no bytes were captured for this event");
    return out;
  }

  if (event.mode === Mode.MQTT) {
    out.layout = "mqtt";
    const stream = decodeMqttPackets(bytes);
    out.mqtt = stream;
    for (const p of stream.packets) {
      out.highlights.push(...mqttHighlights(p));
      out.redact.push(...mqttRedactions(p));
      if (p.type === 3 && p.payload) {
        const payloadField = p.fields.find((f) => f.name === "Payload");
        const range = { offset: payloadField?.offset ?? 0, length: p.payload.length };
        const typeName = event.mqtt?.messageType || undefined;
        const view = inspectPayload(p.payload, { typeName, baseOffset: range.offset }, options, out.notes);
        out.payloads.push({ range, view });
        if (view.kind === "protobuf") out.highlights.push(...protoHighlights(view.message, "payload."));
      }
    }
    return out;
  }

  const contentType = event.http?.contentType ?? "";
  const format = bodyFormatForContentType(contentType);
  let framing: EnvelopeProtocol | "none" = format?.framing ?? "none";
  if (!format) {
    if (event.mode === Mode.GRPC) framing = "grpc";
    else if (event.mode === Mode.GRPC_WEB) framing = "grpc-web";
  }
  const codecHint = format?.codec ?? (event.rpc?.codec === "json" || event.rpc?.codec === "proto" ? event.rpc.codec : undefined);
  const codec = codecHint ?? (event.mode === Mode.REST ? "json" : undefined);
  const typeName = event.rpc?.messageType || undefined;
  if (format?.base64) {
    out.layout = "bare";
    out.notes.push("gRPC-web-text bodies are base64: not decoded");
    out.payloads.push({ range: { offset: 0, length: bytes.length }, view: { kind: "text", text: decodeUtf8Strict(bytes) ?? "" } });
    return out;
  }

  if (framing === "none") {
    out.layout = "bare";
    const view = inspectPayload(bytes, { codec, typeName, baseOffset: 0 }, options, out.notes);
    out.payloads.push({ range: { offset: 0, length: bytes.length }, view });
    if (view.kind === "protobuf") out.highlights.push(...protoHighlights(view.message));
    return out;
  }

  out.layout = "envelope";
  const split = splitEnvelopes(bytes, framing);
  out.envelope = split;
  out.highlights.push(...envelopeHighlights(split));
  for (const frame of split.frames) {
    if (frame.kind !== "message") continue;
    const range = frame.payload;
    let view: PayloadView;
    if (frame.compressed) {
      view = { kind: "compressed" };
    } else {
      view = inspectPayload(frame.data, { codec, typeName, baseOffset: range.offset }, options, out.notes);
      if (view.kind === "protobuf") out.highlights.push(...protoHighlights(view.message, `frame-${frame.index}.`));
    }
    out.payloads.push({ range, frameIndex: frame.index, view });
  }
  return out;
}

/** What {@link inspectPayload} knows about a message body. */
export interface PayloadHints {
  /** "proto" or "json" when the content type or RpcInfo.codec says; guessed otherwise. */
  codec?: "proto" | "json";
  /** Fully qualified protobuf type, to decode by schema. */
  typeName?: string;
  /** Offset of the body inside the capture. */
  baseOffset?: number;
}

/**
 * Decodes one message body: JSON when the codec says so (or when the bytes
 * parse as a JSON object/array and no codec is known), else protobuf, by
 * schema when `typeName` resolves. Appends explanations to `notes`.
 */
export function inspectPayload(bytes: Uint8Array, hints: PayloadHints, options: InspectOptions = {}, notes: string[] = []): PayloadView {
  if (bytes.length === 0) return { kind: "empty" };
  const text = decodeUtf8Strict(bytes);
  if (hints.codec === "json" || (hints.codec === undefined && text !== undefined && /^\s*[[{]/.test(text))) {
    if (text === undefined) {
      notes.push("JSON body is not valid UTF-8");
      return { kind: "json", text: "", error: "not valid UTF-8" };
    }
    try {
      return { kind: "json", text, value: JSON.parse(text) as unknown };
    } catch (e) {
      if (hints.codec === "json") return { kind: "json", text, error: e instanceof Error ? e.message : String(e) };
    }
  }
  const resolve = options.resolveMessage ?? resolveLabMessage;
  const schema = hints.typeName ? resolve(hints.typeName) : undefined;
  if (hints.typeName && !schema) notes.push(`no schema for ${hints.typeName}: fields decoded without names`);
  const message = decodeProtobuf(bytes, { schema, baseOffset: hints.baseOffset ?? 0 });
  if (message.error && hints.codec === undefined && text !== undefined && printableRatio(text) >= 0.9) {
    return { kind: "text", text };
  }
  return schema ? { kind: "protobuf", message, typeName: schema.typeName } : { kind: "protobuf", message };
}
