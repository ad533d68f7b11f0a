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
  /** Bytes of the preview held in `parts`. */
  kept = 0;
  /**
   * The preview's pieces as written: bytes copied (the socket reuses its
   * buffers), a UTF-8 string that fits whole kept as the string and
   * encoded only if the preview is read (most bodies are one JSON string).
   */
  parts: Array<Uint8Array | string> | undefined;
  envelope: EnvelopeCounter | undefined;

  constructor(enveloped: boolean) {
    this.envelope = enveloped ? new EnvelopeCounter() : undefined;
  }

  add(chunk: unknown, encoding?: unknown): void {
    if (chunk === undefined || chunk === null) return;
    if (typeof chunk === "string") {
      const utf8 = encoding === undefined || encoding === "utf8" || encoding === "utf-8" || typeof encoding !== "string";
      if (utf8 && this.envelope === undefined) {
        const n = Buffer.byteLength(chunk);
        if (n === 0) return;
        this.bytes += n;
        if (n <= WIRE_PREVIEW_BYTES - this.kept) {
          (this.parts ??= []).push(flat(chunk));
          this.kept += n;
          return;
        }
        this.keep(Buffer.from(chunk));
        return;
      }
      this.addBytes(Buffer.from(chunk, utf8 ? "utf8" : (encoding as BufferEncoding)));
      return;
    }
    this.addBytes(chunk as Uint8Array);
  }

  private addBytes(buf: Uint8Array): void {
    if (buf.length === 0) return;
    this.bytes += buf.length;
    this.envelope?.push(buf);
    this.keep(buf);
  }

  private keep(buf: Uint8Array): void {
    if (this.kept >= WIRE_PREVIEW_BYTES) return;
    const slice = buf.subarray(0, WIRE_PREVIEW_BYTES - this.kept);
    // A copy (the socket reuses its buffers); new Uint8Array(view) is a memcpy.
    (this.parts ??= []).push(new Uint8Array(slice));
    this.kept += slice.length;
  }

  wire(): Uint8Array {
    const parts = this.parts;
    if (parts === undefined) return NO_BYTES;
    if (parts.length === 1 && typeof parts[0] !== "string") return parts[0];
    const whole = Buffer.concat(parts.map((p) => (typeof p === "string" ? Buffer.from(p) : p)));
    this.parts = [whole];
    return whole;
  }
}

const NO_BYTES = new Uint8Array(0);

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
// The header sizes below loop with for…in, not Object.entries: no array per field (header objects have no enumerable inherited keys).

function hpackListSize(headers: Record<string, string>): number {
  let n = 0;
  for (const k in headers) n += k.length + headers[k].length + 32;
  return n;
}

/** hpackListSize(headerMap(headers)), without building the map (light events). */
function hpackDictSize(headers: NodeJS.Dict<string | string[] | number>): number {
  let n = 0;
  for (const k in headers) {
    const v = headers[k];
    if (v !== undefined) n += k.length + headerText(k, v).length + 32;
  }
  return n;
}

/** HTTP/1.1 request line and header block as sent (RFC 9112 §2.1). */
function http1RequestHeadBytes(req: IncomingMessage): number {
  // Node writes header fields as latin1, one byte per character:
  // "METHOD SP target SP HTTP/x.y CRLF", the fields, then the empty line.
  let n = (req.method ?? "").length + 1 + (req.url ?? "").length + 1 + 5 + req.httpVersion.length + 2 + 2;
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) n += raw[i].length + 2 + raw[i + 1].length + 2;
  return n;
}

/**
 * Framing bytes of one chunk of `size` bytes in chunked transfer coding
 * (RFC 9112 §7.1): "<hex size>\r\n<data>\r\n". The last chunk, "0\r\n\r\n",
 * adds LAST_CHUNK_BYTES.
 */
function chunkFraming(size: number): number {
  let digits = 1;
  for (let v = size; v >= 16; v = Math.floor(v / 16)) digits++;
  return digits + 4;
}

const LAST_CHUNK_BYTES = 5;

/** Where a request or response being tapped keeps its tap. */
const TAP = Symbol("wirelab.httpTap");
type Tappable = { [TAP]?: ExchangeTap };

const NO_FIELDS: Readonly<Record<string, string>> = Object.freeze({});

/**
 * One exchange being recorded. The request's `push` and the response's
 * `writeHead`/`write`/`end`/`addTrailers`/`emit("close")` reach it through
 * hooks installed once on the prototypes (installHooks), keyed by a symbol
 * on the object: no closures, bound functions or listeners per exchange
 * (with the trace on, the REST-only bench went from 660–680 to 754–777
 * calls/s when the closures went). What only some exchanges have (header
 * fields passed to writeHead, trailers, chunk sizes) is made when first needed.
 */
class ExchangeTap {
  readonly start = nowUnixMs();
  readonly reqCapture: Capture;
  readonly resCapture = new Capture(false);
  /** Chunked framing of the body's writes so far, were it sent chunked (a count, not the sizes: an array per response outlived it in the trace's buffer). */
  chunkFramingBytes = 0;
  trailers: Record<string, string> | undefined;
  /** writeHead(status, headers) does not make them visible to getHeaders(), so keep what was passed. */
  headHeaders: Record<string, string> | undefined;
  private requestRecorded = false;
  private responseRecorded = false;

  constructor(
    private readonly hub: TraceHub,
    private readonly req: AnyRequest,
    readonly res: AnyResponse,
    readonly facts: ExchangeFacts,
  ) {
    this.reqCapture = new Capture(isEnveloped(facts.reqType));
  }

  recordRequest(): void {
    if (this.requestRecorded) return;
    this.requestRecorded = true;
    const { req, facts } = this;
    this.hub.emit(new RequestEvent(facts, req.headers, facts.isH2 ? 0 : http1RequestHeadBytes(req as IncomingMessage), this.reqCapture));
  }

  recordResponse(aborted: boolean): void {
    if (this.responseRecorded) return;
    this.responseRecorded = true;
    this.recordRequest();
    const { res, facts } = this;
    const head = facts.isH2 ? undefined : (res as ServerResponse & { _header?: string | null })._header;
    const http1Head = typeof head === "string" ? flat(head) : "";
    this.hub.emit(
      new ResponseEvent(facts, {
        aborted,
        durationMs: nowUnixMs() - this.start,
        status: res.statusCode,
        // HTTP/1.1 reads its fields from the head Node wrote; HTTP/2 (or a head never written) from the response.
        headers: http1Head ? NO_HEADERS : res.getHeaders(),
        headHeaders: this.headHeaders ?? NO_FIELDS,
        trailers: this.trailers ?? NO_FIELDS,
        http1Head,
        chunked: !facts.isH2 && (res as ServerResponse & { chunkedEncoding?: boolean }).chunkedEncoding === true,
        chunkFraming: this.chunkFramingBytes + LAST_CHUNK_BYTES,
        capture: this.resCapture,
      }),
    );
  }

  wroteBody(chunk: unknown, encoding: unknown): void {
    const before = this.resCapture.bytes;
    this.resCapture.add(chunk, encoding);
    if (this.resCapture.bytes > before) this.chunkFramingBytes += chunkFraming(this.resCapture.bytes - before);
  }

  /** writeHead(status, [message,] [headers]). */
  wroteHead(a: unknown, b: unknown): void {
    const h = typeof a === "object" && a !== null ? a : typeof b === "object" && b !== null ? b : undefined;
    if (h === undefined) return;
    const out = (this.headHeaders ??= {});
    if (Array.isArray(h)) {
      for (let i = 0; i + 1 < h.length; i += 2) out[String(h[i]).toLowerCase()] = String(h[i + 1]);
    } else {
      for (const [k, v] of Object.entries(h as NodeJS.Dict<string | string[] | number>)) if (v !== undefined) out[k.toLowerCase()] = headerText(k.toLowerCase(), v);
    }
  }

  addedTrailers(t: unknown): void {
    this.trailers = { ...this.trailers, ...headerMap(t as Record<string, string>) };
  }
}

const NO_HEADERS: NodeJS.Dict<string | string[] | number> = Object.freeze({});

/**
 * The string made flat. Node builds a response head line by line, a rope
 * of a few dozen pieces (V8 cons strings) that an event would keep for as
 * long as the trace's buffer keeps it; a regular expression's match makes
 * V8 flatten its subject into one string, and the pieces go. (A rope like
 * a 12-field head kept 1.95 KB, flattened 0.34 KB; indexOf left it at
 * 1.7 KB.)
 */
const START = /^/;
function flat(s: string): string {
  START.test(s);
  return s;
}

/**
 * Calls `before` with the object's tap, if it has one, then the original
 * method with the arguments it was given (`arguments` passed straight to
 * apply is not materialised, where a rest parameter makes an array per call).
 */
function hook(proto: object, name: string, before: (tap: ExchangeTap, a: unknown, b: unknown, c: unknown) => void): void {
  const target = proto as Record<string, unknown>;
  const orig = target[name] as (...a: unknown[]) => unknown;
  target[name] = function hooked(this: Tappable, a: unknown, b: unknown, c: unknown) {
    const tap = this[TAP];
    if (tap !== undefined) before(tap, a, b, c);
    // eslint-disable-next-line prefer-rest-params
    return orig.apply(this, arguments as unknown as unknown[]);
  };
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
 *
 * The request is recorded when its body ends: the parser (or the HTTP/2
 * stream) pushes null, whether or not anyone reads the body. The response
 * is recorded when it emits "close", which follows "finish" on a completed
 * response and comes alone on one cut off.
 */
function installHooks(req: AnyRequest, res: AnyResponse): void {
  once(Object.getPrototypeOf(req) as object, (proto) =>
    hook(proto, "push", (tap, chunk, encoding) => {
      if (chunk === null) tap.recordRequest();
      else tap.reqCapture.add(chunk, encoding);
    }),
  );
  once(Object.getPrototypeOf(res) as object, (proto) => {
    hook(proto, "writeHead", (tap, _status, b, c) => tap.wroteHead(b, c));
    hook(proto, "write", (tap, chunk, encoding) => tap.wroteBody(chunk, encoding));
    hook(proto, "end", (tap, chunk, encoding) => {
      if (typeof chunk !== "function") tap.wroteBody(chunk, encoding);
    });
    hook(proto, "addTrailers", (tap, t) => tap.addedTrailers(t));
    hook(proto, "emit", (tap, event) => {
      if (event === "close") tap.recordResponse(!tap.res.writableFinished);
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
  const query = path.indexOf("?");
  const exchange: HttpExchange = {
    parties,
    method: rpcMethod,
    code: "",
    message: "",
    summary: rpcMethod ? rpcMethod.name : flat(`${method} ${query < 0 ? path : path.slice(0, query)}`),
  };
  const facts: ExchangeFacts = {
    exchange,
    isH2,
    method,
    path,
    version: isH2 ? "HTTP/2" : req.httpVersion === "1.1" ? "HTTP/1.1" : `HTTP/${req.httpVersion}`,
    reqType,
    codec: /json/i.test(reqType) ? "json" : "proto",
  };
  const tap = new ExchangeTap(hub, req, res, facts);
  (req as Tappable)[TAP] = tap;
  (res as Tappable)[TAP] = tap;
  const contentLength = req.headers["content-length"];
  if (contentLength === "0" || (!isH2 && contentLength === undefined && req.headers["transfer-encoding"] === undefined)) {
    tap.recordRequest();
  }
  return exchange;
}

/** What both events of an exchange say about it. */
interface ExchangeFacts {
  exchange: HttpExchange;
  isH2: boolean;
  method: string;
  path: string;
  version: string;
  reqType: string;
  codec: string;
}

function rpcInfo(f: ExchangeFacts, direction: "request" | "response", aborted = false): MessageInitShape<typeof RpcInfoSchema> | undefined {
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
 * The two events below are classes, not closures made per exchange: a
 * closure inside tapHttpExchange would share its scope and keep req, res
 * and their socket alive for as long as the event sits in the trace
 * buffer, and each closure is one more allocation (and, under tsx, a
 * defineProperty for its name) per event.
 *
 * `build(light)` (LazyTraceEvent.build): a light event has no wire preview
 * and no header or trailer maps, and its builder does not make them; every
 * other field, the byte counts included, is computed the same way as for
 * the whole event.
 */

class RequestEvent implements LazyTraceEvent {
  seq = 0;
  timeUnixMs = 0;
  readonly session: string;

  constructor(
    private readonly f: ExchangeFacts,
    private readonly headers: NodeJS.Dict<string | string[]>,
    private readonly headBytes: number,
    private readonly capture: Capture,
  ) {
    this.session = f.exchange.parties.session;
  }

  build(light: boolean) {
    const { f, capture } = this;
    const p = f.exchange.parties;
    const headers = light ? undefined : headerMap(this.headers);
    const framing = capture.envelope?.framingBytes ?? 0;
    const headerBytes = !f.isH2 ? this.headBytes : headers ? hpackListSize(headers) : hpackDictSize(this.headers);
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
      bytes: { header: headerBytes, body: capture.bytes - framing, framing, headerEstimated: f.isH2 },
      http: { method: f.method, path: f.path, version: f.version, contentType: f.reqType, headers },
      rpc: rpcInfo(f, "request"),
      wire: light ? undefined : capture.wire(),
      wireTruncated: light ? false : capture.bytes > capture.kept,
    };
  }
}

interface ResponseFacts {
  aborted: boolean;
  durationMs: number;
  status: number;
  headers: NodeJS.Dict<string | string[] | number>;
  headHeaders: Readonly<Record<string, string>>;
  trailers: Readonly<Record<string, string>>;
  /** The HTTP/1.1 status line and header block exactly as Node wrote it. */
  http1Head: string;
  chunked: boolean;
  /** What chunked transfer coding added (RFC 9112 §7.1), counted when `chunked`. */
  chunkFraming: number;
  capture: Capture;
}

class ResponseEvent implements LazyTraceEvent {
  seq = 0;
  timeUnixMs = 0;
  readonly session: string;

  constructor(
    private readonly f: ExchangeFacts,
    private readonly r: ResponseFacts,
  ) {
    this.session = f.exchange.parties.session;
  }

  /**
   * The header fields. HTTP/1.1: the header block as sent, with the Date,
   * Connection and Transfer-Encoding fields Node adds itself.
   */
  private allHeaders(): Record<string, string> {
    const r = this.r;
    return r.http1Head ? parseHeadBlock(r.http1Head) : { ...headerMap(r.headers), ...r.headHeaders };
  }

  build(light: boolean) {
    const { f, r } = this;
    const p = f.exchange.parties;
    const resHeaders = light ? undefined : this.allHeaders();
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
    } else if (r.chunked) framing += r.chunkFraming;
    const ex = f.exchange;
    // An exchange cut off before any answer has no status on the wire to read
    // (Node's default 200 would read as "ok"); a handler's code, if it ran, stays.
    if (ex.method && ex.code === "" && !r.aborted) ex.code = rpcCodeFromWire(r.status, resType, resHeaders ?? this.allHeaders(), r.trailers, r.capture.wire());
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
      http: { method: f.method, path: f.path, status: r.status, version: f.version, contentType: resType, headers: resHeaders, trailers: light ? undefined : { ...r.trailers } },
      rpc,
      wire: light ? undefined : r.capture.wire(),
      wireTruncated: light ? false : r.capture.bytes > r.capture.kept,
    };
  }
}

/** One response header field as the whole event's map has it, without building the map. */
function responseHeader(r: ResponseFacts, name: string): string | undefined {
  if (r.http1Head) return headBlockField(r.http1Head, name);
  if (Object.hasOwn(r.headHeaders, name)) return r.headHeaders[name];
  const v = r.headers[name];
  return v === undefined ? undefined : headerText(name, v);
}

const FIELD_LINES = new Map<string, RegExp>();

/** parseHeadBlock(head)[name] for a lower-case `name`, found without splitting the head. */
function headBlockField(head: string, name: string): string | undefined {
  let re = FIELD_LINES.get(name);
  if (re === undefined) FIELD_LINES.set(name, (re = new RegExp(`\\r\\n${name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}[ \\t]*:([^\\r]*)`, "gi")));
  re.lastIndex = 0;
  let out: string | undefined;
  for (let m = re.exec(head); m !== null; m = re.exec(head)) {
    const value = m[1].trim();
    out = out === undefined ? value : `${out}, ${value}`;
  }
  return out === undefined || !REDACTED.has(name) ? out : "(redacted)";
}

/** hpackListSize({ ":status": …, ...headerMap(r.headers), ...r.headHeaders }), without building the map. */
function h2HeadSize(r: ResponseFacts): number {
  let n = 0;
  let status = true;
  for (const k in r.headHeaders) {
    n += k.length + r.headHeaders[k].length + 32;
    if (k === ":status") status = false;
  }
  for (const k in r.headers) {
    const v = r.headers[k];
    if (v === undefined || Object.hasOwn(r.headHeaders, k)) continue;
    n += k.length + headerText(k, v).length + 32;
    if (k === ":status") status = false;
  }
  return status ? n + ":status".length + String(r.status).length + 32 : n;
}

/**
 * Header fields of an HTTP/1.1 head ("HTTP/1.1 200 OK\r\nName: value\r\n…"),
 * names lower-cased.
 */
function parseHeadBlock(head: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = head.split("\r\n");
  for (let i = 1; i < lines.length; i++) {
    const colon = lines[i].indexOf(":");
    if (colon <= 0) continue;
    const name = lines[i].slice(0, colon).trim().toLowerCase();
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
