import type { IncomingMessage, ServerResponse } from "node:http";
import type { Http2ServerRequest, Http2ServerResponse } from "node:http2";
import type { DescMethod, MessageInitShape } from "@bufbuild/protobuf";
import { EventKind, Mode, type RpcInfoSchema } from "../../lib/gen/lab/v1/trace_pb";
import { nowUnixMs } from "../../lib/trace";
import { INTERNAL_HEADER } from "../rpc/internal-caller";
import { WIRE_PREVIEW_BYTES, type LazyTraceEvent, type TraceHub } from "../trace/trace-hub";
import { EnvelopeCounter } from "./envelope-counter";
import { rpcCodeFromWire } from "./rpc-outcome";


export type AnyRequest = IncomingMessage | Http2ServerRequest;
export type AnyResponse = ServerResponse | Http2ServerResponse;

/** Who is talking to whom on one HTTP exchange. */
export interface ExchangeParties {
  session: string;
  spanId: string;
  parentSpanId: string;
  from: string;
  to: string;
  mode: Mode;
  attempt?: number;
  retryOfSpanId?: string;
}

/**
 * One HTTP request/response seen by the server, recorded as a
 * REQUEST_RECEIVED and a RESPONSE_SENT trace event with the real bytes.
 * The RPC layer fills in the outcome (`code`, `message`) while it is open.
 */
export interface HttpExchange {
  readonly parties: ExchangeParties;
  /** The RPC method the path names, if any. */
  method: DescMethod | undefined;
  /** Connect/gRPC code in Connect's spelling once the handler finished. */
  code: string;
  message: string;
  /** A one-line label for the diagram; defaults to "METHOD path". */
  summary: string;
}

const REDACTED = new Set(["cookie", "authorization", "set-cookie", INTERNAL_HEADER]);

class Capture {
  bytes = 0;
  chunks: Uint8Array[] = [];
  kept = 0;
  envelope: EnvelopeCounter | undefined;

  constructor(enveloped: boolean) {
    this.envelope = enveloped ? new EnvelopeCounter() : undefined;
  }

  add(chunk: unknown, encoding?: unknown): void {
    if (chunk === undefined || chunk === null) return;
    const buf =
      typeof chunk === "string"
        ? Buffer.from(chunk, typeof encoding === "string" ? (encoding as BufferEncoding) : "utf8")
        : (chunk as Uint8Array);
    if (buf.length === 0) return;
    this.bytes += buf.length;
    this.envelope?.push(buf);
    if (this.kept < WIRE_PREVIEW_BYTES) {
      const slice = buf.subarray(0, WIRE_PREVIEW_BYTES - this.kept);
      // A copy (the socket reuses its buffers); new Uint8Array(view) is a memcpy.
      this.chunks.push(new Uint8Array(slice));
      this.kept += slice.length;
    }
  }

  wire(): Uint8Array {
    if (this.chunks.length !== 1) this.chunks = [Buffer.concat(this.chunks)];
    return this.chunks[0];
  }
}

function isEnveloped(contentType: string | undefined): boolean {
  const ct = (contentType ?? "").toLowerCase();
  return ct.startsWith("application/grpc") || ct.startsWith("application/connect+");
}

/** A header field's value as the trace shows it (arrays joined, secrets hidden). */
function headerText(name: string, v: string | string[] | number): string {
  return REDACTED.has(name) ? "(redacted)" : Array.isArray(v) ? v.join(", ") : String(v);
}

function headerMap(headers: NodeJS.Dict<string | string[] | number>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) {
    if (v === undefined) continue;
    out[k] = headerText(k, v);
  }
  return out;
}

/** RFC 7541 §4.1: an entry's size is its name and value length plus 32. */
function hpackListSize(headers: Record<string, string>): number {
  let n = 0;
  for (const [k, v] of Object.entries(headers)) n += k.length + v.length + 32;
  return n;
}

/** hpackListSize(headerMap(headers)), without building the map (light events). */
function hpackDictSize(headers: NodeJS.Dict<string | string[] | number>): number {
  let n = 0;
  for (const [k, v] of Object.entries(headers)) if (v !== undefined) n += k.length + headerText(k, v).length + 32;
  return n;
}

/** HTTP/1.1 request line and header block as sent (RFC 9112 §2.1). */
function http1RequestHeadBytes(req: IncomingMessage): number {
  // Node writes header fields as latin1, one byte per character.
  let n = `${req.method} ${req.url} HTTP/${req.httpVersion}\r\n`.length + 2;
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) n += raw[i].length + 2 + raw[i + 1].length + 2;
  return n;
}

function chunkFraming(sizes: number[]): number {
  // RFC 9112 §7.1: each chunk is "<hex size>\r\n<data>\r\n"; the last is "0\r\n\r\n".
  let n = 5;
  for (const s of sizes) n += s.toString(16).length + 4;
  return n;
}

/**
 * Starts recording one exchange. Call it before anything reads the request
 * body: it wraps the request's `push` and the response's `write`/`end` to
 * see every body byte as it crosses the wire, without consuming the stream.
 */
export function tapHttpExchange(
  hub: TraceHub,
  req: AnyRequest,
  res: AnyResponse,
  parties: ExchangeParties,
  opts: { method?: DescMethod } = {},
): HttpExchange {
  const start = nowUnixMs();
  const isH2 = req.httpVersionMajor === 2;
  const method = req.method ?? "GET";
  const path = req.url ?? "/";
  const reqType = headerValue(req.headers["content-type"]);
  const rpcMethod = opts.method;
  const exchange: HttpExchange = {
    parties,
    method: rpcMethod,
    code: "",
    message: "",
    summary: rpcMethod ? rpcMethod.name : `${method} ${path.split("?")[0]}`,
  };
  const codec = /json/i.test(reqType) ? "json" : "proto";
  const reqCapture = new Capture(isEnveloped(reqType));
  const resCapture = new Capture(false);
  const chunkSizes: number[] = [];
  let trailers: Record<string, string> = {};
  let requestRecorded = false;
  let responseRecorded = false;

  const version = isH2 ? "HTTP/2" : `HTTP/${req.httpVersion}`;
  const shared: SharedFacts = { exchange, isH2, method, path, version, reqType, codec };

  const recordRequest = () => {
    if (requestRecorded) return;
    requestRecorded = true;
    hub.emit(
      requestEvent(shared, {
        headers: req.headers,
        headBytes: isH2 ? 0 : http1RequestHeadBytes(req as IncomingMessage),
        capture: reqCapture,
      }),
    );
  };

  const recordResponse = (aborted: boolean) => {
    if (responseRecorded) return;
    responseRecorded = true;
    recordRequest();
    const head = isH2 ? undefined : (res as ServerResponse & { _header?: string | null })._header;
    hub.emit(
      responseEvent(shared, {
        aborted,
        durationMs: nowUnixMs() - start,
        status: res.statusCode,
        headers: res.getHeaders(),
        headHeaders,
        trailers,
        http1Head: typeof head === "string" ? head : "",
        chunked: !isH2 && (res as ServerResponse & { chunkedEncoding?: boolean }).chunkedEncoding === true,
        chunkSizes,
        capture: resCapture,
      }),
    );
  };

  // Body bytes in: the HTTP parser (or the HTTP/2 stream) pushes each chunk.
  const origPush = req.push.bind(req);
  req.push = (chunk: unknown, encoding?: BufferEncoding) => {
    if (chunk !== null) reqCapture.add(chunk, encoding);
    return origPush(chunk, encoding);
  };
  req.once("end", recordRequest);
  const contentLength = req.headers["content-length"];
  if (contentLength === "0" || (!isH2 && contentLength === undefined && req.headers["transfer-encoding"] === undefined)) {
    recordRequest();
  }

  // Headers out: writeHead(status, headers) does not make them visible to
  // getHeaders(), so keep what was passed.
  let headHeaders: Record<string, string> = {};
  const origWriteHead = res.writeHead.bind(res) as (...a: unknown[]) => AnyResponse;
  (res as unknown as { writeHead: (...a: unknown[]) => AnyResponse }).writeHead = (...args: unknown[]) => {
    const h = args.find((a) => typeof a === "object" && a !== null);
    if (Array.isArray(h)) {
      for (let i = 0; i + 1 < h.length; i += 2) headHeaders[String(h[i]).toLowerCase()] = String(h[i + 1]);
    } else if (h) {
      headHeaders = { ...headHeaders, ...headerMap(Object.fromEntries(Object.entries(h as object).map(([k, v]) => [k.toLowerCase(), v]))) };
    }
    return origWriteHead(...args);
  };

  // Body bytes out.
  const r = res as ServerResponse;
  const origWrite = r.write.bind(r) as (...a: unknown[]) => boolean;
  const origEnd = r.end.bind(r) as (...a: unknown[]) => ServerResponse;
  (r as unknown as { write: (...a: unknown[]) => boolean }).write = (chunk: unknown, ...rest: unknown[]) => {
    const before = resCapture.bytes;
    resCapture.add(chunk, rest[0]);
    if (resCapture.bytes > before) chunkSizes.push(resCapture.bytes - before);
    return origWrite(chunk, ...rest);
  };
  (r as unknown as { end: (...a: unknown[]) => ServerResponse }).end = (chunk?: unknown, ...rest: unknown[]) => {
    if (typeof chunk !== "function") {
      const before = resCapture.bytes;
      resCapture.add(chunk, rest[0]);
      if (resCapture.bytes > before) chunkSizes.push(resCapture.bytes - before);
    }
    return origEnd(chunk, ...rest);
  };
  const origAddTrailers = res.addTrailers.bind(res) as (t: Record<string, string>) => void;
  (res as unknown as { addTrailers: (t: Record<string, string>) => void }).addTrailers = (t: Record<string, string>) => {
    trailers = { ...trailers, ...headerMap(t) };
    origAddTrailers(t);
  };

  // "close" follows "finish" on a completed response; one listener serves both.
  res.once("close", () => recordResponse(!res.writableFinished));
  return exchange;
}

interface SharedFacts {
  exchange: HttpExchange;
  isH2: boolean;
  method: string;
  path: string;
  version: string;
  reqType: string;
  codec: string;
}

function rpcInfo(f: SharedFacts, direction: "request" | "response", aborted = false): MessageInitShape<typeof RpcInfoSchema> | undefined {
  const m = f.exchange.method;
  return (
    m && {
      service: m.parent.typeName,
      method: m.name,
      // Cut off with no code from a handler: no outcome to report.
      code: direction === "response" ? f.exchange.code || (aborted ? "" : "ok") : "",
      message: direction === "response" ? f.exchange.message : "",
      messageType: direction === "request" ? m.input.typeName : m.output.typeName,
      streamType: m.methodKind,
      codec: f.codec,
    }
  );
}

/*
 * The two builders below live at module level on purpose: a closure made
 * inside tapHttpExchange would share its scope and keep req, res and their
 * socket alive for as long as the event sits in the trace buffer.
 *
 * Both take `light` (LazyTraceEvent.build): a light event has no wire
 * preview and no header or trailer maps, and its builder does not make
 * them; every other field, the byte counts included, is computed the same
 * way as for the whole event.
 */

function requestEvent(f: SharedFacts, r: { headers: NodeJS.Dict<string | string[]>; headBytes: number; capture: Capture }): LazyTraceEvent {
  const p = f.exchange.parties;
  return {
    session: p.session,
    build: (light) => {
      const headers = light ? undefined : headerMap(r.headers);
      const framing = r.capture.envelope?.framingBytes ?? 0;
      const headerBytes = !f.isH2 ? r.headBytes : headers ? hpackListSize(headers) : hpackDictSize(r.headers);
      // Fields listed one by one, not spread from a shared part: V8 builds an
      // object literal that starts with a spread and goes on with more
      // fields on a slow path (≈4 µs on Node 20, against ≈0.1 µs), which was
      // most of what building an event cost.
      return {
        spanId: p.spanId,
        parentSpanId: p.parentSpanId,
        mode: p.mode,
        attempt: p.attempt ?? 1,
        retryOfSpanId: p.retryOfSpanId ?? "",
        from: p.from,
        to: p.to,
        observer: p.to,
        kind: EventKind.REQUEST_RECEIVED,
        summary: f.exchange.summary,
        bytes: { header: headerBytes, body: r.capture.bytes - framing, framing, headerEstimated: f.isH2 },
        http: { method: f.method, path: f.path, version: f.version, contentType: f.reqType, headers },
        rpc: rpcInfo(f, "request"),
        wire: light ? undefined : r.capture.wire(),
        wireTruncated: light ? false : r.capture.bytes > r.capture.kept,
      };
    },
  };
}

interface ResponseFacts {
  aborted: boolean;
  durationMs: number;
  status: number;
  headers: NodeJS.Dict<string | string[] | number>;
  headHeaders: Record<string, string>;
  trailers: Record<string, string>;
  /** The HTTP/1.1 status line and header block exactly as Node wrote it. */
  http1Head: string;
  chunked: boolean;
  chunkSizes: number[];
  capture: Capture;
}

function responseEvent(f: SharedFacts, r: ResponseFacts): LazyTraceEvent {
  const p = f.exchange.parties;
  // HTTP/1.1: the header block as sent, with the Date, Connection and
  // Transfer-Encoding fields Node adds itself.
  const allHeaders = () => (r.http1Head ? parseHeadBlock(r.http1Head) : { ...headerMap(r.headers), ...r.headHeaders });
  return {
    session: p.session,
    build: (light) => {
      const resHeaders = light ? undefined : allHeaders();
      const resType = (resHeaders ? resHeaders["content-type"] : responseHeader(r, "content-type")) ?? "";
      let framing = 0;
      if (isEnveloped(resType)) {
        // Frames past the preview are not counted.
        const counter = new EnvelopeCounter();
        counter.push(r.capture.wire());
        framing = counter.framingBytes;
      }
      let headerBytes = r.http1Head.length;
      if (f.isH2) {
        headerBytes = (resHeaders ? hpackListSize({ ":status": String(r.status), ...resHeaders }) : h2HeadSize(r)) + hpackListSize(r.trailers);
      } else if (r.chunked) framing += chunkFraming(r.chunkSizes);
      const ex = f.exchange;
      // An exchange cut off before any answer has no status on the wire to read
      // (Node's default 200 would read as "ok"); a handler's code, if it ran, stays.
      if (ex.method && ex.code === "" && !r.aborted) ex.code = rpcCodeFromWire(r.status, resType, resHeaders ?? allHeaders(), r.trailers, r.capture.wire());
      const rpc = rpcInfo(f, "response", r.aborted);
      return {
        spanId: p.spanId,
        parentSpanId: p.parentSpanId,
        mode: p.mode,
        attempt: p.attempt ?? 1,
        retryOfSpanId: p.retryOfSpanId ?? "",
        from: p.to,
        to: p.from,
        observer: p.to,
        kind: r.aborted ? EventKind.ERROR : EventKind.RESPONSE_SENT,
        summary: r.aborted ? `${ex.summary} aborted` : responseSummary(r.status, rpc?.code ?? ""),
        durationMs: r.durationMs,
        error: r.aborted ? "connection closed before the response was complete" : "",
        bytes: { header: headerBytes, body: r.capture.bytes - framing, framing, headerEstimated: f.isH2 },
        http: { method: f.method, path: f.path, status: r.status, version: f.version, contentType: resType, headers: resHeaders, trailers: light ? undefined : r.trailers },
        rpc,
        wire: light ? undefined : r.capture.wire(),
        wireTruncated: light ? false : r.capture.bytes > r.capture.kept,
      };
    },
  };
}

/** One response header field as the whole event's map has it, without building the map. */
function responseHeader(r: ResponseFacts, name: string): string | undefined {
  if (r.http1Head) return parseHeadBlock(r.http1Head, name)[name];
  if (Object.hasOwn(r.headHeaders, name)) return r.headHeaders[name];
  const v = r.headers[name];
  return v === undefined ? undefined : headerText(name, v);
}

/** hpackListSize({ ":status": …, ...headerMap(r.headers), ...r.headHeaders }), without building the map. */
function h2HeadSize(r: ResponseFacts): number {
  let n = 0;
  let status = true;
  for (const [k, v] of Object.entries(r.headHeaders)) {
    n += k.length + v.length + 32;
    if (k === ":status") status = false;
  }
  for (const [k, v] of Object.entries(r.headers)) {
    if (v === undefined || Object.hasOwn(r.headHeaders, k)) continue;
    n += k.length + headerText(k, v).length + 32;
    if (k === ":status") status = false;
  }
  return status ? n + ":status".length + String(r.status).length + 32 : n;
}

/**
 * Header fields of an HTTP/1.1 head ("HTTP/1.1 200 OK\r\nName: value\r\n…"),
 * names lower-cased; with `only`, just that field.
 */
function parseHeadBlock(head: string, only?: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = head.split("\r\n");
  for (let i = 1; i < lines.length; i++) {
    const colon = lines[i].indexOf(":");
    if (colon <= 0) continue;
    const name = lines[i].slice(0, colon).trim().toLowerCase();
    if (only !== undefined && name !== only) continue;
    const value = lines[i].slice(colon + 1).trim();
    out[name] = REDACTED.has(name) ? "(redacted)" : out[name] ? `${out[name]}, ${value}` : value;
  }
  return out;
}

function headerValue(v: string | string[] | number | undefined): string {
  if (v === undefined) return "";
  return Array.isArray(v) ? v[0] : String(v);
}

function responseSummary(status: number, code: string): string {
  if (code !== "") return code;
  return `${status}`;
}
