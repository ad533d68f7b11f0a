import mqttPacket, { type Packet } from "mqtt-packet";
import { describe, expect, it } from "vitest";
import { fromBinary, toBinary } from "@bufbuild/protobuf";
import { TraceEventSchema, type TraceEvent } from "../../lib/gen/lab/v1/trace_pb";
import { ProtoWriter, traceEventEncoder } from "../trace/trace-codec";
import { lighten, TraceHub, type LazyTraceEvent } from "../trace/trace-hub";
import { MalformedPacketError, PacketFramer, publishPayloadLength, readConnect, readPacketId, readPublish, readReturnCode, readTopicFilters } from "./packet-framer";
import { ConnectionTrace, RecentPublishes, type PacketDirection } from "./packet-observer";

type GenPacket = Parameters<typeof mqttPacket.generate>[0];

const SESSION = "framerspec1";
const gen = (p: GenPacket, protocolVersion = 4) => mqttPacket.generate(p, { protocolVersion });

/** The packet as MQTT.js's own parser reads it (the reference). */
function parse(raw: Buffer, protocolVersion = 4): Packet {
  const parser = mqttPacket.parser({ protocolVersion });
  let out: Packet | undefined;
  parser.on("packet", (p: Packet) => (out = p));
  parser.on("error", (e: Error) => {
    throw e;
  });
  parser.parse(raw);
  if (!out) throw new Error("no packet");
  return out;
}

const PACKETS: GenPacket[] = [
  { cmd: "connect", clientId: "wirelab-browser-1", username: SESSION, password: Buffer.from("x"), clean: true, keepalive: 30, protocolId: "MQTT", protocolVersion: 4 },
  { cmd: "connect", clientId: "c2", clean: false, keepalive: 0, protocolId: "MQTT", protocolVersion: 4, will: { topic: `lab/${SESSION}/will`, payload: Buffer.from("bye"), qos: 1, retain: false }, username: "someone" },
  { cmd: "connack", returnCode: 0, sessionPresent: false },
  { cmd: "connack", returnCode: 5, sessionPresent: false },
  { cmd: "publish", topic: `lab/${SESSION}/rpc/lab.v1.UserService/GetUser/abc123`, payload: Buffer.from([8, 1]), qos: 0, dup: false, retain: false },
  { cmd: "publish", topic: `lab/${SESSION}/events/order.created`, payload: Buffer.alloc(300, 7), qos: 1, messageId: 42, dup: true, retain: true },
  { cmd: "publish", topic: "lab/x/多字节", payload: Buffer.from("{}"), qos: 2, messageId: 65535, dup: false, retain: false },
  { cmd: "puback", messageId: 42 },
  { cmd: "pubrec", messageId: 7 },
  { cmd: "pubrel", messageId: 7 },
  { cmd: "pubcomp", messageId: 7 },
  { cmd: "subscribe", messageId: 3, subscriptions: [{ topic: `lab/${SESSION}/reply/#`, qos: 1 }, { topic: "lab/+/x", qos: 2 }] },
  { cmd: "suback", messageId: 3, granted: [1, 128] },
  { cmd: "unsubscribe", messageId: 4, unsubscriptions: [`lab/${SESSION}/a`, `lab/${SESSION}/b`] },
  { cmd: "unsuback", messageId: 4, granted: [] },
  { cmd: "pingreq" },
  { cmd: "pingresp" },
  { cmd: "disconnect" },
];

describe("PacketFramer (MQTT 3.1.1 §2.2.3)", () => {
  const stream = Buffer.concat(PACKETS.map((p) => gen(p)));
  const whole = PACKETS.map((p) => gen(p));

  it("cuts a stream into the same packets however it is chunked", () => {
    for (const size of [1, 2, 3, 5, 7, 64, stream.length]) {
      const got: Buffer[] = [];
      const framer = new PacketFramer((raw) => got.push(Buffer.from(raw)));
      for (let off = 0; off < stream.length; off += size) framer.push(stream.subarray(off, off + size));
      expect(got, `chunks of ${size}`).toEqual(whole);
    }
  });

  it("hands over views of a chunk of whole packets, without copying", () => {
    const got: Buffer[] = [];
    new PacketFramer((raw) => got.push(raw)).push(stream);
    expect(got.every((b) => b.buffer === stream.buffer)).toBe(true);
  });

  it("reads a 4-byte Remaining Length and refuses a fifth byte", () => {
    const big = gen({ cmd: "publish", topic: "t", payload: Buffer.alloc(2_097_152), qos: 0, dup: false, retain: false });
    expect(big.subarray(1, 5).every((b, i) => (i < 3 ? (b & 0x80) !== 0 : (b & 0x80) === 0))).toBe(true);
    const got: Buffer[] = [];
    const framer = new PacketFramer((raw) => got.push(raw));
    framer.push(big.subarray(0, 3));
    framer.push(big.subarray(3));
    expect(got.map((b) => b.length)).toEqual([big.length]);
    const bad = new PacketFramer(() => {});
    expect(() => bad.push(Buffer.from([0x30, 0xff, 0xff, 0xff, 0xff, 0x01]))).toThrow(MalformedPacketError);
    expect(() => bad.push(stream)).not.toThrow();
  });
});

describe("fixed-place readers agree with MQTT.js's parser", () => {
  it("for every packet type, MQTT 3.1.1", () => {
    for (const p of PACKETS) {
      const raw = gen(p);
      const ref = parse(raw) as Packet & Record<string, unknown>;
      const type = raw[0] >> 4;
      if (ref.cmd === "publish") {
        const facts = readPublish(raw);
        expect(facts).toEqual({ topic: ref.topic, qos: ref.qos, dup: ref.dup, retain: ref.retain, packetId: ref.messageId ?? 0 });
        expect(publishPayloadLength(raw, 4)).toBe((ref.payload as Buffer).length);
      }
      if (ref.cmd === "connect") {
        expect(readConnect(raw)).toEqual({ protocolLevel: 4, clientId: ref.clientId, clean: ref.clean, username: ref.username });
      }
      if (["puback", "pubrec", "pubrel", "pubcomp", "subscribe", "suback", "unsubscribe", "unsuback"].includes(ref.cmd)) {
        expect(readPacketId(raw), ref.cmd).toBe(ref.messageId);
      }
      if (ref.cmd === "subscribe") {
        const subs = ref.subscriptions as Array<{ topic: string; qos: number }>;
        expect(readTopicFilters(raw, 4)).toEqual({ filters: subs.map((s) => s.topic), firstQos: subs[0].qos });
      }
      if (ref.cmd === "unsubscribe") expect(readTopicFilters(raw, 4).filters).toEqual(ref.unsubscriptions);
      if (ref.cmd === "connack") expect(readReturnCode(raw, 4)).toBe(String(ref.returnCode));
      if (ref.cmd === "suback") expect(readReturnCode(raw, 4)).toBe((ref.granted as number[]).join(", "));
      expect(type).toBeGreaterThan(0);
    }
  });

  it("for MQTT 5's property sections", () => {
    const connect = gen({ cmd: "connect", clientId: "v5client", username: SESSION, clean: true, keepalive: 10, protocolId: "MQTT", protocolVersion: 5, properties: { sessionExpiryInterval: 60, receiveMaximum: 10 } }, 5);
    expect(readConnect(connect)).toEqual({ protocolLevel: 5, clientId: "v5client", clean: true, username: SESSION });
    const publish = gen({ cmd: "publish", topic: "lab/x/y", payload: Buffer.from("hello"), qos: 1, messageId: 9, dup: false, retain: false, properties: { contentType: "text/plain", userProperties: { a: "b" } } }, 5);
    expect(readPublish(publish)).toMatchObject({ topic: "lab/x/y", qos: 1, packetId: 9 });
    expect(publishPayloadLength(publish, 5)).toBe(5);
    const suback = gen({ cmd: "suback", messageId: 2, granted: [0, 1], properties: { reasonString: "ok" } }, 5);
    expect(readReturnCode(suback, 5)).toBe("0, 1");
  });
});

describe("ConnectionTrace from packet bytes", () => {
  function traced(packets: Array<[GenPacket, PacketDirection]>) {
    const hub = new TraceHub({ enabled: true, bufferEvents: 100 });
    const trace = new ConnectionTrace(hub, new RecentPublishes());
    for (const [p, dir] of packets) trace.observe(gen(p), dir);
    return hub.recent(SESSION);
  }

  it("records each packet's exact bytes, type, flags, ids and byte counts, built only when read", () => {
    const events = traced([
      [PACKETS[0], "to-broker"],
      [PACKETS[2], "from-broker"],
      [PACKETS[5], "from-broker"],
      [PACKETS[7], "to-broker"],
      [PACKETS[11], "to-broker"],
      [PACKETS[12], "from-broker"],
    ]);
    const by = (type: string) => events.find((e) => e.mqtt?.packetType === type)!;
    expect(events.map((e) => e.mqtt?.packetType)).toEqual(["CONNECT", "CONNACK", "PUBLISH", "PUBACK", "SUBSCRIBE", "SUBACK"]);
    const publish = by("PUBLISH");
    const raw = gen(PACKETS[5]);
    expect(Buffer.from(publish.wire).equals(raw)).toBe(true);
    expect(publish.bytes).toMatchObject({ header: raw.length - 300, body: 300 });
    expect(publish.mqtt).toMatchObject({ topic: `lab/${SESSION}/events/order.created`, qos: 1, dup: true, retain: true, packetId: 42, clientId: "wirelab-browser-1", messageType: "lab.v1.OrderCreated" });
    expect(publish).toMatchObject({ from: "Broker", to: "Browser", summary: "PUBLISH events/order.created" });
    // The PUBACK answering the broker's PUBLISH shares its span (§4.3.2).
    expect(by("PUBACK")).toMatchObject({ spanId: publish.spanId, summary: "PUBACK #42", from: "Browser", to: "Broker" });
    expect(by("CONNACK").summary).toBe("CONNACK 0");
    expect(by("SUBSCRIBE").mqtt).toMatchObject({ topic: `lab/${SESSION}/reply/#, lab/+/x`, qos: 1, packetId: 3 });
    expect(by("SUBACK")).toMatchObject({ summary: "SUBACK 1, 128" });
    for (const e of events) expect(e.bytes!.header + e.bytes!.body).toBe(e.wire.length);
  });

  it("keeps a copy of each packet's bytes, across the store's chunks, and a big packet's own", () => {
    const hub = new TraceHub({ enabled: true, bufferEvents: 2000 });
    const trace = new ConnectionTrace(hub, new RecentPublishes());
    trace.observe(gen(PACKETS[0]), "to-broker");
    // 1,500 publishes of 50–250 bytes fill several 32 KiB chunks; then one of 20 KiB.
    const sent: Buffer[] = [];
    for (let i = 0; i < 1500; i++) {
      sent.push(gen({ cmd: "publish", topic: `lab/${SESSION}/t/${i}`, payload: Buffer.alloc(i % 200, i % 251), qos: 0, dup: false, retain: false }));
    }
    sent.push(gen({ cmd: "publish", topic: `lab/${SESSION}/big`, payload: Buffer.alloc(20_000, 7), qos: 0, dup: false, retain: false }));
    const copies = sent.map((b) => Buffer.from(b));
    for (const raw of sent) trace.observe(raw, "to-broker");
    // The socket's buffers are reused after a read: what the trace shows must not change with them.
    for (const raw of sent.slice(0, -1)) raw.fill(0);
    const events = hub.recent(SESSION).slice(1);
    expect(events).toHaveLength(copies.length);
    events.slice(0, -1).forEach((e, i) => expect(Buffer.from(e.wire).equals(copies[i])).toBe(true));
    const big = events[events.length - 1];
    expect(big.bytes).toMatchObject({ body: 20_000, header: copies[copies.length - 1].length - 20_000 });
    expect(big.wireTruncated).toBe(true);
    expect(Buffer.from(big.wire).equals(copies[copies.length - 1].subarray(0, big.wire.length))).toBe(true);
  });

  it("records a PUBLISH or an ack later, in the order it crossed, before anything reads the trace or records after it", async () => {
    const hub = new TraceHub({ enabled: true, bufferEvents: 100, flushIntervalMs: 20 });
    const trace = new ConnectionTrace(hub, new RecentPublishes());
    const recorded: string[] = [];
    const emit = hub.emit.bind(hub);
    hub.emit = (e) => {
      // After the hub's own emit, which records what was kept first.
      emit(e);
      recorded.push("build" in e ? e.build(true).summary! : e.summary!);
    };
    trace.observe(gen(PACKETS[0]), "to-broker");
    const publish = gen(PACKETS[5]);
    trace.observe(publish, "from-broker");
    trace.observe(gen(PACKETS[7]), "to-broker");
    // Kept, not yet recorded: the socket's buffer may be reused at once.
    expect(recorded).toEqual(["CONNECT"]);
    publish.fill(0);
    // Another event (a fault, an HTTP hop) comes after them.
    hub.emit({ session: SESSION, summary: "after" });
    expect(recorded).toEqual(["CONNECT", "PUBLISH events/order.created", "PUBACK #42", "after"]);
    // A reader sees what crossed, whenever it reads.
    trace.observe(gen(PACKETS[4]), "to-broker");
    expect(hub.recent(SESSION).map((e) => e.summary)).toEqual(["CONNECT", "PUBLISH events/order.created", "PUBACK #42", "after", "PUBLISH rpc/lab.v1.UserService/GetUser/abc123"]);
    // With nobody reading, the next flush records them.
    const batches: number[] = [];
    hub.subscribe(SESSION, (b) => batches.push(b.events.length));
    trace.observe(gen(PACKETS[4]), "to-broker");
    trace.observe(gen(PACKETS[7]), "from-broker");
    await new Promise((r) => setTimeout(r, 200));
    expect(batches).toEqual([2]);
    expect(recorded.slice(-2)).toEqual(["PUBLISH rpc/lab.v1.UserService/GetUser/abc123", "PUBACK #42"]);
    hub.close();
  });

  it("gives each kept PUBLISH the cause named before it, when the next is named before it is recorded", () => {
    const hub = new TraceHub({ enabled: true, bufferEvents: 100 });
    const publishes = new RecentPublishes();
    const orders = new ConnectionTrace(hub, publishes);
    orders.identify("wirelab-orders");
    const topic = `lab/${SESSION}/events/order.created`;
    for (const cause of ["order-span-1", "order-span-2"]) {
      publishes.expectCause(topic, cause);
      orders.observe(gen({ cmd: "publish", topic, payload: Buffer.from([8, 1]), qos: 0, dup: false, retain: false }), "to-broker");
    }
    expect(hub.recent(SESSION).map((e) => e.parentSpanId)).toEqual(["order-span-1", "order-span-2"]);
  });

  it("names a request/reply PUBLISH's parent after the correlation id in its topic", () => {
    const events: TraceEvent[] = traced([
      [PACKETS[0], "to-broker"],
      [PACKETS[4], "to-broker"],
    ]);
    expect(events[1]).toMatchObject({ parentSpanId: "abc123", mqtt: { messageType: "lab.v1.GetUserRequest", qos: 0, packetId: 0 } });
  });

  it("writes a light PUBLISH or ack straight from its bytes, byte for byte as the encoder writes it from build(true)", () => {
    const hub = new TraceHub({ enabled: true, bufferEvents: 1000 });
    const recorded: LazyTraceEvent[] = [];
    const emit = hub.emit.bind(hub);
    hub.emit = (e) => {
      recorded.push(e as LazyTraceEvent);
      emit(e);
    };
    const publishes = new RecentPublishes();
    const client = new ConnectionTrace(hub, publishes);
    const v5 = new ConnectionTrace(hub, publishes);
    const service = new ConnectionTrace(hub, publishes);
    const long = `lab/${SESSION}/t/${"x".repeat(200)}`;
    const packets: Array<[ConnectionTrace, Buffer, PacketDirection]> = [
      [client, gen(PACKETS[0]), "to-broker"],
      [v5, gen({ cmd: "connect", clientId: "v5client", username: SESSION, clean: true, keepalive: 10, protocolId: "MQTT", protocolVersion: 5 }, 5), "to-broker"],
      [service, gen({ cmd: "connect", clientId: "wirelab-users", clean: true, keepalive: 10, protocolId: "MQTT", protocolVersion: 4 }), "to-broker"],
      // Request/reply at QoS 0: the parent named in the topic, the delivery's parent from the broker's recent publishes.
      [client, gen(PACKETS[4]), "to-broker"],
      [service, gen(PACKETS[4]), "from-broker"],
      [service, gen({ cmd: "publish", topic: `lab/${SESSION}/reply/lab.v1.UserService/GetUser/abc123`, payload: Buffer.alloc(40, 1), qos: 0, dup: false, retain: false }), "to-broker"],
      // QoS 1 and 2 with DUP and RETAIN, and their acks sharing the PUBLISH's span (§4.3.2, §4.3.3).
      [client, gen(PACKETS[5]), "from-broker"],
      [client, gen(PACKETS[7]), "to-broker"],
      [client, gen({ cmd: "publish", topic: `lab/${SESSION}/q2`, payload: Buffer.alloc(0), qos: 2, messageId: 7, dup: false, retain: true }), "to-broker"],
      [client, gen(PACKETS[8]), "from-broker"],
      [client, gen(PACKETS[9]), "to-broker"],
      [client, gen(PACKETS[10]), "from-broker"],
      // An ack for no PUBLISH seen, a topic outside the session, a long topic (two-byte lengths), an empty one, MQTT 5 properties.
      [client, gen({ cmd: "puback", messageId: 999 }), "from-broker"],
      [client, gen({ cmd: "pubrec", messageId: 65535 }), "from-broker"],
      [client, gen({ cmd: "pubcomp", messageId: 1000 }), "to-broker"],
      [client, gen({ cmd: "publish", topic: "lab/someoneelse/x", payload: Buffer.from("{}"), qos: 0, dup: false, retain: false }), "to-broker"],
      [client, gen({ cmd: "publish", topic: long, payload: Buffer.alloc(5000, 2), qos: 1, messageId: 300, dup: false, retain: false }), "to-broker"],
      [client, gen({ cmd: "publish", topic: `lab/${SESSION}`, payload: Buffer.from("x"), qos: 0, dup: false, retain: false }), "to-broker"],
      [v5, gen({ cmd: "publish", topic: `lab/${SESSION}/v5`, payload: Buffer.from("hello"), qos: 1, messageId: 9, dup: false, retain: false, properties: { contentType: "text/plain", userProperties: { a: "b" } } }, 5), "to-broker"],
      // Parents named as strings: a QoS 1 request's correlation id (its PUBACK shares it), one not in ASCII, and a cause.
      [client, gen({ cmd: "publish", topic: `lab/${SESSION}/rpc/lab.v1.UserService/GetUser/q1corr`, payload: Buffer.from([8, 1]), qos: 1, messageId: 11, dup: false, retain: false }), "to-broker"],
      [client, gen({ cmd: "puback", messageId: 11 }), "from-broker"],
      [client, gen({ cmd: "publish", topic: `lab/${SESSION}/rpc/lab.v1.UserService/GetUser/关联`, payload: Buffer.from([8, 1]), qos: 1, messageId: 12, dup: false, retain: false }), "to-broker"],
      [client, gen({ cmd: "publish", topic: `lab/${SESSION}/reply/lab.v1.UserService/GetUser/关联0`, payload: Buffer.from([8, 1]), qos: 0, dup: false, retain: false }), "to-broker"],
      [service, gen({ cmd: "publish", topic: `lab/${SESSION}/events/order.created`, payload: Buffer.from([8, 1]), qos: 0, dup: false, retain: false }), "to-broker"],
      // A topic that is not ASCII; then packets other than PUBLISH and its acks, not written straight.
      [client, gen({ cmd: "publish", topic: `lab/${SESSION}/多字节`, payload: Buffer.from("{}"), qos: 0, dup: false, retain: false }), "to-broker"],
      [client, gen(PACKETS[11]), "to-broker"],
      [client, gen(PACKETS[12]), "from-broker"],
    ];
    publishes.expectCause(`lab/${SESSION}/events/order.created`, "cause-span-1");
    for (const [trace, raw, dir] of packets) trace.observe(raw, dir);
    // All but the lab service's CONNECT, which names no session.
    expect(recorded).toHaveLength(packets.length - 1);
    const written = (e: LazyTraceEvent, fast: boolean) => {
      const w = new ProtoWriter(8);
      if (fast) {
        if (!e.writeLight!(w)) return undefined;
      } else {
        traceEventEncoder!(w, e.build(true), true, e);
      }
      return Uint8Array.from(w.buf.subarray(0, w.pos));
    };
    const direct = recorded.map((e) => written(e, true));
    const types = recorded.map((e) => e.build(true).mqtt!);
    expect(direct.map((d) => d !== undefined)).toEqual(types.map((m) => /^(PUBLISH|PUBACK|PUBREC|PUBREL|PUBCOMP)$/.test(m.packetType!)));
    expect(direct.filter(Boolean)).toHaveLength(22);
    recorded.forEach((e, i) => {
      if (direct[i]) expect(direct[i]).toEqual(written(e, false));
    });
    // What a page decodes is the light event, as protobuf-es writes it.
    const events = hub.recent(SESSION);
    const body = (i: number) => {
      const d = direct[i]!;
      return d.subarray(d[0] & 0x80 ? 2 : 1);
    };
    const reply = types.findIndex((m) => m.topic!.includes("/reply/"));
    expect(fromBinary(TraceEventSchema, body(reply))).toEqual(lighten(events[reply]));
    expect(toBinary(TraceEventSchema, lighten(events[reply]))).toEqual(body(reply));
    expect(events[reply]).toMatchObject({ summary: "PUBLISH reply/lab.v1.UserService/GetUser/abc123", parentSpanId: "abc123", from: "UserService", to: "Broker", bytes: { body: 40 } });
    const longOne = types.findIndex((m) => m.topic === long);
    expect(fromBinary(TraceEventSchema, body(longOne))).toEqual(lighten(events[longOne]));
    const parents = events.map((e) => e.parentSpanId);
    expect(parents).toEqual(expect.arrayContaining(["abc123", "q1corr", "关联", "关联0", "cause-span-1"]));
    expect(events.find((e) => e.summary === "PUBACK #11")?.parentSpanId).toBe("q1corr");
    expect(events.map((e) => e.summary)).toEqual(expect.arrayContaining(["PUBREC #65535", "PUBCOMP #1000", "PUBACK #999"]));
    const chinese = types.findIndex((m) => m.topic!.endsWith("多字节"));
    expect(fromBinary(TraceEventSchema, body(chinese))).toMatchObject({ summary: "PUBLISH 多字节", mqtt: { topic: `lab/${SESSION}/多字节` } });
    expect(events[longOne]).toMatchObject({ summary: `PUBLISH t/${"x".repeat(200)}`, bytes: { body: 5000 }, mqtt: { qos: 1, packetId: 300 } });
  });
});
