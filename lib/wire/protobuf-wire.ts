/**
 * Field-by-field decoding of the protobuf binary wire format, with or without
 * a schema.
 *
 * Spec: "Encoding" guide, https://protobuf.dev/programming-guides/encoding/
 *
 *   message  := (tag value)*
 *   tag      := (field_number << 3) | wire_type, encoded as a varint
 *   wire type 0 VARINT  int32, int64, uint32, uint64, sint32, sint64, bool, enum
 *   wire type 1 I64     fixed64, sfixed64, double (8 bytes, little-endian)
 *   wire type 2 LEN     string, bytes, embedded messages, packed repeated fields
 *                       (a varint length, then that many bytes)
 *   wire type 3 SGROUP  group start (deprecated)
 *   wire type 4 EGROUP  group end (deprecated)
 *   wire type 5 I32     fixed32, sfixed32, float (4 bytes, little-endian)
 *
 * Without a schema the bytes alone do not say whether a varint is an int64,
 * a sint64 (ZigZag) or a bool, nor whether a LEN field holds a string, bytes
 * or a nested message, so the decoder reports every interpretation and makes
 * a documented guess. With a schema (`DescMessage` from @bufbuild/protobuf)
 * it labels each field and interprets it exactly.
 */

import { ScalarType } from "@bufbuild/protobuf";
import type { DescEnum, DescField, DescMessage } from "@bufbuild/protobuf";
import { decodeUtf8Lenient, decodeUtf8Strict, printableRatio, toHex } from "./text";
import { toWireError, WireDecodeFailure, type ByteRange, type WireError } from "./types";

/** The wire types this decoder accepts (encoding guide, "Message Structure"). */
export type WireType = 0 | 1 | 2 | 5;

/** Names of the wire types as the encoding guide spells them. */
export type WireTypeName = "VARINT" | "I64" | "LEN" | "I32";

/** Wire type number → name, including the group types this decoder rejects. */
export const WIRE_TYPE_NAMES: Readonly<Record<number, string>> = {
  0: "VARINT",
  1: "I64",
  2: "LEN",
  3: "SGROUP",
  4: "EGROUP",
  5: "I32",
};

/**
 * Largest field number: 2^29 - 1 (language guide, "Assigning Field Numbers").
 */
export const MAX_FIELD_NUMBER = 0x1fffffff;

/** One element of a packed repeated field (encoding guide, "Packed Repeated Fields"). */
export interface PackedElement {
  /** Offset of the element's first byte. */
  offset: number;
  /** Bytes of the element. */
  length: number;
  /** The element read as its wire type says. */
  value: VarintValue | I64Value | I32Value;
  /** The element as the schema's type says. */
  typed?: TypedValue;
  /** A short rendering for tables. */
  display: string;
}

/** A VARINT read three ways (encoding guide, "Base 128 Varints" and "Signed Integers"). */
export interface VarintValue {
  kind: "varint";
  /** As uint64. */
  unsigned: bigint;
  /** As int64, two's complement: how int32 and int64 store negatives (10 bytes). */
  signed: bigint;
  /** ZigZag-decoded, as sint32/sint64 store numbers: 0→0, 1→-1, 2→1, 3→-2, … */
  zigzag: bigint;
}

/** An I64 read as fixed64, sfixed64 and double (little-endian). */
export interface I64Value {
  kind: "i64";
  unsigned: bigint;
  signed: bigint;
  double: number;
}

/** An I32 read as fixed32, sfixed32 and float (little-endian). */
export interface I32Value {
  kind: "i32";
  unsigned: number;
  signed: number;
  float: number;
}

/** A LEN value that was decoded as an embedded message. */
export interface MessageValue {
  kind: "message";
  message: ProtoMessage;
}

/** A LEN value that was decoded as UTF-8 text. */
export interface StringValue {
  kind: "string";
  text: string;
}

/** A LEN value left as raw bytes (see `ProtoField.raw`). */
export interface BytesValue {
  kind: "bytes";
}

/** A LEN value that the schema says is a packed repeated scalar. */
export interface PackedValue {
  kind: "packed";
  elements: PackedElement[];
}

/** What a field's value bytes were decoded as. */
export type ProtoValue = VarintValue | I64Value | I32Value | MessageValue | StringValue | BytesValue | PackedValue;

/** The value as the schema types it (schema-aware mode only). */
export interface TypedValue {
  /** Protobuf type name: "int64", "string", "lab.v1.Mode", "lab.v1.User", … */
  type: string;
  /**
   * The value: bigint for 64-bit integers, number for 32-bit integers, enums
   * and floating point, boolean, string, Uint8Array for bytes; absent for
   * messages (see `ProtoField.decoded`).
   */
  value?: bigint | number | boolean | string | Uint8Array;
  /** For enums: the name of the value, when the enum defines it. */
  enumName?: string;
}

/** What the schema says about a field (schema-aware mode only). */
export interface ProtoFieldSchema {
  /** Field name as in the .proto file, e.g. "user_id"; "key"/"value" inside map entries. */
  name: string;
  /** JSON name, e.g. "userId". */
  jsonName: string;
  /** Type as one would write it in a .proto file: "int64", "lab.v1.User", "map<string, string>". */
  type: string;
  /** Scalar, enum, message, or map. */
  kind: "scalar" | "enum" | "message" | "map";
  /** Whether the field is `repeated` (each occurrence on the wire is one element, or a packed run). */
  repeated: boolean;
}

/** One field (one tag + value) of a message on the wire. */
export interface ProtoField {
  /** Field number from the tag (tag >> 3). */
  fieldNumber: number;
  /** Wire type from the tag (tag & 7). */
  wireType: WireType;
  /** Name of the wire type. */
  wireTypeName: WireTypeName;
  /** Offset of the tag's first byte: the field starts here. */
  offset: number;
  /** Bytes of the whole field: tag, length prefix (LEN) and value. */
  length: number;
  /** Where the tag varint is. */
  tag: ByteRange;
  /** LEN only: where the length varint is. */
  lengthPrefix?: ByteRange;
  /** Where the value is; for LEN this is the payload after the length prefix. */
  value: ByteRange;
  /** The value bytes (the payload for LEN), a view into the input. */
  raw: Uint8Array;
  /** The value decoded from the wire (and, with a schema, as the schema says for LEN). */
  decoded: ProtoValue;
  /** Schema-aware mode: the value as the schema types it. */
  typed?: TypedValue;
  /** Schema-aware mode: the field's declaration; absent for unknown fields. */
  schema?: ProtoFieldSchema;
  /** Schema-aware mode: the field number is not in the schema (an "unknown field"). */
  unknown?: boolean;
  /** A short rendering of the value for tables: `150`, `"Ada"`, `{3 fields}`, … */
  display: string;
  /** Anything surprising: an ambiguous guess, a wire type that does not match the schema, … */
  note?: string;
}

/** A decoded message: its fields in wire order. */
export interface ProtoMessage {
  /** Fully qualified message type when decoded with a schema, e.g. "lab.v1.User". */
  typeName?: string;
  /** Offset of the message's first byte. */
  offset: number;
  /** Bytes of the message. */
  length: number;
  /** Fields in the order they appear on the wire (the last one wins for singular fields). */
  fields: ProtoField[];
  /**
   * Set when the bytes are malformed: the fields before the error are kept.
   * On the top-level result this is also set when a nested message decoded
   * by schema is malformed (the first error found, in wire order).
   */
  error?: WireError;
}

/** Options of {@link decodeProtobuf}. */
export interface DecodeProtobufOptions {
  /**
   * Message descriptor (e.g. `UserSchema` from lib/gen/lab/v1/user_pb) to
   * label and type the fields. Without it the decoder guesses.
   */
  schema?: DescMessage;
  /** Added to every reported offset (the position of `bytes` inside a larger capture). Default 0. */
  baseOffset?: number;
  /**
   * How deep embedded messages are followed. protobuf's own parsers stop at
   * 100; guessing without a schema stops earlier. Default 64.
   */
  maxDepth?: number;
}

/**
 * Decodes protobuf binary bytes field by field.
 *
 * Never throws: malformed input (truncated varints or LEN values, field
 * number 0, wire types 3/4/6/7) yields `error` with the offset and reason,
 * plus every field decoded before it.
 *
 * Without `schema`, a LEN value is shown, in this order of preference, as an
 * embedded message (only if it parses completely, has at least one field,
 * uses no reserved field number 19000–19999, and is not all printable text),
 * as a string (valid UTF-8, at least 90% printable), else as bytes.
 *
 * @example decodeProtobuf(toBinary(UserSchema, user), { schema: UserSchema })
 */
export function decodeProtobuf(bytes: Uint8Array, options: DecodeProtobufOptions = {}): ProtoMessage {
  const ctx: Ctx = {
    buf: bytes,
    base: options.baseOffset ?? 0,
    maxDepth: options.maxDepth ?? 64,
  };
  const spec = options.schema ? messageSpec(options.schema) : undefined;
  const msg = decodeMessage(ctx, 0, bytes.length, 0, spec);
  if (!msg.error) {
    const nested = firstNestedError(msg);
    if (nested) msg.error = nested;
  }
  return msg;
}

/** One row of {@link flattenProtoFields}: a field and where it sits in the tree. */
export interface FlatProtoField {
  field: ProtoField;
  /** 0 for top-level fields, 1 inside an embedded message, … */
  depth: number;
  /** Field names (or numbers, without a schema) from the root, e.g. ["user", "name"] or ["1", "2"]. */
  path: string[];
}

/**
 * Lists every field of a decoded message depth-first (a field, then the
 * fields of its embedded message), for tables and hex-dump highlighting.
 */
export function flattenProtoFields(message: ProtoMessage): FlatProtoField[] {
  const out: FlatProtoField[] = [];
  const walk = (m: ProtoMessage, depth: number, prefix: string[]) => {
    for (const field of m.fields) {
      const path = [...prefix, field.schema?.name ?? String(field.fieldNumber)];
      out.push({ field, depth, path });
      if (field.decoded.kind === "message") walk(field.decoded.message, depth + 1, path);
    }
  };
  walk(message, 0, []);
  return out;
}

/**
 * Decodes a varint at `offset` (encoding guide, "Base 128 Varints"): up to
 * 10 bytes, 7 bits each, least significant group first, MSB = "more bytes".
 * Returns the value and the number of bytes, or an error.
 */
export function readVarint(bytes: Uint8Array, offset = 0): { value: bigint; length: number } | { error: WireError } {
  try {
    const r = varintAt(bytes, offset, bytes.length, "varint");
    return { value: r.value, length: r.next - offset };
  } catch (e) {
    return { error: toWireError(e, offset) };
  }
}

/** ZigZag decoding of sint32/sint64 (encoding guide, "Signed Integers"): (n >> 1) ^ -(n & 1). */
export function zigzagDecode(n: bigint): bigint {
  const u = BigInt.asUintN(64, n);
  return (u >> 1n) ^ -(u & 1n);
}

/** ZigZag encoding, the inverse of {@link zigzagDecode}: (n << 1) ^ (n >> 63). */
export function zigzagEncode(n: bigint): bigint {
  const s = BigInt.asIntN(64, n);
  return BigInt.asUintN(64, (s << 1n) ^ (s >> 63n));
}

// ---------------------------------------------------------------------------
// Internals

interface Ctx {
  buf: Uint8Array;
  base: number;
  maxDepth: number;
}

/** What the decoder needs to know about a field; map entries get synthetic ones. */
interface FieldSpec {
  schema: ProtoFieldSchema;
  scalar?: ScalarType;
  enumDesc?: DescEnum;
  message?: MessageSpec;
}

interface MessageSpec {
  typeName: string;
  field(n: number): FieldSpec | undefined;
}

const specCache = new WeakMap<DescMessage, MessageSpec>();

function messageSpec(desc: DescMessage): MessageSpec {
  const cached = specCache.get(desc);
  if (cached) return cached;
  const byNumber = new Map<number, FieldSpec | null>();
  const spec: MessageSpec = {
    typeName: desc.typeName,
    field(n) {
      if (!byNumber.has(n)) {
        const f = desc.fields.find((x) => x.number === n);
        byNumber.set(n, f ? fieldSpec(f) : null);
      }
      return byNumber.get(n) ?? undefined;
    },
  };
  specCache.set(desc, spec);
  return spec;
}

function fieldSpec(f: DescField): FieldSpec {
  const base = { name: f.name, jsonName: f.jsonName };
  switch (f.fieldKind) {
    case "scalar":
      return { schema: { ...base, type: scalarName(f.scalar), kind: "scalar", repeated: false }, scalar: f.scalar };
    case "enum":
      return { schema: { ...base, type: f.enum.typeName, kind: "enum", repeated: false }, enumDesc: f.enum };
    case "message":
      return { schema: { ...base, type: f.message.typeName, kind: "message", repeated: false }, message: messageSpec(f.message) };
    case "list":
      switch (f.listKind) {
        case "scalar":
          return { schema: { ...base, type: scalarName(f.scalar), kind: "scalar", repeated: true }, scalar: f.scalar };
        case "enum":
          return { schema: { ...base, type: f.enum.typeName, kind: "enum", repeated: true }, enumDesc: f.enum };
        case "message":
          return {
            schema: { ...base, type: f.message.typeName, kind: "message", repeated: true },
            message: messageSpec(f.message),
          };
      }
      break;
    case "map": {
      // A map field is on the wire a repeated message with key = 1 and
      // value = 2 (language guide, "Maps" → "Backwards compatibility").
      const key: FieldSpec = {
        schema: { name: "key", jsonName: "key", type: scalarName(f.mapKey), kind: "scalar", repeated: false },
        scalar: f.mapKey,
      };
      let value: FieldSpec;
      let valueType: string;
      switch (f.mapKind) {
        case "scalar":
          valueType = scalarName(f.scalar);
          value = { schema: { name: "value", jsonName: "value", type: valueType, kind: "scalar", repeated: false }, scalar: f.scalar };
          break;
        case "enum":
          valueType = f.enum.typeName;
          value = { schema: { name: "value", jsonName: "value", type: valueType, kind: "enum", repeated: false }, enumDesc: f.enum };
          break;
        case "message":
          valueType = f.message.typeName;
          value = {
            schema: { name: "value", jsonName: "value", type: valueType, kind: "message", repeated: false },
            message: messageSpec(f.message),
          };
          break;
      }
      const type = `map<${scalarName(f.mapKey)}, ${valueType}>`;
      const entry: MessageSpec = {
        typeName: `${type} entry`,
        field: (n) => (n === 1 ? key : n === 2 ? value : undefined),
      };
      return { schema: { ...base, type, kind: "map", repeated: true }, message: entry };
    }
  }
  // Unreachable for well-formed descriptors; keeps TypeScript's flow analysis honest.
  return { schema: { ...base, type: "unknown", kind: "scalar", repeated: false } };
}

const SCALAR_NAMES: Record<ScalarType, string> = {
  [ScalarType.DOUBLE]: "double",
  [ScalarType.FLOAT]: "float",
  [ScalarType.INT64]: "int64",
  [ScalarType.UINT64]: "uint64",
  [ScalarType.INT32]: "int32",
  [ScalarType.FIXED64]: "fixed64",
  [ScalarType.FIXED32]: "fixed32",
  [ScalarType.BOOL]: "bool",
  [ScalarType.STRING]: "string",
  [ScalarType.BYTES]: "bytes",
  [ScalarType.UINT32]: "uint32",
  [ScalarType.SFIXED32]: "sfixed32",
  [ScalarType.SFIXED64]: "sfixed64",
  [ScalarType.SINT32]: "sint32",
  [ScalarType.SINT64]: "sint64",
};

function scalarName(t: ScalarType): string {
  return SCALAR_NAMES[t] ?? `scalar(${t})`;
}

/** The wire type a scalar is written with (encoding guide, table in "Message Structure"). */
function scalarWireType(t: ScalarType): WireType {
  switch (t) {
    case ScalarType.DOUBLE:
    case ScalarType.FIXED64:
    case ScalarType.SFIXED64:
      return 1;
    case ScalarType.FLOAT:
    case ScalarType.FIXED32:
    case ScalarType.SFIXED32:
      return 5;
    case ScalarType.STRING:
    case ScalarType.BYTES:
      return 2;
    default:
      return 0;
  }
}

function expectedWireType(spec: FieldSpec): WireType {
  if (spec.message) return 2;
  if (spec.enumDesc) return 0;
  return spec.scalar !== undefined ? scalarWireType(spec.scalar) : 2;
}

function varintAt(buf: Uint8Array, pos: number, end: number, what: string): { value: bigint; next: number } {
  let result = 0n;
  let shift = 0n;
  for (let i = 0; i < 10; i++) {
    const p = pos + i;
    if (p >= end) {
      throw new WireDecodeFailure(pos, `truncated ${what}: the varint continues past the end of the data (${i} byte${i === 1 ? "" : "s"} read)`);
    }
    const b = buf[p];
    // The 10th byte may only carry bit 63.
    if (i === 9 && b > 1) throw new WireDecodeFailure(pos, `${what} is a varint longer than 64 bits`);
    result |= BigInt(b & 0x7f) << shift;
    if ((b & 0x80) === 0) return { value: result, next: p + 1 };
    shift += 7n;
  }
  // Not reachable: the 10th byte either ends the varint or fails above.
  throw new WireDecodeFailure(pos, `${what} is a varint longer than 10 bytes`);
}

function decodeMessage(ctx: Ctx, start: number, end: number, depth: number, spec: MessageSpec | undefined): ProtoMessage {
  const msg: ProtoMessage = { offset: ctx.base + start, length: end - start, fields: [] };
  if (spec) msg.typeName = spec.typeName;
  let pos = start;
  try {
    while (pos < end) {
      const field = decodeField(ctx, pos, end, depth, spec);
      msg.fields.push(field);
      pos = field.offset - ctx.base + field.length;
    }
  } catch (e) {
    msg.error = toWireError(e, ctx.base + pos);
  }
  return msg;
}

function decodeField(ctx: Ctx, start: number, end: number, depth: number, spec: MessageSpec | undefined): ProtoField {
  const { buf, base } = ctx;
  const tag = varintAt(buf, start, end, "tag");
  if (tag.value > 0xffffffffn) throw new WireDecodeFailure(base + start, "tag does not fit in 32 bits");
  const fieldNumber = Number(tag.value >> 3n);
  const wt = Number(tag.value & 7n);
  if (fieldNumber === 0) throw new WireDecodeFailure(base + start, "field number 0 is not allowed (tag byte 0x00 usually means garbage or padding)");
  if (fieldNumber > MAX_FIELD_NUMBER) {
    throw new WireDecodeFailure(base + start, `field number ${fieldNumber} is larger than the maximum 2^29-1`);
  }
  if (wt === 3 || wt === 4) {
    throw new WireDecodeFailure(
      base + start,
      `field ${fieldNumber} uses wire type ${wt} (${WIRE_TYPE_NAMES[wt]}): groups are deprecated and not supported by this decoder`,
    );
  }
  if (wt !== 0 && wt !== 1 && wt !== 2 && wt !== 5) {
    throw new WireDecodeFailure(base + start, `field ${fieldNumber} has invalid wire type ${wt} (valid: 0, 1, 2, 5)`);
  }
  const wireType = wt as WireType;
  const tagRange: ByteRange = { offset: base + start, length: tag.next - start };
  let pos = tag.next;
  let lengthPrefix: ByteRange | undefined;
  let valueStart = pos;
  let valueEnd: number;
  switch (wireType) {
    case 0:
      valueEnd = varintAt(buf, pos, end, `value of field ${fieldNumber}`).next;
      break;
    case 1:
    case 5: {
      const size = wireType === 1 ? 8 : 4;
      if (end - pos < size) {
        throw new WireDecodeFailure(
          base + start,
          `truncated: ${WIRE_TYPE_NAMES[wireType]} field ${fieldNumber} needs ${size} bytes but only ${end - pos} remain`,
        );
      }
      valueEnd = pos + size;
      break;
    }
    case 2: {
      const len = varintAt(buf, pos, end, `length of field ${fieldNumber}`);
      lengthPrefix = { offset: base + pos, length: len.next - pos };
      pos = len.next;
      // protobuf limits a LEN payload to 2 GiB (encoding guide, "Length-Delimited Records").
      if (len.value > 0x7fffffffn) {
        throw new WireDecodeFailure(base + start, `LEN field ${fieldNumber} declares ${len.value} bytes, more than the 2 GiB protobuf allows`);
      }
      const n = Number(len.value);
      if (n > end - pos) {
        throw new WireDecodeFailure(
          base + start,
          `truncated: LEN field ${fieldNumber} declares ${n} byte${n === 1 ? "" : "s"} but only ${end - pos} remain`,
        );
      }
      valueStart = pos;
      valueEnd = pos + n;
      break;
    }
  }
  const raw = buf.subarray(valueStart, valueEnd);
  const field: ProtoField = {
    fieldNumber,
    wireType,
    wireTypeName: WIRE_TYPE_NAMES[wireType] as WireTypeName,
    offset: base + start,
    length: valueEnd - start,
    tag: tagRange,
    value: { offset: base + valueStart, length: valueEnd - valueStart },
    raw,
    decoded: { kind: "bytes" },
    display: "",
  };
  if (lengthPrefix) field.lengthPrefix = lengthPrefix;

  const fspec = spec?.field(fieldNumber);
  if (spec && !fspec) field.unknown = true;
  if (fspec) {
    field.schema = fspec.schema;
    const expected = expectedWireType(fspec);
    const packable = fspec.schema.repeated && !fspec.message && expected !== 2;
    if (wireType === expected) {
      decodeTyped(ctx, field, fspec, valueStart, valueEnd, depth);
      return field;
    }
    if (wireType === 2 && packable) {
      decodePacked(ctx, field, fspec, valueStart, valueEnd);
      return field;
    }
    field.note =
      `wire type ${wireType} (${WIRE_TYPE_NAMES[wireType]}) does not match the schema: ` +
      `${fspec.schema.type} is written as ${WIRE_TYPE_NAMES[expected]}; decoded without the schema`;
  }
  decodeUntyped(ctx, field, valueStart, valueEnd, depth);
  return field;
}

function varintValue(u: bigint): VarintValue {
  return { kind: "varint", unsigned: u, signed: BigInt.asIntN(64, u), zigzag: zigzagDecode(u) };
}

function i64Value(buf: Uint8Array, pos: number): I64Value {
  const view = new DataView(buf.buffer, buf.byteOffset + pos, 8);
  return { kind: "i64", unsigned: view.getBigUint64(0, true), signed: view.getBigInt64(0, true), double: view.getFloat64(0, true) };
}

function i32Value(buf: Uint8Array, pos: number): I32Value {
  const view = new DataView(buf.buffer, buf.byteOffset + pos, 4);
  return { kind: "i32", unsigned: view.getUint32(0, true), signed: view.getInt32(0, true), float: view.getFloat32(0, true) };
}

/** Whether a float looks like a number someone stored, rather than bits of an integer. */
function plausibleFloat(x: number, min: number, max: number): boolean {
  if (x === 0) return true;
  if (!Number.isFinite(x)) return false;
  const a = Math.abs(x);
  return a >= min && a <= max;
}

function formatNumber(x: number): string {
  return Object.is(x, -0) ? "-0" : String(x);
}

function displayScalarWire(v: VarintValue | I64Value | I32Value): string {
  switch (v.kind) {
    case "varint":
      // A varint ≥ 2^63 is far more often a negative int32/int64 than a huge uint64.
      return v.signed < 0n ? `${v.signed} (uint64 ${v.unsigned})` : String(v.unsigned);
    case "i64":
      return plausibleFloat(v.double, 1e-300, 1e300) && v.unsigned !== 0n
        ? `${formatNumber(v.double)} (double; fixed64 ${v.unsigned})`
        : String(v.unsigned);
    case "i32":
      return plausibleFloat(v.float, 1e-30, 1e30) && v.unsigned !== 0
        ? `${formatNumber(v.float)} (float; fixed32 ${v.unsigned})`
        : String(v.unsigned);
  }
}

const RESERVED_LOW = 19000;
const RESERVED_HIGH = 19999;

function decodeUntyped(ctx: Ctx, field: ProtoField, start: number, end: number, depth: number): void {
  const { buf } = ctx;
  switch (field.wireType) {
    case 0: {
      const v = varintValue(varintAt(buf, start, end, "value").value);
      field.decoded = v;
      field.display = displayScalarWire(v);
      return;
    }
    case 1: {
      const v = i64Value(buf, start);
      field.decoded = v;
      field.display = displayScalarWire(v);
      return;
    }
    case 5: {
      const v = i32Value(buf, start);
      field.decoded = v;
      field.display = displayScalarWire(v);
      return;
    }
    case 2:
      break;
  }
  const raw = field.raw;
  if (raw.length === 0) {
    field.decoded = { kind: "bytes" };
    field.display = "(empty)";
    field.note = "empty LEN value: an empty string, empty bytes or an empty message look the same on the wire";
    return;
  }
  const text = decodeUtf8Strict(raw);
  const allPrintable = text !== undefined && printableRatio(text) === 1;
  if (depth + 1 < ctx.maxDepth && !allPrintable) {
    const nested = decodeMessage(ctx, start, end, depth + 1, undefined);
    const plausible =
      !nested.error &&
      nested.fields.length > 0 &&
      nested.fields.every((f) => f.fieldNumber < RESERVED_LOW || f.fieldNumber > RESERVED_HIGH);
    if (plausible) {
      field.decoded = { kind: "message", message: nested };
      field.display = `{${nested.fields.length} field${nested.fields.length === 1 ? "" : "s"}}`;
      field.note = "guessed: embedded message (parses completely as protobuf)";
      return;
    }
  }
  if (text !== undefined && printableRatio(text) >= 0.9) {
    field.decoded = { kind: "string", text };
    field.display = JSON.stringify(text);
    if (allPrintable && raw.length > 1) field.note = "guessed: string (printable UTF-8)";
    return;
  }
  field.decoded = { kind: "bytes" };
  field.display = displayBytes(raw);
}

function displayBytes(raw: Uint8Array): string {
  return raw.length === 0 ? "(empty)" : `${raw.length} byte${raw.length === 1 ? "" : "s"}: ${toHex(raw, " ", 24)}`;
}

/** Interprets a wire value as a scalar or enum of the schema. */
function typedScalar(spec: FieldSpec, wire: VarintValue | I64Value | I32Value): TypedValue {
  const type = spec.schema.type;
  if (spec.enumDesc) {
    const n = wire.kind === "varint" ? Number(BigInt.asIntN(32, wire.unsigned)) : 0;
    const name = spec.enumDesc.value[n]?.name;
    return name !== undefined ? { type, value: n, enumName: name } : { type, value: n };
  }
  switch (wire.kind) {
    case "varint": {
      const u = wire.unsigned;
      switch (spec.scalar) {
        case ScalarType.INT32:
          return { type, value: Number(BigInt.asIntN(32, u)) };
        case ScalarType.UINT32:
          return { type, value: Number(BigInt.asUintN(32, u)) };
        case ScalarType.SINT32: {
          const n = Number(BigInt.asUintN(32, u));
          return { type, value: (n >>> 1) ^ -(n & 1) };
        }
        case ScalarType.INT64:
          return { type, value: wire.signed };
        case ScalarType.UINT64:
          return { type, value: u };
        case ScalarType.SINT64:
          return { type, value: wire.zigzag };
        case ScalarType.BOOL:
          return { type, value: u !== 0n };
      }
      return { type, value: u };
    }
    case "i64":
      switch (spec.scalar) {
        case ScalarType.DOUBLE:
          return { type, value: wire.double };
        case ScalarType.SFIXED64:
          return { type, value: wire.signed };
      }
      return { type, value: wire.unsigned };
    case "i32":
      switch (spec.scalar) {
        case ScalarType.FLOAT:
          return { type, value: wire.float };
        case ScalarType.SFIXED32:
          return { type, value: wire.signed };
      }
      return { type, value: wire.unsigned };
  }
}

function displayTyped(t: TypedValue): string {
  if (t.enumName !== undefined) return `${t.enumName} (${String(t.value)})`;
  const v = t.value;
  if (typeof v === "string") return JSON.stringify(v);
  if (typeof v === "number") return formatNumber(v);
  if (v instanceof Uint8Array) return displayBytes(v);
  return String(v);
}

function readScalarWire(ctx: Ctx, wireType: WireType, pos: number, end: number, what: string): { value: VarintValue | I64Value | I32Value; next: number } {
  switch (wireType) {
    case 0: {
      const r = varintAt(ctx.buf, pos, end, what);
      return { value: varintValue(r.value), next: r.next };
    }
    case 1:
      if (end - pos < 8) throw new WireDecodeFailure(ctx.base + pos, `truncated ${what}: needs 8 bytes, ${end - pos} remain`);
      return { value: i64Value(ctx.buf, pos), next: pos + 8 };
    case 5:
      if (end - pos < 4) throw new WireDecodeFailure(ctx.base + pos, `truncated ${what}: needs 4 bytes, ${end - pos} remain`);
      return { value: i32Value(ctx.buf, pos), next: pos + 4 };
    default:
      throw new WireDecodeFailure(ctx.base + pos, `${what}: wire type ${wireType} is not a scalar`);
  }
}

function decodeTyped(ctx: Ctx, field: ProtoField, spec: FieldSpec, start: number, end: number, depth: number): void {
  if (field.wireType !== 2) {
    const wire = readScalarWire(ctx, field.wireType, start, end, "value").value;
    field.decoded = wire;
    field.typed = typedScalar(spec, wire);
    field.display = displayTyped(field.typed);
    return;
  }
  if (spec.message) {
    if (depth + 1 >= ctx.maxDepth) {
      field.decoded = { kind: "bytes" };
      field.display = displayBytes(field.raw);
      field.note = `not decoded: nesting deeper than ${ctx.maxDepth}`;
      return;
    }
    const nested = decodeMessage(ctx, start, end, depth + 1, spec.message);
    field.decoded = { kind: "message", message: nested };
    field.typed = { type: spec.schema.type };
    field.display =
      spec.schema.kind === "map" ? displayMapEntry(nested) : `{${nested.fields.length} field${nested.fields.length === 1 ? "" : "s"}}`;
    return;
  }
  if (spec.scalar === ScalarType.STRING) {
    const strict = decodeUtf8Strict(field.raw);
    const text = strict ?? decodeUtf8Lenient(field.raw);
    field.decoded = { kind: "string", text };
    field.typed = { type: "string", value: text };
    field.display = JSON.stringify(text);
    // proto3 strings must be valid UTF-8 (language guide, "Scalar Value Types").
    if (strict === undefined) field.note = "invalid UTF-8: malformed sequences shown as U+FFFD";
    return;
  }
  field.decoded = { kind: "bytes" };
  field.typed = { type: "bytes", value: field.raw };
  field.display = displayBytes(field.raw);
}

function displayMapEntry(entry: ProtoMessage): string {
  let key: string | undefined;
  let value: string | undefined;
  for (const f of entry.fields) {
    if (f.fieldNumber === 1) key = f.display;
    if (f.fieldNumber === 2) value = f.display;
  }
  // A missing key or value means the default value (language guide, "Maps").
  return `${key ?? "(default)"} → ${value ?? "(default)"}`;
}

function decodePacked(ctx: Ctx, field: ProtoField, spec: FieldSpec, start: number, end: number): void {
  // Packed repeated fields: one LEN record whose payload is the elements
  // back to back, without tags (encoding guide, "Packed Repeated Fields").
  const wt = expectedWireType(spec);
  const elements: PackedElement[] = [];
  let pos = start;
  while (pos < end) {
    const r = readScalarWire(ctx, wt, pos, end, `element ${elements.length} of packed field ${field.fieldNumber}`);
    const typed = typedScalar(spec, r.value);
    elements.push({ offset: ctx.base + pos, length: r.next - pos, value: r.value, typed, display: displayTyped(typed) });
    pos = r.next;
  }
  field.decoded = { kind: "packed", elements };
  field.display = `[${elements.map((e) => e.display).join(", ")}]`;
  field.note = `packed: ${elements.length} element${elements.length === 1 ? "" : "s"}`;
}

function firstNestedError(msg: ProtoMessage): WireError | undefined {
  for (const f of msg.fields) {
    if (f.decoded.kind === "message") {
      const inner = f.decoded.message;
      if (inner.error) return inner.error;
      const deeper = firstNestedError(inner);
      if (deeper) return deeper;
    }
  }
  return undefined;
}
