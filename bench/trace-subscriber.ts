/**
 * A page's trace stream, in its own process: follows one session's
 * StreamTrace light, as the page does (whole events are fetched with
 * GetEvents only when inspected), and prints the number of events it
 * received when stopped.
 *
 * Two ways to read it (third argument):
 * - "wire" (the default): reads the Connect stream over a plain HTTP/1.1
 *   socket and counts the events in each StreamTraceResponse by walking its
 *   top-level fields, without building messages. The lab does all of its
 *   part (building, encoding and writing every event, flow control); what
 *   is left out is decoding each event into a message, which a page does
 *   in the browser on the learner's machine. On this 2-core machine a
 *   decoding subscriber takes a share of a core from the lab and the load
 *   generator, and the bench would count the browser's work as the lab's.
 * - "decode": a Connect client that decodes every event, as the page does.
 *
 * Connect protocol streaming (connectrpc.com/docs/protocol, "Streaming
 * Response"): each message is an envelope of one flags byte, a 4-byte
 * big-endian length and the message; flag 0x02 marks the end-of-stream
 * message (JSON).
 */
import http from "node:http";
import { create, toBinary } from "@bufbuild/protobuf";
import { BinaryReader, WireType } from "@bufbuild/protobuf/wire";
import { createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { LabService, StreamTraceRequestSchema } from "../lib/gen/lab/v1/lab_pb";

const [port, session, how = "wire"] = process.argv.slice(2);
let events = 0;
const finish = () => {
  process.stdout.write(String(events));
  process.exit(0);
};

/** Events in one encoded StreamTraceResponse: its `events` fields (1, length-delimited), counted, not decoded. */
function countEvents(message: Uint8Array): number {
  const r = new BinaryReader(message);
  let n = 0;
  while (r.pos < r.len) {
    const [no, wireType] = r.tag();
    if (no === 1 && wireType === WireType.LengthDelimited) n++;
    r.skip(wireType);
  }
  return n;
}

function followWire(): void {
  const request = toBinary(StreamTraceRequestSchema, create(StreamTraceRequestSchema, { light: true }));
  const body = Buffer.alloc(5 + request.length);
  body.writeUInt32BE(request.length, 1);
  body.set(request, 5);
  const req = http.request({
    host: "127.0.0.1",
    port: Number(port),
    method: "POST",
    path: "/rpc/lab.v1.LabService/StreamTrace",
    headers: { "content-type": "application/connect+proto", "connect-protocol-version": "1", "x-lab-session": session, "content-length": body.length },
  });
  req.on("response", (res) => {
    if (res.statusCode !== 200) {
      console.error(`trace subscriber: HTTP ${res.statusCode}`);
      finish();
    }
    let pending: Buffer = Buffer.alloc(0);
    res.on("data", (chunk: Buffer) => {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      while (pending.length >= 5) {
        const len = pending.readUInt32BE(1);
        if (pending.length < 5 + len) break;
        if ((pending[0] & 0x02) === 0) events += countEvents(pending.subarray(5, 5 + len));
        pending = pending.subarray(5 + len);
      }
    });
    res.on("end", finish);
  });
  req.on("error", finish);
  req.end(body);
  process.on("SIGTERM", finish);
}

async function followDecoded(): Promise<void> {
  const lab = createClient(LabService, createConnectTransport({ baseUrl: `http://127.0.0.1:${port}/rpc`, httpVersion: "1.1" }));
  const abort = new AbortController();
  process.on("SIGTERM", () => abort.abort());
  try {
    for await (const batch of lab.streamTrace({ light: true }, { signal: abort.signal, headers: { "x-lab-session": session } })) events += batch.events.length;
  } catch {
    // aborted
  }
  finish();
}

if (how === "decode") void followDecoded();
else followWire();
