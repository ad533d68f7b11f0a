import { create, createFileRegistry, isFieldSet, toBinary, type DescField, type DescMessage } from "@bufbuild/protobuf";
import { BinaryReader, BinaryWriter, WireType as RefWireType } from "@bufbuild/protobuf/wire";
import {
  FieldDescriptorProto_Label,
  FieldDescriptorProto_Type,
  FileDescriptorProtoSchema,
  SourceCodeInfo_LocationSchema,
  FileDescriptorProtoSchema as FDP,
} from "@bufbuild/protobuf/wkt";
import { describe, expect, it } from "vitest";
import { GetCountersResponseSchema, StreamTraceResponseSchema } from "../gen/lab/v1/lab_pb";
import { EventKind, Mode, TraceEventSchema } from "../gen/lab/v1/trace_pb";
import { GetUserResponseSchema, UserSchema } from "../gen/lab/v1/user_pb";
import {
  decodeProtobuf,
  flattenProtoFields,
  readVarint,
  zigzagDecode,
  zigzagEncode,
  type ProtoField,
  type ProtoMessage,
} from "./protobuf-wire";
import { fromHex } from "./text";

// ---------------------------------------------------------------------------
// Reference: @bufbuild/protobuf's own BinaryReader walks the same bytes.

interface RefField {
  fieldNo: number;
  wireType: number;
  start: number;
  tagEnd: number;
  valueStart: number;
  end: number;
  varint?: bigint;
}

function referenceFields(bytes: Uint8Array): RefField[] {
  const r = new BinaryReader(bytes);
  const out: RefField[] = [];
  while (r.pos < r.len) {
    const start = r.pos;
    const [fieldNo, wireType] = r.tag();
    const tagEnd = r.pos;
    let valueStart = tagEnd;
    let varint: bigint | undefined;
    switch (wireType) {
      case RefWireType.Varint:
        varint = BigInt(r.uint64());
        break;
      case RefWireType.Bit64:
        r.fixed64();
        break;
      case RefWireType.Bit32:
        r.fixed32();
        break;
      case RefWireType.LengthDelimited: {
        const len = r.uint32();
        valueStart = r.pos;
        r.pos += len;
        break;
      }
      default:
        throw new Error(`unexpected wire type ${wireType}`);
    }
    out.push({ fieldNo, wireType, start, tagEnd, valueStart, end: r.pos, varint });
  }
  return out;
}

/** Every decoded field matches the reference reader: number, wire type, offsets, varint value. */
function expectMatchesReference(decoded: ProtoMessage, bytes: Uint8Array, base = 0): void {
  expect(decoded.error).toBeUndefined();
  const ref = referenceFields(bytes);
  expect(decoded.fields.map((f) => [f.fieldNumber, f.wireType])).toEqual(ref.map((r) => [r.fieldNo, r.wireType]));
  decoded.fields.forEach((f, i) => {
    const r = ref[i];
    expect(f.offset).toBe(base + r.start);
    expect(f.tag).toEqual({ offset: base + r.start, length: r.tagEnd - r.start });
    expect(f.value.offset).toBe(base + r.valueStart);
    expect(f.value.offset + f.value.length).toBe(base + r.end);
    expect(f.length).toBe(r.end - r.start);
    expect(f.raw).toEqual(bytes.subarray(r.valueStart, r.end));
    if (r.varint !== undefined) {
      expect(f.decoded.kind).toBe("varint");
      if (f.decoded.kind === "varint") {
        expect(f.decoded.unsigned).toBe(r.varint);
        expect(f.decoded.signed).toBe(BigInt.asIntN(64, r.varint));
      }
    }
    if (f.lengthPrefix) expect(f.lengthPrefix.offset + f.lengthPrefix.length).toBe(base + r.valueStart);
    if (f.decoded.kind === "message") {
      expectMatchesReference(f.decoded.message, bytes.subarray(r.valueStart, r.end), base + r.valueStart);
    }
  });
}

function expectedWireType(fd: DescField): number {
  if (fd.fieldKind === "message" || fd.fieldKind === "map") return 2;
  if (fd.fieldKind === "enum") return 0;
  if (fd.fieldKind === "list" && fd.listKind !== "scalar") return fd.listKind === "message" ? 2 : 0;
  const scalar = fd.scalar!;
  switch (scalar) {
    case 1:
    case 6:
    case 16:
      return 1;
    case 2:
    case 7:
    case 15:
      return 5;
    case 9:
    case 12:
      return 2;
    default:
      return 0;
  }
}

function typedOf(f: ProtoField): unknown {
  return f.typed?.value;
}

/**
 * Every decoded field, decoded by schema, names the right field and carries
 * the value the message holds; every field set in the message is on the wire.
 */
function expectMatchesMessage(decoded: ProtoMessage, desc: DescMessage, msg: Record<string, unknown>): void {
  expect(decoded.error).toBeUndefined();
  expect(decoded.typeName).toBe(desc.typeName);
  const listIndex = new Map<number, number>();
  for (const field of decoded.fields) {
    const fd = desc.fields.find((f) => f.number === field.fieldNumber);
    expect(fd, `field ${field.fieldNumber} of ${desc.typeName}`).toBeDefined();
    if (!fd) continue;
    expect(field.unknown).toBeUndefined();
    expect(field.schema?.name).toBe(fd.name);
    expect(field.note ?? "").not.toMatch(/does not match/);
    const actual = (msg as Record<string, unknown>)[fd.localName];
    switch (fd.fieldKind) {
      case "scalar":
        expect(field.wireType).toBe(expectedWireType(fd));
        expect(typedOf(field)).toEqual(actual);
        break;
      case "enum":
        expect(field.wireType).toBe(0);
        expect(typedOf(field)).toBe(actual);
        expect(field.typed?.enumName).toBe(fd.enum.value[actual as number]?.name);
        break;
      case "message":
        expect(field.decoded.kind).toBe("message");
        if (field.decoded.kind === "message") expectMatchesMessage(field.decoded.message, fd.message, actual as Record<string, unknown>);
        break;
      case "list": {
        const arr = actual as unknown[];
        if (field.decoded.kind === "packed") {
          expect(field.wireType).toBe(2);
          expect(fd.packed).toBe(true);
          expect(field.decoded.elements.map((e) => e.typed?.value)).toEqual(arr);
          break;
        }
        const i = listIndex.get(fd.number) ?? 0;
        listIndex.set(fd.number, i + 1);
        if (fd.listKind === "message") {
          expect(field.decoded.kind).toBe("message");
          if (field.decoded.kind === "message") expectMatchesMessage(field.decoded.message, fd.message, arr[i] as Record<string, unknown>);
        } else {
          expect(typedOf(field)).toEqual(arr[i]);
        }
        break;
      }
      case "map": {
        expect(field.decoded.kind).toBe("message");
        if (field.decoded.kind !== "message") break;
        const entry = field.decoded.message;
        const key = entry.fields.find((f) => f.fieldNumber === 1);
        const value = entry.fields.find((f) => f.fieldNumber === 2);
        expect(key?.schema?.name).toBe("key");
        const record = actual as Record<string, unknown>;
        const k = String(key?.typed?.value ?? "");
        expect(Object.keys(record)).toContain(k);
        if (fd.mapKind === "message") {
          if (value?.decoded.kind === "message") expectMatchesMessage(value.decoded.message, fd.message, record[k] as Record<string, unknown>);
        } else {
          expect(value?.schema?.name).toBe("value");
          expect(value?.typed?.value).toEqual(record[k]);
        }
        break;
      }
    }
  }
  // Nothing set in the message is missing from the wire.
  const onWire = new Set(decoded.fields.map((f) => f.fieldNumber));
  for (const fd of desc.fields) {
    if (isFieldSet(msg as never, fd)) expect(onWire.has(fd.number), `${desc.typeName}.${fd.name} on the wire`).toBe(true);
  }
  for (const [n, count] of listIndex) {
    const fd = desc.fields.find((f) => f.number === n)!;
    expect(count).toBe(((msg as Record<string, unknown[]>)[fd.localName]).length);
  }
}

// ---------------------------------------------------------------------------
// A test-only schema with every scalar type, built at run time.

const T = FieldDescriptorProto_Type;
const OPT = FieldDescriptorProto_Label.OPTIONAL;
const REP = FieldDescriptorProto_Label.REPEATED;
const scalarFields: [string, number, FieldDescriptorProto_Type, FieldDescriptorProto_Label, string?][] = [
  ["d", 1, T.DOUBLE, OPT],
  ["f", 2, T.FLOAT, OPT],
  ["i64", 3, T.INT64, OPT],
  ["u64", 4, T.UINT64, OPT],
  ["i32", 5, T.INT32, OPT],
  ["fx64", 6, T.FIXED64, OPT],
  ["fx32", 7, T.FIXED32, OPT],
  ["b", 8, T.BOOL, OPT],
  ["s", 9, T.STRING, OPT],
  ["by", 10, T.BYTES, OPT],
  ["u32", 11, T.UINT32, OPT],
  ["sfx32", 12, T.SFIXED32, OPT],
  ["sfx64", 13, T.SFIXED64, OPT],
  ["s32", 14, T.SINT32, OPT],
  ["s64", 15, T.SINT64, OPT],
  ["color", 16, T.ENUM, OPT, ".wiretest.Color"],
  ["ri32", 17, T.INT32, REP],
  ["rs64", 18, T.SINT64, REP],
  ["rstr", 19, T.STRING, REP],
  ["rd", 20, T.DOUBLE, REP],
  ["rcolor", 21, T.ENUM, REP, ".wiretest.Color"],
  ["big", 20000, T.INT32, OPT],
];
const registry = createFileRegistry(
  create(FileDescriptorProtoSchema, {
    name: "wiretest/scalars.proto",
    package: "wiretest",
    syntax: "proto3",
    enumType: [
      {
        name: "Color",
        value: [
          { name: "COLOR_UNSPECIFIED", number: 0 },
          { name: "COLOR_RED", number: 1 },
          { name: "COLOR_BLUE", number: 2 },
        ],
      },
    ],
    messageType: [
      {
        name: "Scalars",
        field: scalarFields.map(([name, number, type, label, typeName]) => ({ name, number, type, label, jsonName: name, typeName })),
      },
    ],
  }),
  () => undefined,
);
const ScalarsSchema = registry.getMessage("wiretest.Scalars")!;

// ---------------------------------------------------------------------------

describe("readVarint / zigzag (encoding guide examples)", () => {
  it("reads 150 from 96 01", () => {
    expect(readVarint(Uint8Array.of(0x96, 0x01))).toEqual({ value: 150n, length: 2 });
  });
  it("reads the 10-byte encoding of -1", () => {
    const r = readVarint(fromHex("ff ff ff ff ff ff ff ff ff 01"));
    expect(r).toEqual({ value: 0xffffffffffffffffn, length: 10 });
  });
  it("reports a truncated and an over-long varint", () => {
    expect(readVarint(Uint8Array.of(0x96))).toHaveProperty("error.offset", 0);
    expect(readVarint(fromHex("ff ff ff ff ff ff ff ff ff 7f"))).toHaveProperty("error.reason", expect.stringMatching(/64 bits/));
  });
  it("zigzags as the guide's table says", () => {
    const table: [bigint, bigint][] = [
      [0n, 0n],
      [-1n, 1n],
      [1n, 2n],
      [-2n, 3n],
      [0x7fffffffn, 0xfffffffen],
      [-0x80000000n, 0xffffffffn],
    ];
    for (const [signed, encoded] of table) {
      expect(zigzagEncode(signed)).toBe(encoded);
      expect(zigzagDecode(encoded)).toBe(signed);
    }
  });
});

describe("decodeProtobuf without a schema", () => {
  it("decodes the encoding guide's examples", () => {
    const m = decodeProtobuf(fromHex("08 96 01 12 07 74 65 73 74 69 6e 67 1a 03 08 96 01"));
    expect(m.error).toBeUndefined();
    const [a, b, c] = m.fields;
    expect([a.fieldNumber, a.wireTypeName, a.display]).toEqual([1, "VARINT", "150"]);
    expect(a.tag).toEqual({ offset: 0, length: 1 });
    expect(a.value).toEqual({ offset: 1, length: 2 });
    expect([b.fieldNumber, b.wireTypeName, b.decoded]).toEqual([2, "LEN", { kind: "string", text: "testing" }]);
    expect(b.lengthPrefix).toEqual({ offset: 4, length: 1 });
    expect(b.value).toEqual({ offset: 5, length: 7 });
    expect(c.decoded.kind).toBe("message");
    if (c.decoded.kind === "message") {
      expect(c.decoded.message.offset).toBe(14);
      expect(c.decoded.message.fields[0]).toMatchObject({ fieldNumber: 1, offset: 14, display: "150" });
    }
  });

  it("matches @bufbuild/protobuf on a User with a negative int64 id and a Chinese name", () => {
    const user = create(UserSchema, { id: -5n, name: "张三", email: "zhang.san@example.com" });
    const bytes = toBinary(UserSchema, user);
    const m = decodeProtobuf(bytes);
    expectMatchesReference(m, bytes);
    const [id, name, email] = m.fields;
    expect(id.decoded).toEqual({ kind: "varint", unsigned: 2n ** 64n - 5n, signed: -5n, zigzag: zigzagDecode(2n ** 64n - 5n) });
    expect(id.value.length).toBe(10); // negative int64: always 10 bytes
    expect(id.display).toMatch(/^-5 /);
    expect(name.decoded).toEqual({ kind: "string", text: "张三" });
    expect(name.value.length).toBe(6); // 3 UTF-8 bytes per character
    expect(email.decoded).toEqual({ kind: "string", text: "zhang.san@example.com" });
  });

  it("omits proto3 defaults: an empty User is zero bytes and zero fields", () => {
    const bytes = toBinary(UserSchema, create(UserSchema, {}));
    expect(bytes.length).toBe(0);
    expect(decodeProtobuf(bytes)).toEqual({ offset: 0, length: 0, fields: [] });
    const onlyEmail = toBinary(UserSchema, create(UserSchema, { id: 0n, name: "", email: "a@b.c" }));
    const m = decodeProtobuf(onlyEmail);
    expectMatchesReference(m, onlyEmail);
    expect(m.fields.map((f) => f.fieldNumber)).toEqual([3]);
  });

  it("guesses the nested User inside GetUserResponse", () => {
    const resp = create(GetUserResponseSchema, { user: { id: 42n, name: "Ada Lovelace", email: "ada@example.com" } });
    const bytes = toBinary(GetUserResponseSchema, resp);
    const m = decodeProtobuf(bytes);
    expectMatchesReference(m, bytes);
    expect(m.fields).toHaveLength(1);
    const user = m.fields[0];
    expect(user.decoded.kind).toBe("message");
    if (user.decoded.kind !== "message") return;
    expect(user.decoded.message.fields.map((f) => f.display)).toEqual(["42", '"Ada Lovelace"', '"ada@example.com"']);
  });

  it("reads I64 and I32 three ways and varints as int64 and zigzag", () => {
    const w = new BinaryWriter();
    w.tag(1, RefWireType.Bit64).double(3.25);
    w.tag(2, RefWireType.Bit32).float(-1.5);
    w.tag(3, RefWireType.Bit64).sfixed64(-2n);
    w.tag(4, RefWireType.Bit32).sfixed32(-7);
    w.tag(5, RefWireType.Varint).sint64(-3n);
    w.tag(6, RefWireType.Varint).sint32(123);
    w.tag(7, RefWireType.Varint).int32(-1);
    w.tag(8, RefWireType.Varint).bool(true);
    const bytes = w.finish();
    const m = decodeProtobuf(bytes);
    expectMatchesReference(m, bytes);
    const v = m.fields.map((f) => f.decoded);
    expect(v[0]).toMatchObject({ kind: "i64", double: 3.25 });
    expect(m.fields[0].display).toMatch(/^3\.25 \(double/);
    expect(v[1]).toMatchObject({ kind: "i32", float: -1.5 });
    expect(v[2]).toMatchObject({ kind: "i64", signed: -2n, unsigned: 2n ** 64n - 2n });
    expect(v[3]).toMatchObject({ kind: "i32", signed: -7, unsigned: 2 ** 32 - 7 });
    expect(v[4]).toMatchObject({ kind: "varint", unsigned: 5n, zigzag: -3n });
    expect(v[5]).toMatchObject({ kind: "varint", unsigned: 246n, zigzag: 123n });
    expect(v[6]).toMatchObject({ kind: "varint", signed: -1n, unsigned: 2n ** 64n - 1n });
    expect(m.fields[6].value.length).toBe(10); // int32 -1 is sign-extended to 10 bytes
    expect(v[7]).toMatchObject({ kind: "varint", unsigned: 1n });
  });

  it("prefers a string over a message for printable text, and bytes for binary", () => {
    // "hi" = 68 69 also parses as field 13 = 105; it is text.
    const text = decodeProtobuf(fromHex("0a 02 68 69"));
    expect(text.fields[0].decoded).toEqual({ kind: "string", text: "hi" });
    const bin = decodeProtobuf(fromHex("0a 03 ff 00 fe"));
    expect(bin.fields[0].decoded.kind).toBe("bytes");
    expect(bin.fields[0].display).toBe("3 bytes: ff 00 fe");
    const empty = decodeProtobuf(fromHex("0a 00"));
    expect(empty.fields[0].decoded.kind).toBe("bytes");
    expect(empty.fields[0].note).toMatch(/empty/);
    // Field numbers 19000–19999 are reserved: not a plausible message.
    const reserved = decodeProtobuf(fromHex("0a 04 c0 a4 09 01"));
    expect(reserved.fields[0].decoded.kind).toBe("bytes");
  });

  it("honours baseOffset", () => {
    const bytes = toBinary(UserSchema, create(UserSchema, { id: 7n, name: "x" }));
    const m = decodeProtobuf(bytes, { baseOffset: 100 });
    expect(m.offset).toBe(100);
    expectMatchesReference(m, bytes, 100);
  });
});

describe("decodeProtobuf with a schema", () => {
  it("labels and types every User field", () => {
    const user = create(UserSchema, { id: -9007199254740993n, name: "张三", email: "z@example.com" });
    const m = decodeProtobuf(toBinary(UserSchema, user), { schema: UserSchema });
    expectMatchesMessage(m, UserSchema, user);
    expect(m.fields.map((f) => [f.schema?.name, f.schema?.type, f.display])).toEqual([
      ["id", "int64", "-9007199254740993"],
      ["name", "string", '"张三"'],
      ["email", "string", '"z@example.com"'],
    ]);
  });

  it("decodes GetUserResponse.user by its schema", () => {
    const resp = create(GetUserResponseSchema, { user: { id: 1n, name: "Grace", email: "" } });
    const m = decodeProtobuf(toBinary(GetUserResponseSchema, resp), { schema: GetUserResponseSchema });
    expectMatchesMessage(m, GetUserResponseSchema, resp);
    const user = m.fields[0];
    expect(user.schema).toMatchObject({ name: "user", type: "lab.v1.User", kind: "message" });
    expect(user.decoded.kind === "message" && user.decoded.message.typeName).toBe("lab.v1.User");
    // An empty nested message is still on the wire (0a 00) and decodes by schema.
    const emptyUser = create(GetUserResponseSchema, { user: {} });
    const e = decodeProtobuf(toBinary(GetUserResponseSchema, emptyUser), { schema: GetUserResponseSchema });
    expect(e.fields[0].decoded).toMatchObject({ kind: "message", message: { typeName: "lab.v1.User", fields: [] } });
  });

  const traceEvent = create(TraceEventSchema, {
    seq: 18446744073709551615n,
    session: "s-1",
    timeUnixMs: 1712345678901.25,
    spanId: "span-a",
    from: "Browser",
    to: "Gateway",
    mode: Mode.GRPC_WEB,
    kind: EventKind.RESPONSE_RECEIVED,
    observer: "Browser",
    bytes: { header: 120, body: 33, framing: 25, headerEstimated: true },
    http: {
      method: "POST",
      path: "/lab.v1.UserService/GetUser",
      status: 200,
      version: "HTTP/1.1",
      contentType: "application/grpc-web+proto",
      headers: { "content-type": "application/grpc-web+proto", "x-user": "张三" },
      trailers: { "grpc-status": "0" },
    },
    rpc: { service: "lab.v1.UserService", method: "GetUser", code: "ok", messageType: "lab.v1.GetUserResponse", codec: "proto" },
    mqtt: { packetType: "PUBLISH", qos: 2, dup: true, retain: true, packetId: 65535 },
    wire: Uint8Array.of(0, 0, 0, 0, 3, 0x08, 0x96, 0x01),
    wireTruncated: true,
    summary: "GET /rest/users/1",
    durationMs: 12.5,
    fault: { ruleId: "r1", kind: "delay", detail: "250ms" },
    attempt: 3,
    streamIndex: 7,
  });

  it("matches a TraceEvent with maps, enums, doubles, bytes and nested messages field for field", () => {
    const bytes = toBinary(TraceEventSchema, traceEvent);
    const m = decodeProtobuf(bytes, { schema: TraceEventSchema });
    expectMatchesMessage(m, TraceEventSchema, traceEvent);
    const byName = new Map(m.fields.map((f) => [f.schema?.name, f]));
    expect(byName.get("mode")?.display).toBe("MODE_GRPC_WEB (3)");
    expect(byName.get("time_unix_ms")?.typed).toEqual({ type: "double", value: 1712345678901.25 });
    expect(byName.get("stream_index")?.tag.length).toBe(2); // field 23 needs a 2-byte tag
    const headers = m.fields.find((f) => f.schema?.name === "http");
    expect(headers?.decoded.kind).toBe("message");
    const flat = flattenProtoFields(m);
    const entries = flat.filter((r) => r.path.join(".") === "http.headers");
    expect(entries.map((r) => r.field.display).sort()).toEqual(['"content-type" → "application/grpc-web+proto"', '"x-user" → "张三"']);
    expect(entries[0].field.schema?.type).toBe("map<string, string>");
  });

  it("and the same TraceEvent without a schema matches the reference reader", () => {
    const bytes = toBinary(TraceEventSchema, traceEvent);
    const m = decodeProtobuf(bytes);
    expectMatchesReference(m, bytes);
    // The nested ByteCounts (field 11) is recognised as a message without a schema.
    const counts = m.fields.find((f) => f.fieldNumber === 11);
    expect(counts?.decoded.kind).toBe("message");
    // seq = 2^64 - 1 is one varint of 10 bytes.
    expect(m.fields[0].decoded).toMatchObject({ kind: "varint", unsigned: 2n ** 64n - 1n });
  });

  it("decodes repeated messages (StreamTraceResponse.events) and map<string, int64>", () => {
    const batch = create(StreamTraceResponseSchema, {
      events: [traceEvent, create(TraceEventSchema, { seq: 2n, summary: "PUBACK #12" })],
      dropped: 3n,
    });
    expectMatchesMessage(decodeProtobuf(toBinary(StreamTraceResponseSchema, batch), { schema: StreamTraceResponseSchema }), StreamTraceResponseSchema, batch);
    const counters = create(GetCountersResponseSchema, { counters: { ordersAccepted: 5n, stock: { "sku-1": -2n, "sku-2": 40n } } });
    expectMatchesMessage(decodeProtobuf(toBinary(GetCountersResponseSchema, counters), { schema: GetCountersResponseSchema }), GetCountersResponseSchema, counters);
  });

  it("decodes every scalar type, enums, packed and unpacked repeated fields", () => {
    const msg = create(ScalarsSchema, {
      d: -2.5,
      f: 0.75,
      i64: -123456789012345n,
      u64: 18446744073709551615n,
      i32: -2147483648,
      fx64: 2n ** 63n,
      fx32: 4294967295,
      b: true,
      s: "héllo ✓",
      by: Uint8Array.of(0, 1, 2, 255),
      u32: 4294967295,
      sfx32: -42,
      sfx64: -4242n,
      s32: -64,
      s64: -9223372036854775808n,
      color: 2,
      ri32: [1, -1, 300],
      rs64: [0n, -1n, 1n, -9223372036854775808n],
      rstr: ["a", "", "日本"],
      rd: [1.5, -0],
      rcolor: [1, 2, 7],
      big: 1,
    } as never);
    const bytes = toBinary(ScalarsSchema, msg);
    const m = decodeProtobuf(bytes, { schema: ScalarsSchema });
    expectMatchesMessage(m, ScalarsSchema, msg as unknown as Record<string, unknown>);
    expectMatchesReference(decodeProtobuf(bytes), bytes);
    const byName = new Map(m.fields.map((f) => [f.schema?.name, f]));
    expect(byName.get("s32")?.decoded).toMatchObject({ kind: "varint", unsigned: 127n });
    expect(byName.get("ri32")?.decoded.kind).toBe("packed");
    expect(byName.get("ri32")?.display).toBe("[1, -1, 300]");
    expect(byName.get("rcolor")?.display).toBe("[COLOR_RED (1), COLOR_BLUE (2), 7]");
    expect(byName.get("by")?.display).toBe("4 bytes: 00 01 02 ff");
    // Repeated strings are never packed: one record each, empty string included.
    expect(m.fields.filter((f) => f.schema?.name === "rstr").map((f) => f.display)).toEqual(['"a"', '""', '"日本"']);
  });

  it("accepts unpacked encoding of a packable repeated field (proto2 default)", () => {
    // FileDescriptorProto.public_dependency is `repeated int32` in proto2: unpacked.
    const fdp = create(FDP, { name: "x.proto", publicDependency: [3, 4] });
    const bytes = toBinary(FDP, fdp);
    const m = decodeProtobuf(bytes, { schema: FDP });
    expectMatchesMessage(m, FDP, fdp as unknown as Record<string, unknown>);
    const deps = m.fields.filter((f) => f.schema?.name === "public_dependency");
    expect(deps.map((f) => [f.wireType, f.typed?.value])).toEqual([
      [0, 3],
      [0, 4],
    ]);
    // SourceCodeInfo.Location.path is [packed = true].
    const loc = create(SourceCodeInfo_LocationSchema, { path: [4, 0, 2, 1], span: [10, 2, 30] });
    const l = decodeProtobuf(toBinary(SourceCodeInfo_LocationSchema, loc), { schema: SourceCodeInfo_LocationSchema });
    expectMatchesMessage(l, SourceCodeInfo_LocationSchema, loc as unknown as Record<string, unknown>);
    expect(l.fields[0].decoded.kind === "packed" && l.fields[0].decoded.elements.map((e) => e.offset)).toEqual([2, 3, 4, 5]);
  });

  it("flags unknown fields and wire types that do not match the schema", () => {
    // Field 1 is a VARINT on the wire but GetUserResponse.user is a message.
    const bytes = toBinary(UserSchema, create(UserSchema, { id: 5n, name: "n" }));
    const m = decodeProtobuf(Uint8Array.of(...bytes, 0xa0, 0x06, 0x01), { schema: GetUserResponseSchema });
    expect(m.error).toBeUndefined();
    expect(m.fields[0].note).toMatch(/does not match the schema/);
    expect(m.fields[0].decoded).toMatchObject({ kind: "varint", unsigned: 5n });
    expect(m.fields[1].unknown).toBe(true);
    expect(m.fields[1].schema).toBeUndefined();
    expect(m.fields[2]).toMatchObject({ fieldNumber: 100, unknown: true, display: "1" });
  });

  it("reports an error inside a nested message on the top-level result", () => {
    // GetUserResponse { user: <2 bytes: tag of name + length 5, but nothing follows> }
    const m = decodeProtobuf(fromHex("0a 02 12 05"), { schema: GetUserResponseSchema });
    expect(m.error).toEqual({ offset: 2, reason: expect.stringMatching(/truncated: LEN field 2 declares 5 bytes but only 0 remain/) });
    expect(m.fields[0].decoded).toMatchObject({ kind: "message", message: { error: { offset: 2 } } });
  });
});

describe("decodeProtobuf on malformed input", () => {
  const cases: [string, string, number, RegExp][] = [
    ["field number 0", "00", 0, /field number 0/],
    ["SGROUP", "0b", 0, /wire type 3 \(SGROUP\).*groups/],
    ["EGROUP after a field", "08 01 0c", 2, /wire type 4 \(EGROUP\)/],
    ["wire type 6", "0e", 0, /invalid wire type 6/],
    ["wire type 7", "0f 00", 0, /invalid wire type 7/],
    ["tag ends mid-varint", "80", 0, /truncated tag/],
    ["value ends mid-varint", "08 80 80", 1, /truncated value of field 1/],
    ["LEN longer than the data", "12 05 41", 0, /LEN field 2 declares 5 bytes but only 1 remain/],
    ["LEN length ends mid-varint", "12 ff", 1, /truncated length of field 2/],
    ["I64 cut", "09 01 02 03", 0, /I64 field 1 needs 8 bytes but only 3 remain/],
    ["I32 cut", "0d 01", 0, /I32 field 1 needs 4 bytes but only 1 remain/],
    ["11-byte varint", "08 ff ff ff ff ff ff ff ff ff ff 01", 1, /longer than 64 bits/],
    ["tag beyond 32 bits", "ff ff ff ff 7f", 0, /32 bits/],
  ];
  for (const [name, hex, offset, reason] of cases) {
    it(`returns an error for ${name}`, () => {
      const m = decodeProtobuf(fromHex(hex));
      expect(m.error?.offset).toBe(offset);
      expect(m.error?.reason).toMatch(reason);
    });
  }

  it("keeps the fields before the error", () => {
    const m = decodeProtobuf(fromHex("08 01 12 01 41 1a 09 00"));
    expect(m.fields.map((f) => f.fieldNumber)).toEqual([1, 2]);
    expect(m.error?.offset).toBe(5);
  });

  it("errors on every cut of a real message that is not at a field boundary", () => {
    const bytes = toBinary(TraceEventSchema, create(TraceEventSchema, { seq: 1n, session: "abc", bytes: { header: 1, body: 2 }, durationMs: 3.5 }));
    const boundaries = new Set(referenceFields(bytes).map((r) => r.end));
    for (let n = 1; n < bytes.length; n++) {
      for (const schema of [undefined, TraceEventSchema]) {
        const m = decodeProtobuf(bytes.subarray(0, n), { schema });
        if (boundaries.has(n)) expect(m.error, `cut at ${n}`).toBeUndefined();
        else expect(m.error, `cut at ${n}`).toBeDefined();
      }
    }
  });

  it("never throws on random bytes and keeps offsets in range", () => {
    let seed = 12345;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed;
    };
    for (let i = 0; i < 2000; i++) {
      const bytes = new Uint8Array(rand() % 64);
      for (let j = 0; j < bytes.length; j++) bytes[j] = rand() & 0xff;
      for (const schema of [undefined, TraceEventSchema, UserSchema]) {
        const m = decodeProtobuf(bytes, { schema });
        for (const { field } of flattenProtoFields(m)) {
          expect(field.offset).toBeGreaterThanOrEqual(0);
          expect(field.offset + field.length).toBeLessThanOrEqual(bytes.length);
        }
        if (m.error) {
          expect(m.error.offset).toBeGreaterThanOrEqual(0);
          expect(m.error.offset).toBeLessThanOrEqual(bytes.length);
        }
      }
    }
  });
});
