import { create } from "@bufbuild/protobuf";
import mqttPacket from "mqtt-packet";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { restGetUser } from "@/lib/diagram/fixtures";
import { EventKind, Mode, TraceEventSchema } from "@/lib/gen/lab/v1/trace_pb";
import { encodeEnvelope, inspectTraceEvent } from "@/lib/wire";
import { WireInspector } from ".";
import { linkTargets, primaryEventIndex, targetAt } from "./model";
import { connectJsonResponse, garbageGrpcWeb, grpcWebRequestSent, grpcWebResponse, mqttPublish, SAMPLE_TOPIC, SAMPLE_USER_NAME, sampleUserResponseBytes } from "./samples";

/** The text of static markup: tags dropped, entities decoded. */
function text(html: string): string {
  return html
    .replace(/<[^>]+>/g, " ")
    .replace(/&quot;/g, '"')
    .replace(/&#x27;/g, "'")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&")
    .replace(/\s+/g, " ");
}

/** The cells of the table rows that contain `needle`, as text. */
function rowsWith(html: string, needle: string): string[] {
  return (html.match(/<tr[^>]*>.*?<\/tr>/g) ?? []).map(text).filter((r) => r.includes(needle));
}

describe("WireInspector (static render)", () => {
  it("shows a hint when nothing is selected", () => {
    for (const ev of [null, undefined, []]) {
      const html = renderToStaticMarkup(<WireInspector event={ev} />);
      expect(text(html)).toContain("Select an arrow or a row to inspect its bytes");
    }
  });

  it("gRPC-web response: summary, byte bar, headers, frames, protobuf fields by schema, trailers", () => {
    const ev = grpcWebResponse();
    const html = renderToStaticMarkup(<WireInspector event={ev} onClose={() => {}} />);
    const t = text(html);
    // Sections with headings
    for (const h of ["Summary", "Bytes on the wire", "Headers and trailers", "Body"]) expect(html).toMatch(new RegExp(`<h3[^>]*>${h}`));
    expect(html).toContain('aria-label="Close the inspector"');
    // Summary
    expect(t).toContain("UserService → Browser");
    expect(t).toContain("response sent");
    expect(t).toContain("gRPC-web · HTTP/1.1 · proto");
    expect(t).toContain("lab.v1.UserService/GetUser");
    expect(t).toContain("15:06:40.001 UTC");
    expect(t).toContain("0.62 ms");
    expect(t).toContain("HTTP 200 · ok");
    expect(t).toContain("gw-1");
    // Byte breakdown: text labels and numbers, not colour alone
    expect(html).toMatch(/role="img" aria-label="Headers 182 B \(\d+%\), Body \d+ B \(\d+%\), Framing \d+ B/);
    expect(t).toMatch(/Framing \d+ B \(\d+%\)/);
    expect(t).not.toContain("HPACK");
    // Headers
    expect(rowsWith(html, "access-control-expose-headers")[0]).toContain("grpc-status, grpc-message");
    expect(t).toContain("Trailers (0) None as HTTP trailers: gRPC-web sends them in the body");
    // Envelope frames
    expect(t).toContain("gRPC-web envelope: 2 frames");
    const frames = rowsWith(html, "@0x");
    expect(frames[0]).toMatch(/0 @0x00 0x00 none \d+ message/);
    expect(frames[1]).toMatch(/1 @0x\w+ 0x80 trailers \d+ trailers/);
    // Protobuf by schema: field number, wire type, name, type, value, offset
    expect(t).toContain("lab.v1.GetUserResponse");
    const user = rowsWith(html, "lab.v1.User")[0];
    expect(user).toMatch(/^ ?1 2 LEN user lab\.v1\.User \{3 fields\} 0x05 \d+ B/);
    expect(rowsWith(html, SAMPLE_USER_NAME)[0]).toMatch(/2 2 LEN ↳ name string \(nested, depth 1\) "张三" 0x\w+ 8 B/);
    expect(rowsWith(html, "email")[0]).toContain('"zhang.san@example.com"');
    expect(rowsWith(html, " id int64")[0]).toMatch(/1 0 VARINT ↳ id int64 \(nested, depth 1\) 7 /);
    expect(html).toContain("(nested, depth 1)");
    // Trailers frame contents
    expect(t).toContain("grpc-status 0 OK");
    expect(rowsWith(html, "grpc-status").some((r) => /^ grpc-status 0 $/.test(r))).toBe(true);
    // Hex is the other view: not rendered by default
    expect(html).toContain('aria-selected="true" tabindex="0"');
    expect(html).not.toContain("data-offset");
  });

  it("renders the hex dump with highlights, and both views at once", () => {
    const ev = grpcWebResponse();
    const html = renderToStaticMarkup(<WireInspector event={ev} defaultBodyView="hex" bytesPerRow={16} />);
    const cells = html.match(/data-offset="\d+"/g) ?? [];
    expect(cells.length).toBe(ev.wire.length * 2); // hex + ASCII
    expect(html).toContain("00000000".slice(0, 4)); // offset column
    // 张 = e5 bc a0: the name's bytes are in the dump with their field label as a tooltip.
    expect(html).toMatch(/title="byte \d+ \(0x\w+\): name \(field 2\): &quot;张三&quot;"[^>]*>e5</);
    expect(html).toMatch(/title="byte 0 \(0x0\): frame 0 prefix: flags 0x00/);
    expect(text(html)).toContain("Point at a byte");
    expect(text(html)).toContain("frame prefix");
    expect(html).not.toContain("data-link="); // the decoded tables are hidden in the hex view
    const both = renderToStaticMarkup(<WireInspector event={ev} defaultBodyView="both" />);
    expect(both).toContain("data-offset");
    expect(text(both)).toContain("LEN");
    expect(both).toMatch(/data-link="frame-0\.@\d+"/);
  });

  it("an arrow of two events shows the one with the captured bytes first, with a switcher", () => {
    const arrow = [grpcWebRequestSent(), grpcWebResponse()];
    expect(primaryEventIndex(arrow)).toBe(1);
    const html = renderToStaticMarkup(<WireInspector event={arrow} />);
    expect(html).toContain('role="group" aria-label="Events of this arrow"');
    expect(html).toMatch(/aria-pressed="false"[^>]*>Browser <span[^>]*>request sent/);
    expect(html).toMatch(/aria-pressed="true"[^>]*>UserService <span[^>]*>response sent/);
    expect(text(html)).toContain(SAMPLE_USER_NAME);
    // Fixture arrow: REQUEST_SENT + REQUEST_RECEIVED without bytes → the server's, whose http is richer or equal.
    const fixture = restGetUser().filter((e) => e.spanId === "rest-1-g" && (e.kind === EventKind.REQUEST_SENT || e.kind === EventKind.REQUEST_RECEIVED));
    expect(fixture).toHaveLength(2);
    expect(fixture[primaryEventIndex(fixture)].kind).toBe(EventKind.REQUEST_RECEIVED);
    const fh = renderToStaticMarkup(<WireInspector event={fixture} />);
    expect(text(fh)).toContain("HPACK");
    expect(text(fh)).toContain("estimated");
    expect(text(fh)).toContain("No bytes were captured for this event");
  });

  it("Connect JSON response: pretty-printed JSON", () => {
    const html = renderToStaticMarkup(<WireInspector event={connectJsonResponse()} />);
    const t = text(html);
    expect(t).toContain("Connect · HTTP/1.1 · json");
    expect(t).toContain("JSON, 67 bytes");
    expect(html).toContain("<pre");
    expect(html).toMatch(/\{\n {2}&quot;user&quot;: \{\n {4}&quot;id&quot;: &quot;1&quot;,\n {4}&quot;name&quot;: &quot;Ada Lovelace&quot;/);
    expect(rowsWith(html, "content-length")[0]).toContain("67");
    expect(t).not.toContain("Framing:");
  });

  it("MQTT PUBLISH from mqtt-packet: packet fields with offsets and spec clauses, then the protobuf payload", () => {
    const ev = mqttPublish();
    const html = renderToStaticMarkup(<WireInspector event={ev} />);
    const t = text(html);
    expect(t).not.toContain("Headers and trailers");
    expect(t).toContain("Packet");
    expect(t).toContain("PUBLISH");
    expect(t).toContain("QoS 1");
    expect(t).toContain("packet id 12");
    expect(t).toContain("Fixed + variable header");
    expect(t).toContain("Fixed header (§2.2)");
    expect(rowsWith(html, "Topic Name")[0]).toContain(SAMPLE_TOPIC);
    expect(rowsWith(html, "Topic Name")[0]).toMatch(/0x02 \d+ B §3\.3\.2/);
    expect(rowsWith(html, "Packet Identifier")[0]).toContain("12");
    expect(rowsWith(html, "QoS")[0]).toMatch(/bits 2-1 1/);
    // The payload decoded by its schema (MqttInfo.message_type)
    expect(t).toContain("lab.v1.OrderCreated");
    expect(rowsWith(html, "message_id")[0]).toContain('"m-0001"');
    expect(rowsWith(html, "sku")[0]).toMatch(/3 2 LEN ↳ sku string \(nested, depth 1\) "SKU-42"/);
    expect(rowsWith(html, "quantity")[0]).toMatch(/4 0 VARINT ↳ quantity int32 \(nested, depth 1\) 2 /);
    expect(html).toMatch(/data-link="mqtt-0-\d+"/);
    expect(html).toMatch(/data-link="payload\.@\d+"/);
  });

  it("never throws on garbage: shows what decodes and the decoders' errors", () => {
    const html = renderToStaticMarkup(<WireInspector event={garbageGrpcWeb()} defaultBodyView="both" />);
    const t = text(html);
    expect(t).toContain("truncated at 4 KiB");
    expect(t).toContain("the capture was cut at 4 KiB");
    expect(t).toContain("no schema for lab.v1.NoSuchMessage");
    expect(t).toMatch(/Framing stopped at byte 0 \(0x00\): truncated: frame 0 declares 9 bytes but only 4 are present/);
    expect(t).toMatch(/Protobuf decoding stopped at byte \d+/);
    expect(html).toContain("data-offset");

    const odd = [
      { mode: Mode.MQTT, wire: Uint8Array.of(0xf0) },
      { mode: Mode.MQTT, wire: Uint8Array.of(0x30, 0x7f, 0x00) },
      { mode: Mode.REST, wire: Uint8Array.of(0xc3, 0x28, 0x7b), http: { contentType: "application/json" } },
      { mode: Mode.CONNECT, wire: Uint8Array.of(0x0a, 0xff), http: { contentType: "application/proto" }, rpc: { messageType: "lab.v1.GetUserResponse" } },
      { mode: Mode.CONNECT, wire: Uint8Array.of(0x02, 0, 0, 0, 3, 0x7b, 0x7d, 0x7d), http: { contentType: "application/connect+json" } },
      { mode: Mode.GRPC, wire: Uint8Array.of(0x01, 0, 0, 0, 1, 0x00) },
      { mode: Mode.UNSPECIFIED, wire: Uint8Array.of(0xde, 0xad, 0xbe, 0xef) },
      { mode: Mode.LOCAL, kind: EventKind.PROCESSED, wire: new Uint8Array(0) },
    ];
    const reasons = [/Incomplete packet.*MQTT decoding stopped at byte 1 \(0x01\): truncated/, /MQTT decoding stopped at byte 2 \(0x02\): truncated: length of Topic Name/, /Not valid JSON: not valid UTF-8/, /Protobuf decoding stopped at byte 1/, /End-of-stream JSON: not JSON/, /compressed/, /stopped at byte/, /No bytes were captured/];
    odd.forEach((init, i) => {
      const ev = create(TraceEventSchema, { spanId: `odd-${i}`, from: "A", to: "B", ...init });
      for (const view of ["decoded", "hex", "both"] as const) {
        const out = renderToStaticMarkup(<WireInspector event={ev} defaultBodyView={view} />);
        if (view !== "hex") expect(text(out), `odd ${i}`).toMatch(reasons[i]);
      }
    });
  });
});

describe("WireInspector: more layouts", () => {
  it("MQTT CONNECT: the password never shows, in the table or the hex dump", () => {
    const wire = new Uint8Array(mqttPacket.generate({ cmd: "connect", protocolId: "MQTT", protocolVersion: 4, clientId: "inventory", clean: true, keepalive: 30, username: "lab", password: Buffer.from("s3cr3t-pw") }));
    const ev = create(TraceEventSchema, { spanId: "c", from: "Inventory", to: "Broker", mode: Mode.MQTT, kind: EventKind.MQTT_PACKET, mqtt: { packetType: "CONNECT", clientId: "inventory" }, wire });
    const html = renderToStaticMarkup(<WireInspector event={ev} defaultBodyView="both" />);
    const t = text(html);
    expect(t).toContain("CONNECT");
    expect(rowsWith(html, "Client Identifier")[0]).toContain('"inventory"');
    expect(rowsWith(html, "Password").find((r) => /^ Password (?!Flag)/.test(r))).toContain("(hidden)");
    expect(t).not.toContain("s3cr3t");
    expect(html).toContain(">••<");
    expect(t).toContain("•• hidden (password)");
  });

  it("Connect streaming: message frames and the end-of-stream error", () => {
    const enc = new TextEncoder();
    const wire = Uint8Array.of(...encodeEnvelope(0, enc.encode('{"user":{"id":"1","name":"Ada"}}')), ...encodeEnvelope(0x02, enc.encode('{"error":{"code":"not_found","message":"no user 9"},"metadata":{"x-trace":["abc"]}}')));
    const ev = create(TraceEventSchema, { spanId: "s", from: "UserService", to: "Browser", mode: Mode.CONNECT, kind: EventKind.STREAM_MESSAGE, http: { contentType: "application/connect+json" }, wire });
    const html = renderToStaticMarkup(<WireInspector event={ev} />);
    const t = text(html);
    expect(t).toContain("Connect streaming envelope: 2 frames");
    expect(rowsWith(html, "@0x")[1]).toMatch(/1 @0x\w+ 0x02 end-stream \d+ end-stream/);
    expect(t).toContain('"name": "Ada"');
    expect(t).toMatch(/Error not_found ?: no user 9/);
    expect(rowsWith(html, "x-trace")[0]).toContain("abc");
  });
});

describe("WireInspector with a full 4 KiB capture", () => {
  it("renders every byte of a truncated REST body and says it was cut", () => {
    const body = new TextEncoder().encode(`{"items":[${Array.from({ length: 400 }, (_, i) => `"item-${i}"`).join(",")}]}`).subarray(0, 4096);
    const ev = create(TraceEventSchema, { spanId: "big", from: "Gateway", to: "Browser", mode: Mode.REST, kind: EventKind.RESPONSE_SENT, http: { status: 200, contentType: "application/json" }, bytes: { header: 150, body: 5200 }, wire: body, wireTruncated: true });
    const started = performance.now();
    const html = renderToStaticMarkup(<WireInspector event={ev} defaultBodyView="both" bytesPerRow={16} />);
    expect(performance.now() - started).toBeLessThan(2000);
    expect((html.match(/class="[^"]*hexCell[^"]*" data-offset=/g) ?? []).length).toBe(4096);
    expect(html).toContain(">0ff0<"); // last row's offset label
    const t = text(html);
    expect(t).toContain("truncated at 4 KiB");
    expect(t).toMatch(/Not valid JSON: /);
  });
});

describe("inspector model", () => {
  it("links a byte to the innermost decoded row", () => {
    const ins = inspectTraceEvent(grpcWebResponse());
    const targets = linkTargets(ins);
    expect(targetAt(0, targets)?.key).toBe("frame-0");
    const nameField = targets.find((t) => t.label.startsWith("name "));
    expect(nameField).toBeDefined();
    expect(targetAt(nameField!.offset + 3, targets)?.key).toBe(nameField!.key);
    expect(targetAt(5 + sampleUserResponseBytes().length + 6, targets)?.key).toMatch(/^trailer-/);
    expect(targetAt(10_000, targets)).toBeUndefined();
  });
});

describe("WireInspector in Chinese", () => {
  it("its own words are Chinese; what the decoder reads out of the bytes stays as the spec names it", () => {
    const hint = text(renderToStaticMarkup(<WireInspector event={null} locale="zh-CN" />));
    expect(hint).toContain("选中一个箭头或一行，查看它的字节。");

    const html = renderToStaticMarkup(<WireInspector event={grpcWebResponse()} onClose={() => {}} locale="zh-CN" />);
    const t = text(html);
    for (const h of ["概要", "线路上的字节", "头部与 Trailer", "消息体"]) expect(html).toMatch(new RegExp(`<h3[^>]*>${h}`));
    expect(html).toContain('aria-label="关闭报文检查器"');
    expect(t).toContain("发出响应");
    expect(html).toMatch(/role="img" aria-label="头部 182 B \(\d+%\), 消息体 \d+ B \(\d+%\), 分帧 \d+ B/);
    expect(t).toContain("没有 HTTP Trailer：gRPC-web 把它们放在消息体里");
    expect(t).toMatch(/gRPC-web 信封：\d+ 帧/);
    for (const english of ["Summary", "Bytes on the wire", "Select an arrow", "Headers and trailers", "response sent"]) expect(t).not.toContain(english);

    const mqtt = text(renderToStaticMarkup(<WireInspector event={mqttPublish()} locale="zh-CN" />));
    expect(mqtt).toContain("固定头（§2.2）");
    expect(mqtt).toMatch(/\d+ 字节：固定头 \d+ \+ 可变头 \d+ \+ 有效载荷 \d+/);
    // The spec's field names, as the decoder gives them.
    expect(mqtt).toContain("Topic Name");
  });
});
