import { ScalarType, type DescField, type DescMessage } from "@bufbuild/protobuf";
import { TraceEventSchema } from "../../lib/gen/lab/v1/trace_pb";

/*
 * A fast protobuf binary encoder for TraceEvent, for the trace stream.
 *
 * Delivering an event used to cost a create() (≈10 µs) and a toBinary()
 * (≈30 µs on the lab's 2-core test machine): protobuf-es walks every field
 * through its reflection API, and encodes each string with a TextEncoder
 * into a new array. With a page watching, that was most of what the trace
 * cost a request. This encoder writes the same wire format (protobuf
 * encoding spec; fields in number order, proto3 defaults left out, map
 * entries with key and value, exactly as protobuf-es writes them) straight
 * from the recorded init object into one growing buffer, so an event costs
 * a few µs and no message object.
 *
 * It is driven by TraceEventSchema, not by a hand-written field list: a
 * field added to trace.proto is encoded without a change here. Field types
 * it does not handle (repeated fields, oneofs, groups, maps with non-string
 * values, 64-bit fields other than uint64) make `compile` fail, and then
 * `traceEventEncoder` is undefined and the hub falls back on toBinary; a
 * test fails first.
 */

const enum Wire {
  Varint = 0,
  Bit64 = 1,
  LengthDelimited = 2,
}

type FieldPlan =
  | { kind: "varint32"; no: number; name: string; tag: number }
  | { kind: "uint64"; no: number; name: string; tag: number }
  | { kind: "bool"; no: number; name: string; tag: number }
  | { kind: "double"; no: number; name: string; tag: number }
  | { kind: "string"; no: number; name: string; tag: number }
  | { kind: "bytes"; no: number; name: string; tag: number }
  | { kind: "message"; no: number; name: string; tag: number; plan: FieldPlan[] }
  | { kind: "stringMap"; no: number; name: string; tag: number };

function tagOf(no: number, wire: Wire): number {
  return (no << 3) | wire;
}

function compileField(f: DescField): FieldPlan | undefined {
  const base = { no: f.number, name: f.localName };
  if (f.oneof !== undefined) return undefined;
  switch (f.fieldKind) {
    case "enum":
      return { ...base, kind: "varint32", tag: tagOf(f.number, Wire.Varint) };
    case "scalar":
      switch (f.scalar) {
        case ScalarType.UINT32:
        case ScalarType.INT32:
          return { ...base, kind: "varint32", tag: tagOf(f.number, Wire.Varint) };
        case ScalarType.UINT64:
          return { ...base, kind: "uint64", tag: tagOf(f.number, Wire.Varint) };
        case ScalarType.BOOL:
          return { ...base, kind: "bool", tag: tagOf(f.number, Wire.Varint) };
        case ScalarType.DOUBLE:
          return { ...base, kind: "double", tag: tagOf(f.number, Wire.Bit64) };
        case ScalarType.STRING:
          return { ...base, kind: "string", tag: tagOf(f.number, Wire.LengthDelimited) };
        case ScalarType.BYTES:
          return { ...base, kind: "bytes", tag: tagOf(f.number, Wire.LengthDelimited) };
        default:
          return undefined;
      }
    case "message": {
      if (f.delimitedEncoding) return undefined;
      const plan = compile(f.message);
      return plan && { ...base, kind: "message", tag: tagOf(f.number, Wire.LengthDelimited), plan };
    }
    case "map":
      return f.mapKey === ScalarType.STRING && f.mapKind === "scalar" && f.scalar === ScalarType.STRING
        ? { ...base, kind: "stringMap", tag: tagOf(f.number, Wire.LengthDelimited) }
        : undefined;
    default:
      return undefined;
  }
}

/** A field's tag as the encoder writes it (its number and wire type); for a writer of one kind of event. */
export function fieldTag(f: DescField): number {
  const plan = compileField(f);
  if (!plan) throw new Error(`trace-codec cannot write ${f.parent.typeName}.${f.name}`);
  return plan.tag;
}

function compile(desc: DescMessage): FieldPlan[] | undefined {
  const plan: FieldPlan[] = [];
  for (const f of [...desc.fields].sort((a, b) => a.number - b.number)) {
    // proto3 implicit presence only (message fields are present when set).
    if (f.fieldKind !== "message" && f.presence !== 2 /* IMPLICIT */) return undefined;
    const p = compileField(f);
    if (!p) return undefined;
    plan.push(p);
  }
  return plan;
}

/** A growing buffer that protobuf fields are written into. */
export class ProtoWriter {
  buf: Buffer;
  pos = 0;

  constructor(size = 16 * 1024) {
    this.buf = Buffer.allocUnsafe(size);
  }

  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  /** A one-byte field tag and a varint (see `varint`). */
  varintField(tag: number, v: number): void {
    this.ensure(1);
    this.buf[this.pos++] = tag;
    this.varint(v);
  }

  varint(v: number): void {
    if (v < 0) return this.varint64(BigInt.asUintN(64, BigInt(v)));
    this.ensure(5);
    while (v > 0x7f) {
      this.buf[this.pos++] = (v & 0x7f) | 0x80;
      v = v >>> 7;
    }
    this.buf[this.pos++] = v;
  }

  /** A non-negative safe integer (below 2^53), without BigInt. */
  varintSafe(v: number): void {
    if (v <= 0x7fffffff) return this.varint(v);
    this.ensure(8);
    while (v > 0x7f) {
      this.buf[this.pos++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buf[this.pos++] = v;
  }

  varint64(v: bigint): void {
    this.ensure(10);
    v = BigInt.asUintN(64, v);
    while (v > 0x7fn) {
      this.buf[this.pos++] = Number(v & 0x7fn) | 0x80;
      v >>= 7n;
    }
    this.buf[this.pos++] = Number(v);
  }

  double(v: number): void {
    this.ensure(8);
    this.buf.writeDoubleLE(v, this.pos);
    this.pos += 8;
  }

  /** A length-prefixed UTF-8 string; preceded by `tag`, a one-byte field tag, when given. */
  string(s: string, tag = -1): void {
    // Most of a trace event's strings are short and ASCII: copied char by
    // char, they skip two calls into C++ (byte length, then UTF-8 write).
    const len = s.length;
    if (tag >= 0) {
      this.ensure(1);
      this.buf[this.pos++] = tag;
    }
    if (len < 0x80) {
      this.ensure(len + 1);
      const buf = this.buf;
      const start = this.pos + 1;
      let i = 0;
      for (; i < len; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) break;
        buf[start + i] = c;
      }
      if (i === len) {
        buf[this.pos] = len;
        this.pos = start + len;
        return;
      }
    }
    const n = Buffer.byteLength(s, "utf8");
    this.varint(n);
    this.ensure(n);
    this.pos += this.buf.write(s, this.pos, n, "utf8");
  }

  bytes(b: Uint8Array): void {
    this.varint(b.length);
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  /** Starts a length-delimited part; `join` writes its length in front. */
  fork(): number {
    this.ensure(1);
    return this.pos++;
  }

  join(at: number): void {
    const len = this.pos - at - 1;
    if (len < 0x80) {
      this.buf[at] = len;
      return;
    }
    let size = 1;
    for (let v = len; v > 0x7f; v >>>= 7) size++;
    this.ensure(size - 1);
    this.buf.copyWithin(at + size, at + 1, this.pos);
    const end = this.pos + size - 1;
    this.pos = at;
    this.varint(len);
    this.pos = end;
  }
}

type Fields = Record<string, unknown>;

/** Writes one message's fields; `top`, when given, supplies the fields named in OVERRIDDEN (see traceEventEncoder). */
type FieldsWriter = (w: ProtoWriter, m: Fields, top?: Fields) => void;

/** Fields of a top-level event that a recorded event carries itself, apart from what its builder returns. */
const OVERRIDDEN = new Set(["session", "seq", "timeUnixMs"]);

/**
 * Compiles a plan into a function with one straight-line block per field
 * (`m["spanId"]`, a constant key), as protobufjs does: V8 then caches each
 * property read for the shapes that reach it, where one loop over the plan
 * reading `m[f.name]` saw every field name at one site and fell back on a
 * generic lookup per field (≈50 % of what encoding an event cost in the
 * lab's profile). The plan comes from the schema and names are quoted with
 * JSON.stringify, so the source holds no outside text.
 */
function compileWriter(plan: FieldPlan[], top: boolean): FieldsWriter {
  const subs: FieldsWriter[] = [];
  const lines: string[] = ["let v;"];
  for (const f of plan) {
    const key = JSON.stringify(f.name);
    lines.push(top && OVERRIDDEN.has(f.name) ? `v = t === undefined ? m[${key}] : t[${key}];` : `v = m[${key}];`);
    const tag = `w.varint(${f.tag});`;
    // A tag under 0x80 is one byte: written by the field's own write, one call fewer per field.
    const short = f.tag < 0x80;
    switch (f.kind) {
      case "varint32":
        lines.push(`if (v !== undefined && v !== null && v !== 0) { ${short ? `w.varintField(${f.tag}, v);` : `${tag} w.varint(v);`} }`);
        break;
      case "uint64":
        // A safe non-negative integer as a number (a recorded event's seq) skips BigInt arithmetic.
        lines.push(
          `if (typeof v === "number" && v >= 0 && Number.isSafeInteger(v)) { if (v !== 0) { ${tag} w.varintSafe(v); } } else if (v !== undefined && v !== null) { const b = typeof v === "bigint" ? v : BigInt(v); if (b !== 0n) { ${tag} w.varint64(b); } }`,
        );
        break;
      case "bool":
        lines.push(`if (v === true) { ${tag} w.varint(1); }`);
        break;
      case "double":
        lines.push(`if (v !== undefined && v !== null && v !== 0) { ${tag} w.double(v); }`);
        break;
      case "string":
        lines.push(`if (v !== undefined && v !== null && v !== "") { ${short ? `w.string(v, ${f.tag});` : `${tag} w.string(v);`} }`);
        break;
      case "bytes":
        lines.push(`if (v !== undefined && v !== null && v.length !== 0) { ${tag} w.bytes(v); }`);
        break;
      case "message":
        subs.push(compileWriter(f.plan, false));
        lines.push(`if (v !== undefined && v !== null) { ${tag} const at = w.fork(); subs[${subs.length - 1}](w, v); w.join(at); }`);
        break;
      case "stringMap":
        lines.push(
          `if (v !== undefined && v !== null) for (const k of Object.keys(v)) { ${tag} const at = w.fork(); w.varint(${tagOf(1, Wire.LengthDelimited)}); w.string(k); w.varint(${tagOf(2, Wire.LengthDelimited)}); w.string(String(v[k])); w.join(at); }`,
        );
        break;
    }
  }
  // The source is built above from the schema's plan only.
  const make = new Function("subs", `return function writeFields(w, m, t) {\n${lines.join("\n")}\n};`) as (subs: FieldsWriter[]) => FieldsWriter;
  return make(subs);
}

/**
 * The plan of a light event (see trace-hub's `lighten`): the same fields
 * but `wire`, `wireTruncated` and the `http` part's `headers` and `trailers`.
 */
function lightPlan(plan: FieldPlan[]): FieldPlan[] {
  const heavy = new Set<string>(["wire", "wireTruncated"]);
  return plan
    .filter((f) => !heavy.has(f.name))
    .map((f) => (f.name === "http" && f.kind === "message" ? { ...f, plan: f.plan.filter((h) => h.name !== "headers" && h.name !== "trailers") } : f));
}

const wholePlan = compile(TraceEventSchema);
const writers = wholePlan && { whole: compileWriter(wholePlan, true), light: compileWriter(lightPlan(wholePlan), true) };

/**
 * Writes one TraceEvent (a message, or an init object with the same field
 * names and proto3 defaults) as a length-delimited value: its length, then
 * its fields; with `light`, without the wire bytes and header maps, as
 * `lighten` would, and without copying the event. `recorded`, when given,
 * supplies `session`, `seq` and `timeUnixMs` (a lazy event's builder
 * returns the rest), so the two need not be merged into one object first.
 * Undefined when TraceEvent has a field this encoder cannot write.
 */
export const traceEventEncoder: ((w: ProtoWriter, event: object, light?: boolean, recorded?: object) => void) | undefined =
  writers &&
  ((w, event, light = false, recorded) => {
    const at = w.fork();
    (light ? writers.light : writers.whole)(w, event as Fields, recorded as Fields | undefined);
    w.join(at);
  });
