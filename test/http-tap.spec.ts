/**
 * The HTTP tap's byte counts are the bytes that crossed the socket: a raw
 * HTTP/1.1 exchange over net.Socket, its request and response counted by
 * hand, against the REQUEST_RECEIVED and RESPONSE_SENT events the lab
 * recorded for it (header block, body, chunk framing, the wire preview).
 */
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EventKind, type TraceEvent } from "../lib/gen/lab/v1/trace_pb";
import { startTestLab } from "./helpers/lab";

type Lab = Awaited<ReturnType<typeof startTestLab>>;

let lab: Lab;
beforeAll(async () => {
  lab = await startTestLab();
});
afterAll(async () => {
  await lab.close();
});

/** Sends `request` on a fresh connection and reads until the server closes it (Connection: close). */
function rawExchange(request: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(lab.ports.http, "127.0.0.1");
    const chunks: Buffer[] = [];
    socket.on("data", (c) => chunks.push(c));
    socket.on("end", () => resolve(Buffer.concat(chunks)));
    socket.on("error", reject);
    socket.write(request);
  });
}

function head(lines: string[]): string {
  return `${lines.join("\r\n")}\r\n\r\n`;
}

async function eventsOf(session: string, span: string): Promise<TraceEvent[]> {
  let found: TraceEvent[] = [];
  await expect
    .poll(() => {
      found = lab.hub.recent(session).filter((e) => e.spanId === span && (e.kind === EventKind.REQUEST_RECEIVED || e.kind === EventKind.RESPONSE_SENT));
      return found.map((e) => e.kind);
    }, { timeout: 3000 })
    .toEqual([EventKind.REQUEST_RECEIVED, EventKind.RESPONSE_SENT]);
  return found;
}

/** Splits a raw HTTP/1.1 response into its head (status line and fields, with the blank line) and the rest. */
function splitResponse(raw: Buffer): { head: string; rest: Buffer } {
  const end = raw.indexOf("\r\n\r\n") + 4;
  return { head: raw.subarray(0, end).toString("latin1"), rest: raw.subarray(end) };
}

describe("HTTP tap byte counts", () => {
  it("counts a POST's request head and body, and a whole response, as sent", async () => {
    const session = "taptest1";
    const span = "a1b2c3d4e5f60718";
    const body = JSON.stringify({ name: "张三", email: "zhangsan@example.com" });
    const reqHead = head([
      "POST /rest/users HTTP/1.1",
      "Host: 127.0.0.1",
      "Content-Type: application/json",
      `Content-Length: ${Buffer.byteLength(body)}`,
      `x-lab-session: ${session}`,
      `x-lab-span: ${span}`,
      "Connection: close",
    ]);
    const raw = await rawExchange(Buffer.concat([Buffer.from(reqHead, "latin1"), Buffer.from(body)]));
    const { head: resHead, rest } = splitResponse(raw);
    expect(resHead).toMatch(/^HTTP\/1\.1 201 /);

    const [req, res] = await eventsOf(session, span);
    expect(req.bytes).toMatchObject({ header: reqHead.length, body: Buffer.byteLength(body), framing: 0 });
    expect(Buffer.from(req.wire).toString()).toBe(body);
    expect(req.http?.headers["content-type"]).toBe("application/json");

    // A response with Content-Length: no framing, the head exactly as Node wrote it.
    expect(resHead.toLowerCase()).toContain("content-length");
    expect(res.bytes).toMatchObject({ header: resHead.length, body: rest.length, framing: 0 });
    expect(Buffer.from(res.wire)).toEqual(rest);
    expect(res.http?.status).toBe(201);
    expect(res.http?.contentType).toMatch(/^application\/json/);
    expect(res.http?.headers["connection"]).toBe("close");
  });

  it("counts a chunked response's framing apart from its body", async () => {
    const session = "taptest2";
    const span = "0f1e2d3c4b5a6978";
    const reqHead = head(["GET /rest/users HTTP/1.1", "Host: 127.0.0.1", `x-lab-session: ${session}`, `x-lab-span: ${span}`, "Connection: close"]);
    const raw = await rawExchange(Buffer.from(reqHead, "latin1"));
    const { head: resHead, rest } = splitResponse(raw);
    const [req, res] = await eventsOf(session, span);
    expect(req.bytes).toMatchObject({ header: reqHead.length, body: 0 });
    if (/transfer-encoding: chunked/i.test(resHead)) {
      // RFC 9112 §7.1: strip "<hex>\r\n" … "\r\n" around each chunk, "0\r\n\r\n" at the end.
      let body = 0;
      let at = 0;
      for (;;) {
        const eol = rest.indexOf("\r\n", at);
        const size = parseInt(rest.subarray(at, eol).toString(), 16);
        at = eol + 2 + size + 2;
        if (size === 0) break;
        body += size;
      }
      expect(res.bytes).toMatchObject({ header: resHead.length, body, framing: rest.length - body });
    } else {
      expect(res.bytes).toMatchObject({ header: resHead.length, body: rest.length, framing: 0 });
    }
    expect(res.bytes!.header + res.bytes!.body + res.bytes!.framing).toBe(raw.length);
  });

  it("keeps a wire preview of a large body's first bytes and says it is cut", async () => {
    const session = "taptest3";
    const span = "1122334455667788";
    const text = "x".repeat(10_000);
    const body = JSON.stringify({ text });
    const reqHead = head(["POST /rest/echo HTTP/1.1", "Host: 127.0.0.1", "Content-Type: application/json", `Content-Length: ${body.length}`, `x-lab-session: ${session}`, `x-lab-span: ${span}`, "Connection: close"]);
    const raw = await rawExchange(Buffer.concat([Buffer.from(reqHead, "latin1"), Buffer.from(body)]));
    const { rest } = splitResponse(raw);
    const [req, res] = await eventsOf(session, span);
    expect(req.bytes!.body).toBe(body.length);
    expect(req.wireTruncated).toBe(true);
    expect(Buffer.from(req.wire)).toEqual(Buffer.from(body).subarray(0, req.wire.length));
    expect(req.wire.length).toBe(4096);
    expect(res.wireTruncated).toBe(rest.length > 4096);
    expect(Buffer.from(res.wire)).toEqual(rest.subarray(0, res.wire.length));
  });
});
