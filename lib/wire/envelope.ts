/**
 * Length-prefixed message framing ("envelopes") of gRPC, gRPC-web and the
 * Connect streaming protocol.
 *
 * Every frame is: 1 flag byte, a 4-byte big-endian unsigned length, then
 * that many bytes of message.
 *
 * - gRPC, grpc/grpc doc/PROTOCOL-HTTP2.md "Length-Prefixed-Message":
 *   Compressed-Flag (1 byte: 0 or 1) + Message-Length (4 bytes, big endian)
 *   + Message. Bits 1–7 of the flag byte are reserved. Trailers travel as
 *   HTTP/2 HEADERS, never in the body.
 * - gRPC-web, grpc/grpc doc/PROTOCOL-WEB.md: same frames; the MSB of the
 *   flag byte (0x80) marks the trailers frame, whose payload is an HTTP/1
 *   header block ("name: value\r\n" lines) carrying grpc-status and
 *   grpc-message.
 * - Connect streaming, connectrpc.com/docs/protocol "Streaming-Request" /
 *   "Streaming-Response": flag 0x01 = compressed, 0x02 = EndStreamResponse,
 *   a JSON object {"error"?: {code, message, details}, "metadata"?: {...}}.
 *
 * Connect unary calls have no envelope: the body is the bare message.
 */

import { decodeUtf8Lenient, decodeUtf8Strict } from "./text";
import type { ByteRange, WireError } from "./types";

/** The three length-prefixed framings. */
export type EnvelopeProtocol = "grpc" | "grpc-web" | "connect";

/** What a frame carries. */
export type FrameKind = "message" | "trailers" | "end-stream";

/** Size of the prefix: 1 flag byte + 4 length bytes. */
export const ENVELOPE_PREFIX_BYTES = 5;

/** One "name: value" line of a gRPC-web trailers frame. */
export interface TrailerEntry {
  /** Header name, lower-cased (HTTP field names are case-insensitive, RFC 9110 §5.1). */
  name: string;
  /** Value with surrounding whitespace removed. */
  value: string;
  /** Offset of the line's first byte. */
  offset: number;
  /** Bytes of the line, without its line terminator. */
  length: number;
}

/** The parsed payload of a gRPC-web trailers frame (PROTOCOL-WEB.md). */
export interface GrpcWebTrailers {
  /** Every trailer in wire order. */
  entries: TrailerEntry[];
  /** The grpc-status trailer, a gRPC status code (grpc/grpc doc/statuscodes.md). */
  grpcStatus?: number;
  /** Name of the status code, e.g. "OK", "NOT_FOUND". */
  grpcStatusName?: string;
  /** The grpc-message trailer, percent-decoded (PROTOCOL-HTTP2.md "Status-Message"). */
  grpcMessage?: string;
  /** Lines that are not "name: value". */
  error?: WireError;
}

/** A Connect error, as in the JSON of an EndStreamResponse (connectrpc.com/docs/protocol "Error"). */
export interface ConnectErrorJson {
  /** Connect code in its string form, e.g. "not_found". */
  code: string;
  message?: string;
  /** Error details, as sent (objects with "type" and base64 "value"). */
  details?: unknown[];
}

/** The parsed payload of a Connect end-of-stream frame. */
export interface ConnectEndStream {
  /** Present when the stream ended with an error. */
  error?: ConnectErrorJson;
  /** Trailing metadata: name → values. */
  metadata?: Record<string, string[]>;
  /** The JSON text as sent. */
  text: string;
  /** Why the payload could not be parsed (not JSON, not an object, …). */
  parseError?: string;
}

/** One frame of a length-prefixed body. */
export interface EnvelopeFrame {
  /** 0-based position of the frame in the body. */
  index: number;
  /** Offset of the flag byte. */
  offset: number;
  /** Bytes of the frame present in the input: prefix + actual payload. */
  length: number;
  /** Where the 5-byte prefix is. */
  prefix: ByteRange;
  /** The flag byte. */
  flags: number;
  /** Names of the set flag bits: "compressed", "trailers", "end-stream"; "reserved 0x.." for undefined bits. */
  flagNames: string[];
  /** Bits of the flag byte this protocol does not define. */
  unknownFlags: number;
  /** Whether the payload is compressed (flag bit 0 in all three protocols). */
  compressed: boolean;
  /** Message, gRPC-web trailers, or Connect end-of-stream. */
  kind: FrameKind;
  /** Length from the 4-byte big-endian field. */
  declaredLength: number;
  /** Payload bytes present in the input (less than declared when truncated). */
  actualLength: number;
  /** The input ends before the declared length. */
  truncated: boolean;
  /** Where the payload is. */
  payload: ByteRange;
  /** The payload bytes, a view into the input. */
  data: Uint8Array;
  /** gRPC-web trailers frame, uncompressed: its parsed trailers. */
  trailers?: GrpcWebTrailers;
  /** Connect end-of-stream frame, uncompressed: its parsed JSON. */
  endStream?: ConnectEndStream;
  /** Something the learner should know, e.g. "compressed: payload not decoded". */
  note?: string;
}

/** Result of {@link splitEnvelopes}. */
export interface EnvelopeSplit {
  protocol: EnvelopeProtocol;
  frames: EnvelopeFrame[];
  /** Prefix bytes in total (5 per frame). */
  framingBytes: number;
  /** Payload bytes present in total. */
  payloadBytes: number;
  /** Set when the body ends inside a 5-byte prefix, or a frame is truncated. */
  error?: WireError;
}

/** Options of {@link splitEnvelopes}. */
export interface SplitEnvelopesOptions {
  /** Added to every reported offset. Default 0. */
  baseOffset?: number;
}

/**
 * Splits a gRPC, gRPC-web or Connect streaming body into its frames.
 *
 * Never throws. A capture that ends mid-frame (e.g. cut at 4 KiB) gives a
 * last frame with `truncated: true`; one that ends inside a prefix gives
 * `error`.
 */
export function splitEnvelopes(bytes: Uint8Array, protocol: EnvelopeProtocol, options: SplitEnvelopesOptions = {}): EnvelopeSplit {
  const base = options.baseOffset ?? 0;
  const frames: EnvelopeFrame[] = [];
  let framingBytes = 0;
  let payloadBytes = 0;
  let error: WireError | undefined;
  let pos = 0;
  while (pos < bytes.length) {
    const left = bytes.length - pos;
    if (left < ENVELOPE_PREFIX_BYTES) {
      error = {
        offset: base + pos,
        reason: `truncated: ${left} byte${left === 1 ? "" : "s"} left, not enough for a 5-byte frame prefix (flags + 4-byte length)`,
      };
      break;
    }
    const flags = bytes[pos];
    // Message-Length is a 32-bit unsigned big-endian integer.
    const declared = ((bytes[pos + 1] << 24) | (bytes[pos + 2] << 16) | (bytes[pos + 3] << 8) | bytes[pos + 4]) >>> 0;
    const payloadStart = pos + ENVELOPE_PREFIX_BYTES;
    const actual = Math.min(declared, bytes.length - payloadStart);
    const truncated = actual < declared;
    const { names, unknown, kind } = describeFlags(flags, protocol);
    const data = bytes.subarray(payloadStart, payloadStart + actual);
    const frame: EnvelopeFrame = {
      index: frames.length,
      offset: base + pos,
      length: ENVELOPE_PREFIX_BYTES + actual,
      prefix: { offset: base + pos, length: ENVELOPE_PREFIX_BYTES },
      flags,
      flagNames: names,
      unknownFlags: unknown,
      compressed: (flags & 0x01) !== 0,
      kind,
      declaredLength: declared,
      actualLength: actual,
      truncated,
      payload: { offset: base + payloadStart, length: actual },
      data,
    };
    const notes: string[] = [];
    if (unknown !== 0) notes.push(`undefined flag bits 0x${unknown.toString(16).padStart(2, "0")} set`);
    if (frame.compressed) notes.push("compressed: payload not decoded (the encoding is in the grpc-encoding / connect-content-encoding header)");
    if (truncated) notes.push(`truncated: ${declared - actual} of ${declared} declared bytes missing`);
    if (!frame.compressed && kind === "trailers") frame.trailers = parseGrpcWebTrailers(data, base + payloadStart);
    if (!frame.compressed && kind === "end-stream") frame.endStream = parseConnectEndStream(data);
    if (notes.length > 0) frame.note = notes.join("; ");
    frames.push(frame);
    framingBytes += ENVELOPE_PREFIX_BYTES;
    payloadBytes += actual;
    if (truncated) {
      error = { offset: base + pos, reason: `truncated: frame ${frame.index} declares ${declared} bytes but only ${actual} are present` };
    }
    pos = payloadStart + actual;
  }
  const result: EnvelopeSplit = { protocol, frames, framingBytes, payloadBytes };
  if (error) result.error = error;
  return result;
}

function describeFlags(flags: number, protocol: EnvelopeProtocol): { names: string[]; unknown: number; kind: FrameKind } {
  const names: string[] = [];
  let known = 0x01;
  let kind: FrameKind = "message";
  if (flags & 0x01) names.push("compressed");
  if (protocol === "grpc-web") {
    known |= 0x80;
    if (flags & 0x80) {
      names.push("trailers");
      kind = "trailers";
    }
  } else if (protocol === "connect") {
    known |= 0x02;
    if (flags & 0x02) {
      names.push("end-stream");
      kind = "end-stream";
    }
  }
  const unknown = flags & ~known & 0xff;
  for (let bit = 0x01; bit <= 0x80; bit <<= 1) {
    if (unknown & bit) names.push(`reserved 0x${bit.toString(16).padStart(2, "0")}`);
  }
  return { names, unknown, kind };
}

/** gRPC status code → name (grpc/grpc doc/statuscodes.md). */
export const GRPC_STATUS_NAMES: readonly string[] = [
  "OK",
  "CANCELLED",
  "UNKNOWN",
  "INVALID_ARGUMENT",
  "DEADLINE_EXCEEDED",
  "NOT_FOUND",
  "ALREADY_EXISTS",
  "PERMISSION_DENIED",
  "RESOURCE_EXHAUSTED",
  "FAILED_PRECONDITION",
  "ABORTED",
  "OUT_OF_RANGE",
  "UNIMPLEMENTED",
  "INTERNAL",
  "UNAVAILABLE",
  "DATA_LOSS",
  "UNAUTHENTICATED",
];

/**
 * Parses the payload of a gRPC-web trailers frame: an HTTP/1 header block,
 * "name: value" lines ended by CRLF (a bare LF is tolerated).
 */
export function parseGrpcWebTrailers(bytes: Uint8Array, baseOffset = 0): GrpcWebTrailers {
  const out: GrpcWebTrailers = { entries: [] };
  let lineStart = 0;
  while (lineStart < bytes.length) {
    let lineEnd = bytes.indexOf(0x0a, lineStart);
    const next = lineEnd === -1 ? bytes.length : lineEnd + 1;
    if (lineEnd === -1) lineEnd = bytes.length;
    let contentEnd = lineEnd;
    if (contentEnd > lineStart && bytes[contentEnd - 1] === 0x0d) contentEnd--;
    const line = decodeUtf8Lenient(bytes.subarray(lineStart, contentEnd));
    if (line.length > 0) {
      const colon = line.indexOf(":");
      if (colon <= 0) {
        out.error ??= { offset: baseOffset + lineStart, reason: `trailer line is not "name: value": ${JSON.stringify(line)}` };
      } else {
        out.entries.push({
          name: line.slice(0, colon).trim().toLowerCase(),
          value: line.slice(colon + 1).trim(),
          offset: baseOffset + lineStart,
          length: contentEnd - lineStart,
        });
      }
    }
    lineStart = next;
  }
  const status = out.entries.find((e) => e.name === "grpc-status");
  if (status && /^\d+$/.test(status.value)) {
    out.grpcStatus = Number(status.value);
    out.grpcStatusName = GRPC_STATUS_NAMES[out.grpcStatus] ?? `unknown status ${out.grpcStatus}`;
  }
  const message = out.entries.find((e) => e.name === "grpc-message");
  if (message) out.grpcMessage = percentDecode(message.value);
  return out;
}

function percentDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/**
 * Parses the JSON of a Connect EndStreamResponse:
 * `{"error": {"code": "...", "message": "...", "details": [...]}, "metadata": {"name": ["value"]}}`.
 * Both members are optional.
 */
export function parseConnectEndStream(bytes: Uint8Array): ConnectEndStream {
  const strict = decodeUtf8Strict(bytes);
  const text = strict ?? decodeUtf8Lenient(bytes);
  const out: ConnectEndStream = { text };
  if (strict === undefined) {
    out.parseError = "payload is not valid UTF-8";
    return out;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    out.parseError = `not JSON: ${e instanceof Error ? e.message : String(e)}`;
    return out;
  }
  if (json === null || typeof json !== "object" || Array.isArray(json)) {
    out.parseError = "the end-of-stream JSON must be an object";
    return out;
  }
  const obj = json as Record<string, unknown>;
  const err = obj.error;
  if (err !== undefined && err !== null) {
    if (typeof err === "object" && !Array.isArray(err)) {
      const e = err as Record<string, unknown>;
      const ce: ConnectErrorJson = { code: typeof e.code === "string" ? e.code : "unknown" };
      if (typeof e.message === "string") ce.message = e.message;
      if (Array.isArray(e.details)) ce.details = e.details;
      out.error = ce;
    } else {
      out.parseError = '"error" must be an object';
    }
  }
  const md = obj.metadata;
  if (md !== undefined && md !== null) {
    if (typeof md === "object" && !Array.isArray(md)) {
      const metadata: Record<string, string[]> = {};
      for (const [k, v] of Object.entries(md as Record<string, unknown>)) {
        metadata[k] = Array.isArray(v) ? v.map((x) => String(x)) : [String(v)];
      }
      out.metadata = metadata;
    } else {
      out.parseError ??= '"metadata" must be an object';
    }
  }
  return out;
}

/**
 * Builds one frame: flag byte, 4-byte big-endian length, payload. For
 * teaching and tests; the lab's transports frame their own messages.
 */
export function encodeEnvelope(flags: number, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(ENVELOPE_PREFIX_BYTES + payload.length);
  out[0] = flags & 0xff;
  new DataView(out.buffer).setUint32(1, payload.length, false);
  out.set(payload, ENVELOPE_PREFIX_BYTES);
  return out;
}

/** How a body is framed and encoded, from its Content-Type. */
export interface BodyFormat {
  /** Envelope framing, or "none" for Connect unary and plain HTTP bodies. */
  framing: EnvelopeProtocol | "none";
  /** Message codec, when the content type says. */
  codec?: "proto" | "json";
  /** gRPC-web-text: the body is base64 text, decode it before splitting (not done by this library). */
  base64?: boolean;
}

/**
 * Reads a Content-Type the way the lab's protocols use it:
 * application/grpc[+proto|+json] (PROTOCOL-HTTP2.md), application/grpc-web[+proto|+json]
 * and application/grpc-web-text (PROTOCOL-WEB.md), application/connect+proto|+json
 * (Connect streaming), application/proto and application/json (Connect unary, REST).
 * Returns `undefined` for anything else.
 */
export function bodyFormatForContentType(contentType: string): BodyFormat | undefined {
  const mime = contentType.split(";")[0].trim().toLowerCase();
  const plus = mime.indexOf("+");
  const main = plus === -1 ? mime : mime.slice(0, plus);
  const suffix = plus === -1 ? "" : mime.slice(plus + 1);
  const codec = suffix === "json" ? "json" : suffix === "proto" || suffix === "" ? "proto" : undefined;
  switch (main) {
    case "application/grpc":
      return codec ? { framing: "grpc", codec } : { framing: "grpc" };
    case "application/grpc-web":
      return codec ? { framing: "grpc-web", codec } : { framing: "grpc-web" };
    case "application/grpc-web-text":
      return codec ? { framing: "grpc-web", codec, base64: true } : { framing: "grpc-web", base64: true };
    case "application/connect":
      return suffix === "json" || suffix === "proto" ? { framing: "connect", codec: suffix } : { framing: "connect" };
    case "application/proto":
    case "application/protobuf":
    case "application/x-protobuf":
      return { framing: "none", codec: "proto" };
    case "application/json":
      return { framing: "none", codec: "json" };
  }
  return undefined;
}
