import mqttPacket from "mqtt-packet";
import { describe, expect, it } from "vitest";
import { mqttHighlights, mqttRedactions } from "./highlights";
import { decodeMqttPacket, decodeMqttPackets, encodeRemainingLength, type MqttPacket } from "./mqtt-packet";

type GenPacket = Parameters<typeof mqttPacket.generate>[0];

function gen(packet: GenPacket, opts?: object): Uint8Array {
  return new Uint8Array(mqttPacket.generate(packet, opts));
}

function field(p: MqttPacket, name: string, nth = 0) {
  const f = p.fields.filter((x) => x.name === name)[nth];
  if (!f) throw new Error(`no field ${name} in ${p.fields.map((x) => x.name).join(", ")}`);
  return f;
}

/** Common invariants: no error, sizes add up, fields inside the packet. */
function decodeOk(bytes: Uint8Array, opts = {}): MqttPacket {
  const p = decodeMqttPacket(bytes, opts);
  expect(p.error).toBeUndefined();
  expect(p.totalBytes).toBe(bytes.length);
  expect(p.fixedHeaderBytes + p.remainingLength).toBe(bytes.length);
  expect(p.headerBytes + p.payloadBytes).toBe(bytes.length);
  expect(p.headerBytes).toBe(p.fixedHeaderBytes + p.variableHeaderBytes);
  expect(p.trailingBytes).toBe(0);
  for (const f of p.fields) {
    expect(f.offset).toBeGreaterThanOrEqual(0);
    expect(f.offset + f.length).toBeLessThanOrEqual(bytes.length);
  }
  return p;
}

describe("decodeMqttPacket: fixed header", () => {
  it("encodes and decodes Remaining Length as §2.2.3's table", () => {
    const table: [number, number[]][] = [
      [0, [0x00]],
      [127, [0x7f]],
      [128, [0x80, 0x01]],
      [16383, [0xff, 0x7f]],
      [16384, [0x80, 0x80, 0x01]],
      [2097151, [0xff, 0xff, 0x7f]],
      [2097152, [0x80, 0x80, 0x80, 0x01]],
      [268435455, [0xff, 0xff, 0xff, 0x7f]],
    ];
    for (const [n, bytes] of table) {
      expect(Array.from(encodeRemainingLength(n))).toEqual(bytes);
      const p = decodeMqttPacket(Uint8Array.of(0x30, ...bytes));
      expect(p.remainingLength).toBe(n);
      expect(p.fixedHeaderBytes).toBe(1 + bytes.length);
      expect(field(p, "Remaining Length")).toMatchObject({ offset: 1, length: bytes.length, value: n });
    }
  });

  it("rejects a 5-byte Remaining Length, type 0 and QoS 3", () => {
    expect(decodeMqttPacket(Uint8Array.of(0x30, 0xff, 0xff, 0xff, 0xff, 0x01)).error?.reason).toMatch(/longer than 4 bytes/);
    expect(decodeMqttPacket(Uint8Array.of(0x00, 0x00)).error?.reason).toMatch(/type 0 is reserved/);
    expect(decodeMqttPacket(Uint8Array.of(0x36, 0x00)).error?.reason).toMatch(/QoS 3/);
    expect(decodeMqttPacket(new Uint8Array(0)).error?.offset).toBe(0);
  });
});

describe("decodeMqttPacket on packets from mqtt-packet's generate()", () => {
  it("CONNECT with will, user name and password (§3.1)", () => {
    const bytes = gen({
      cmd: "connect",
      protocolId: "MQTT",
      protocolVersion: 4,
      clean: true,
      clientId: "wirelab-张三",
      keepalive: 60,
      username: "ada",
      password: Buffer.from("s3cret!"),
      will: { topic: "lab/s1/status", payload: Buffer.from("offline"), qos: 1, retain: true },
    });
    const p = decodeOk(bytes);
    expect(p.typeName).toBe("CONNECT");
    expect(p.flags).toBe(0);
    expect(field(p, "Protocol Name")).toMatchObject({ offset: 2, length: 6, value: "MQTT", lengthPrefixBytes: 2, section: "variable-header" });
    expect(field(p, "Protocol Level")).toMatchObject({ offset: 8, value: 4, display: "4 (MQTT 3.1.1)" });
    // user name 1, password 1, will retain 1, will QoS 01, will 1, clean 1, reserved 0
    expect(field(p, "Connect Flags")).toMatchObject({ offset: 9, value: 0b11101110 });
    expect(field(p, "User Name Flag").value).toBe(true);
    expect(field(p, "Password Flag").value).toBe(true);
    expect(field(p, "Will Retain").value).toBe(true);
    expect(field(p, "Will QoS").value).toBe(1);
    expect(field(p, "Will Flag").value).toBe(true);
    expect(field(p, "Clean Session").value).toBe(true);
    expect(field(p, "Keep Alive")).toMatchObject({ offset: 10, length: 2, value: 60 });
    expect(p.keepAlive).toBe(60);
    expect(p.variableHeaderBytes).toBe(10);
    expect(field(p, "Client Identifier")).toMatchObject({ offset: 12, value: "wirelab-张三", section: "payload" });
    expect(p.clientId).toBe("wirelab-张三");
    expect(field(p, "Will Topic").value).toBe("lab/s1/status");
    expect(field(p, "Will Message").value).toEqual(new Uint8Array(Buffer.from("offline")));
    expect(field(p, "User Name").value).toBe("ada");
    const pw = field(p, "Password");
    expect(pw).toMatchObject({ value: null, sensitive: true, length: 2 + 7 });
    expect(pw.display).toMatch(/^present/);
    expect(pw.display).not.toContain("s3cret");
    expect(pw.offset + pw.length).toBe(bytes.length);
    expect(mqttRedactions(p)).toEqual([{ offset: pw.offset + 2, length: 7 }]);
    expect(p.warnings).toEqual([]);
    expect(p.summary).toBe("CONNECT wirelab-张三");
  });

  it("a minimal CONNECT: empty client id (clean session required, §3.1.3.1), no will, no credentials", () => {
    const p = decodeOk(gen({ cmd: "connect", protocolId: "MQTT", protocolVersion: 4, clean: true, clientId: "", keepalive: 0 }));
    expect(field(p, "Connect Flags").value).toBe(0b10);
    expect(field(p, "Clean Session").value).toBe(true);
    expect(field(p, "Keep Alive").display).toBe("0 (disabled)");
    expect(p.clientId).toBe("");
    expect(p.fields.some((f) => f.name === "Password" || f.name === "Will Topic" || f.name === "User Name")).toBe(false);
    expect(p.payloadBytes).toBe(2);
    expect(p.summary).toBe("CONNECT (empty client id)");
    const persistent = decodeOk(gen({ cmd: "connect", protocolId: "MQTT", protocolVersion: 4, clean: false, clientId: "keep", keepalive: 5 }));
    expect(field(persistent, "Connect Flags").value).toBe(0);
    expect(field(persistent, "Clean Session").value).toBe(false);
  });

  it("CONNECT of MQTT 3.1 (MQIsdp, level 3)", () => {
    const p = decodeOk(gen({ cmd: "connect", protocolId: "MQIsdp", protocolVersion: 3, clean: true, clientId: "old", keepalive: 10 }));
    expect(field(p, "Protocol Name").value).toBe("MQIsdp");
    expect(field(p, "Protocol Level").display).toBe("3 (MQTT 3.1)");
    expect(p.clientId).toBe("old");
  });

  it("CONNECT of MQTT 5: properties skipped and reported, payload still decoded", () => {
    const bytes = gen({
      cmd: "connect",
      protocolId: "MQTT",
      protocolVersion: 5,
      clean: true,
      clientId: "v5-client",
      keepalive: 30,
      username: "u",
      password: Buffer.from("p"),
      properties: { sessionExpiryInterval: 300, receiveMaximum: 10, userProperties: { a: "b" } },
      will: { topic: "w", payload: Buffer.from("bye"), qos: 0, retain: false, properties: { willDelayInterval: 5 } },
    });
    const p = decodeOk(bytes);
    expect(p.protocolLevel).toBe(5);
    expect(field(p, "Protocol Level").display).toBe("5 (MQTT 5)");
    expect(field(p, "Clean Start").value).toBe(true);
    expect(field(p, "Properties").note).toBe("MQTT 5 properties not decoded");
    expect(field(p, "Will Properties").display).toMatch(/not decoded/);
    expect(p.warnings.join(" ")).toMatch(/MQTT 5/);
    expect(p.clientId).toBe("v5-client");
    expect(field(p, "Will Topic").value).toBe("w");
    expect(field(p, "User Name").value).toBe("u");
    expect(field(p, "Password").sensitive).toBe(true);
  });

  it("CONNACK: Session Present and return codes with their meaning (§3.2.2.3)", () => {
    const ok = decodeOk(gen({ cmd: "connack", sessionPresent: true, returnCode: 0 }));
    expect(ok.typeName).toBe("CONNACK");
    expect(ok.sessionPresent).toBe(true);
    expect(field(ok, "Session Present")).toMatchObject({ offset: 2, bits: "0", value: true });
    expect(field(ok, "Connect Return code")).toMatchObject({ offset: 3, value: 0, display: "0 (Connection Accepted)" });
    expect(ok.payloadBytes).toBe(0);
    expect(ok.variableHeaderBytes).toBe(2);
    const meanings = [1, 2, 3, 4, 5].map((rc) => decodeOk(gen({ cmd: "connack", sessionPresent: false, returnCode: rc })).returnCodeMeaning);
    expect(meanings).toEqual([
      "Connection Refused, unacceptable protocol version",
      "Connection Refused, identifier rejected",
      "Connection Refused, Server unavailable",
      "Connection Refused, bad user name or password",
      "Connection Refused, not authorized",
    ]);
    expect(decodeOk(Uint8Array.of(0x20, 0x02, 0x00, 0x09)).returnCodeMeaning).toBe("Reserved for future use");
  });

  it("PUBLISH QoS 0: no Packet Identifier", () => {
    const bytes = gen({ cmd: "publish", topic: "lab/s1/events/order.created", payload: Buffer.from('{"a":1}'), qos: 0, dup: false, retain: false });
    const p = decodeOk(bytes);
    expect([p.typeName, p.qos, p.dup, p.retain, p.packetId]).toEqual(["PUBLISH", 0, false, false, undefined]);
    expect(field(p, "Topic Name")).toMatchObject({ offset: 2, length: 2 + 27, value: "lab/s1/events/order.created" });
    expect(field(p, "Payload")).toMatchObject({ offset: 31, length: 7, display: '"{\\"a\\":1}"' });
    expect(new TextDecoder().decode(p.payload)).toBe('{"a":1}');
    expect(p.variableHeaderBytes).toBe(29);
    expect(p.payloadBytes).toBe(7);
  });

  it("PUBLISH QoS 1 with DUP and RETAIN, binary payload", () => {
    const payload = Buffer.from([0x0a, 0x03, 0x08, 0x96, 0x01, 0xff]);
    const p = decodeOk(gen({ cmd: "publish", topic: "t", payload, qos: 1, dup: true, retain: true, messageId: 4660 }));
    expect(p.flags).toBe(0b1011);
    expect([p.qos, p.dup, p.retain, p.packetId]).toEqual([1, true, true, 4660]);
    expect(field(p, "DUP")).toMatchObject({ offset: 0, bits: "3", value: true });
    expect(field(p, "QoS")).toMatchObject({ offset: 0, bits: "2-1", value: 1 });
    expect(field(p, "RETAIN")).toMatchObject({ offset: 0, bits: "0", value: true });
    expect(field(p, "Packet Identifier")).toMatchObject({ offset: 5, length: 2, value: 4660, display: "#4660" });
    expect(p.payload).toEqual(new Uint8Array(payload));
    expect(field(p, "Payload").display).toBe("6 bytes: 0a 03 08 96 01 ff");
    expect(p.summary).toBe("PUBLISH t QoS 1 retain dup #4660");
  });

  it("PUBLISH QoS 2 with a payload that needs a 2- and a 3-byte Remaining Length", () => {
    for (const size of [200, 20000]) {
      const p = decodeOk(gen({ cmd: "publish", topic: "big", payload: Buffer.alloc(size, 0x61), qos: 2, dup: false, retain: false, messageId: 1 }));
      expect(p.qos).toBe(2);
      expect(p.packetId).toBe(1);
      expect(p.payloadBytes).toBe(size);
      expect(p.fixedHeaderBytes).toBe(size === 200 ? 3 : 4);
    }
  });

  for (const [cmd, type] of [
    ["puback", 4],
    ["pubrec", 5],
    ["pubrel", 6],
    ["pubcomp", 7],
    ["unsuback", 11],
  ] as const) {
    it(`${cmd.toUpperCase()}: Packet Identifier only`, () => {
      const p = decodeOk(gen({ cmd, messageId: 65535 } as GenPacket));
      expect(p.type).toBe(type);
      expect(p.typeName).toBe(cmd.toUpperCase());
      expect(p.flags).toBe(cmd === "pubrel" ? 0b0010 : 0);
      expect(p.warnings).toEqual([]);
      expect(p.remainingLength).toBe(2);
      expect(field(p, "Packet Identifier")).toMatchObject({ offset: 2, length: 2, value: 65535 });
      expect(p.packetId).toBe(65535);
      expect(p.payloadBytes).toBe(0);
    });
  }

  it("SUBSCRIBE: Packet Identifier and topic filters with requested QoS (§3.8)", () => {
    const bytes = gen({
      cmd: "subscribe",
      messageId: 7,
      subscriptions: [
        { topic: "lab/s1/#", qos: 1 },
        { topic: "lab/+/reply/#", qos: 2 },
        { topic: "x", qos: 0 },
      ],
    });
    const p = decodeOk(bytes);
    expect(p.typeName).toBe("SUBSCRIBE");
    expect(p.flags).toBe(0b0010);
    expect(p.packetId).toBe(7);
    expect(p.subscriptions).toEqual([
      { topicFilter: "lab/s1/#", qos: 1 },
      { topicFilter: "lab/+/reply/#", qos: 2 },
      { topicFilter: "x", qos: 0 },
    ]);
    expect(field(p, "Topic Filter", 0)).toMatchObject({ offset: 4, length: 10, section: "payload" });
    expect(field(p, "Requested QoS", 0)).toMatchObject({ offset: 14, value: 1 });
    expect(field(p, "Requested QoS", 1).value).toBe(2);
    expect(p.variableHeaderBytes).toBe(2);
    expect(p.warnings).toEqual([]);
  });

  it("SUBACK: return codes including 0x80 failure (§3.9.3)", () => {
    const p = decodeOk(gen({ cmd: "suback", messageId: 7, granted: [0, 1, 2, 128] }));
    expect(p.returnCodes).toEqual([0, 1, 2, 0x80]);
    expect(p.fields.filter((f) => f.name === "Return Code").map((f) => f.display)).toEqual([
      "0x00 (Success - Maximum QoS 0)",
      "0x01 (Success - Maximum QoS 1)",
      "0x02 (Success - Maximum QoS 2)",
      "0x80 (Failure)",
    ]);
    expect(p.summary).toBe("SUBACK QoS 0, QoS 1, QoS 2, failure #7");
    expect(p.payloadBytes).toBe(4);
  });

  it("UNSUBSCRIBE: topic filters (§3.10)", () => {
    const p = decodeOk(gen({ cmd: "unsubscribe", messageId: 9, unsubscriptions: ["lab/s1/#", "a/b"] }));
    expect(p.flags).toBe(0b0010);
    expect(p.packetId).toBe(9);
    expect(p.unsubscriptions).toEqual(["lab/s1/#", "a/b"]);
    expect(p.payloadBytes).toBe(10 + 5);
  });

  for (const [cmd, type] of [
    ["pingreq", 12],
    ["pingresp", 13],
    ["disconnect", 14],
  ] as const) {
    it(`${cmd.toUpperCase()}: two bytes, nothing else`, () => {
      const bytes = gen({ cmd } as GenPacket);
      expect(bytes.length).toBe(2);
      const p = decodeOk(bytes);
      expect(p.type).toBe(type);
      expect(p.remainingLength).toBe(0);
      expect(p.fields.map((f) => f.name)).toEqual(["Packet Type", "Flags", "Remaining Length"]);
    });
  }

  it("MQTT 5 PUBLISH and SUBSCRIBE with protocolLevel 5", () => {
    const pub = gen(
      { cmd: "publish", topic: "t5", payload: Buffer.from("hi"), qos: 1, dup: false, retain: false, messageId: 3, properties: { contentType: "text/plain" } },
      { protocolVersion: 5 },
    );
    const p = decodeOk(pub, { protocolLevel: 5 });
    expect(p.topic).toBe("t5");
    expect(p.packetId).toBe(3);
    expect(field(p, "Properties").note).toMatch(/not decoded/);
    expect(new TextDecoder().decode(p.payload)).toBe("hi");
    const sub = gen({ cmd: "subscribe", messageId: 4, subscriptions: [{ topic: "a", qos: 1, nl: true }] }, { protocolVersion: 5 });
    const s = decodeOk(sub, { protocolLevel: 5 });
    expect(s.subscriptions).toEqual([{ topicFilter: "a", qos: 1 }]);
  });
});

describe("decodeMqttPacket on malformed and partial input", () => {
  it("warns about reserved flag bits (§2.2.2) and wildcards in a PUBLISH topic", () => {
    const sub = gen({ cmd: "subscribe", messageId: 1, subscriptions: [{ topic: "a", qos: 0 }] });
    sub[0] = 0x80; // flags 0000 instead of 0010
    const p = decodeMqttPacket(sub);
    expect(p.error).toBeUndefined();
    expect(field(p, "Flags").note).toMatch(/must be 0010/);
    expect(p.warnings[0]).toMatch(/§2.2.2/);
    const pub = decodeMqttPacket(gen({ cmd: "publish", topic: "a/#", payload: Buffer.alloc(0), qos: 0, dup: true, retain: false }));
    expect(pub.warnings.join(" ")).toMatch(/wildcards/);
    expect(pub.warnings.join(" ")).toMatch(/DUP must be 0/);
  });

  it("says malformed when the Remaining Length is too short for the fields", () => {
    // PUBLISH, remaining 3, topic length 5
    const p = decodeMqttPacket(Uint8Array.of(0x30, 0x03, 0x00, 0x05, 0x61));
    expect(p.error?.reason).toMatch(/malformed: Topic Name needs 5 bytes but the Remaining Length leaves 1/);
    expect(p.error?.offset).toBe(4);
  });

  it("reports extra bytes after a PINGREQ", () => {
    const p = decodeMqttPacket(Uint8Array.of(0xc0, 0x02, 0x01, 0x02));
    expect(p.error).toBeUndefined();
    expect(field(p, "Unexpected bytes")).toMatchObject({ offset: 2, length: 2 });
    expect(p.warnings).toHaveLength(1);
  });

  it("errors on every cut of every packet, without throwing", () => {
    const packets: Uint8Array[] = [
      gen({ cmd: "connect", protocolId: "MQTT", protocolVersion: 4, clean: true, clientId: "c", keepalive: 5, username: "u", password: Buffer.from("p") }),
      gen({ cmd: "publish", topic: "lab/x", payload: Buffer.from("payload"), qos: 1, dup: false, retain: false, messageId: 2 }),
      gen({ cmd: "subscribe", messageId: 1, subscriptions: [{ topic: "a/b", qos: 1 }] }),
      gen({ cmd: "suback", messageId: 1, granted: [1] }),
      gen({ cmd: "unsubscribe", messageId: 1, unsubscriptions: ["a/b"] }),
      gen({ cmd: "puback", messageId: 1 }),
    ];
    for (const bytes of packets) {
      for (let n = 0; n < bytes.length; n++) {
        const p = decodeMqttPacket(bytes.subarray(0, n));
        expect(p.error, `${bytes[0].toString(16)} cut at ${n}`).toBeDefined();
        expect(p.error!.offset).toBeLessThanOrEqual(n);
      }
    }
    // A PUBLISH cut in its payload still shows the part that arrived.
    const pub = packets[1];
    const cut = decodeMqttPacket(pub.subarray(0, pub.length - 3));
    expect(cut.error?.reason).toMatch(/truncated/);
    expect(new TextDecoder().decode(cut.payload)).toBe("payl");
    expect(field(cut, "Payload").note).toMatch(/truncated: 3 of 7/);
  });

  it("never throws on random bytes", () => {
    let seed = 99;
    const rand = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff);
    for (let i = 0; i < 3000; i++) {
      const bytes = new Uint8Array(rand() % 40);
      for (let j = 0; j < bytes.length; j++) bytes[j] = rand() & 0xff;
      const p = decodeMqttPacket(bytes, { protocolLevel: i % 2 === 0 ? 4 : 5 });
      expect(typeof p.summary).toBe("string");
      for (const f of p.fields) expect(f.offset + f.length).toBeLessThanOrEqual(Math.max(bytes.length, p.totalBytes));
    }
  });
});

describe("decodeMqttPackets and highlights", () => {
  it("splits a stream of packets and reports absolute offsets", () => {
    const a = gen({ cmd: "publish", topic: "t", payload: Buffer.from("1"), qos: 1, dup: false, retain: false, messageId: 10 });
    const b = gen({ cmd: "puback", messageId: 10 });
    const c = gen({ cmd: "pingreq" });
    const s = decodeMqttPackets(Uint8Array.of(...a, ...b, ...c), { baseOffset: 1000 });
    expect(s.error).toBeUndefined();
    expect(s.packets.map((p) => [p.typeName, p.offset, p.packetId])).toEqual([
      ["PUBLISH", 1000, 10],
      ["PUBACK", 1000 + a.length, 10],
      ["PINGREQ", 1000 + a.length + b.length, undefined],
    ]);
    expect(s.packets[0].trailingBytes).toBe(b.length + c.length);
    expect(field(s.packets[1], "Packet Identifier").offset).toBe(1000 + a.length + 2);
  });

  it("merges flag fields sharing a byte into one highlight", () => {
    const p = decodeOk(gen({ cmd: "publish", topic: "t", payload: Buffer.from("x"), qos: 1, dup: false, retain: true, messageId: 1 }));
    const hs = mqttHighlights(p);
    expect(hs[0]).toMatchObject({ offset: 0, length: 1, tone: "fixed-header" });
    expect(hs[0].label).toMatch(/Packet Type.*DUP.*QoS.*RETAIN/);
    expect(hs.map((h) => h.offset)).toEqual([0, 1, 2, 5, 7]);
  });
});
