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

/** Where a request or response being tapped keeps its tap. */
const TAP = Symbol("wirelab.httpTap");
type Tappable = { [TAP]?: ExchangeTap };

/**
 * One exchange being recorded. The request's `push` and the response's
 * `writeHead`/`write`/`end`/`addTrailers` reach it through hooks installed
 * once on the prototypes (installHooks), keyed by a symbol on the object:
 * no closures or bound functions per exchange (with the trace on, the
 * REST-only bench went from 660–680 to 754–777 calls/s).
 */
class ExchangeTap {
  readonly start = nowUnixMs();
  readonly reqCapture: Capture;
  readonly resCapture = new Capture(false);
  readonly chunkSizes: number[] = [];
  trailers: Record<string, string> = {};
  /** writeHead(status, headers) does not make them visible to getHeaders(), so keep what was passed. */
  headHeaders: Record<string, string> = {};
  private requestRecorded = false;
  private responseRecorded = false;

  constructor(
    private readonly hub: TraceHub,
    private readonly req: AnyRequest,
    private readonly res: AnyResponse,
    readonly shared: SharedFacts,
  ) {
    this.reqCapture = new Capture(isEnveloped(shared.reqType));
  }

  recordRequest(): void {
    if (this.requestRecorded) return;
    this.requestRecorded = true;
    const { req, shared } = this;
    this.hub.emit(requestEvent(shared, { headers: req.headers, headBytes: shared.isH2 ? 0 : http1RequestHeadBytes(req as IncomingMessage), capture: this.reqCapture }));
  }

  recordResponse(aborted: boolean): void {
    if (this.responseRecorded) return;
    this.responseRecorded = true;
    this.recordRequest();
    const { res, shared } = this;
    const head = shared.isH2 ? undefined : (res as ServerResponse & { _header?: string | null })._header;
    const http1Head = typeof head === "string" ? head : "";
    this.hub.emit(
      responseEvent(shared, {
        aborted,
        durationMs: nowUnixMs() - this.start,
        status: res.statusCode,
        // HTTP/1.1 reads its fields from the head Node wrote; HTTP/2 (or a head never written) from the response.
        headers: http1Head ? NO_HEADERS : res.getHeaders(),
        headHeaders: this.headHeaders,
        trailers: this.trailers,
        http1Head,
        chunked: !shared.isH2 && (res as ServerResponse & { chunkedEncoding?: boolean }).chunkedEncoding === true,
        chunkSizes: this.chunkSizes,
        capture: this.resCapture,
      }),
    );
  }

  wroteBody(chunk: unknown, encoding: unknown): void {
    const before = this.resCapture.bytes;
    this.resCapture.add(chunk, encoding);
    if (this.resCapture.bytes > before) this.chunkSizes.push(this.resCapture.bytes - before);
  }

  wroteHead(args: readonly unknown[]): void {
    const h = args.find((a) => typeof a === "object" && a !== null);
    if (Array.isArray(h)) {
      for (let i = 0; i + 1 < h.length; i += 2) this.headHeaders[String(h[i]).toLowerCase()] = String(h[i + 1]);
    } else if (h) {
      for (const [k, v] of Object.entries(h as NodeJS.Dict<string | string[] | number>)) if (v !== undefined) this.headHeaders[k.toLowerCase()] = headerText(k.toLowerCase(), v);
    }
  }
}

const NO_HEADERS: NodeJS.Dict<string | string[] | number> = Object.freeze({});

/** Calls `before` with the object's tap, if it has one, then the original method. */
function hook(proto: object, name: string, before: (tap: ExchangeTap, args: unknown[]) => void): void {
  const target = proto as Record<string, unknown>;
  const orig = target[name] as (...a: unknown[]) => unknown;
  target[name] = function hooked(this: Tappable, ...args: unknown[]) {
    const tap = this[TAP];
    if (tap !== undefined) before(tap, args);
    return orig.apply(this, args);
  };
}

function onRequestEnd(this: Tappable): void {
  this[TAP]?.recordRequest();
}

// "close" follows "finish" on a completed response; one listener serves both.
function onResponseClose(this: Tappable & AnyResponse): void {
  this[TAP]?.recordResponse(!this.writableFinished);
}

const TAP_HOOKED = Symbol("wirelab.httpTapHooked");

/** Installs `install` on a prototype once. */
function once(proto: object, install: (proto: object) => void): void {
  const p = proto as Record<PropertyKey, unknown>;
  if (Object.hasOwn(p, TAP_HOOKED)) return;
  p[TAP_HOOKED] = true;
  install(proto);
}

/**
 * The hooks, installed on the prototypes of the first exchange's request
 * and response (IncomingMessage/ServerResponse for HTTP/1.1,
 * Http2ServerRequest/Http2ServerResponse for HTTP/2), so other objects of
 * those classes (Next's pages) pay one symbol lookup per call.
 */
function installHooks(req: AnyRequest, res: AnyResponse): void {
  once(Object.getPrototypeOf(req) as object, (proto) =>
    hook(proto, "push", (tap, [chunk, encoding]) => {
      if (chunk !== null) tap.reqCapture.add(chunk, encoding);
    }),
  );
  once(Object.getPrototypeOf(res) as object, (proto) => {
    hook(proto, "writeHead", (tap, args) => tap.wroteHead(args));
    hook(proto, "write", (tap, [chunk, encoding]) => tap.wroteBody(chunk, encoding));
    hook(proto, "end", (tap, [chunk, encoding]) => {
      if (typeof chunk !== "function") tap.wroteBody(chunk, encoding);
    });
    hook(proto, "addTrailers", (tap, [t]) => {
      tap.trailers = { ...tap.trailers, ...headerMap(t as Record<string, string>) };
    });
  });
}

/**
 * Starts recording one exchange. Call it before anything reads the request
 * body: it sees every body byte of the request as the parser (or the
 * HTTP/2 stream) pushes it and of the response as it is written, without
 * consuming the stream.
 */
export function tapHttpExchange(
  hub: TraceHub,
  req: AnyRequest,
  res: AnyResponse,
  parties: ExchangeParties,
  opts: { method?: DescMethod } = {},
): HttpExchange {
  installHooks(req, res);
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
  const version = isH2 ? "HTTP/2" : `HTTP/${req.httpVersion}`;
  const tap = new ExchangeTap(hub, req, res, { exchange, isH2, method, path, version, reqType, codec });
  (req as Tappable)[TAP] = tap;
  (res as Tappable)[TAP] = tap;

  req.once("end", onRequestEnd);
  const contentLength = req.headers["content-length"];
  if (contentLength === "0" || (!isH2 && contentLength === undefined && req.headers["transfer-encoding"] === undefined)) {
    tap.recordRequest();
  }
  res.once("close", onResponseClose);
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
