import type { IncomingMessage, ServerResponse } from "node:http";
import type { Http2ServerRequest, Http2ServerResponse } from "node:http2";
import type { DescMethod } from "@bufbuild/protobuf";
import { EventKind, Mode } from "../../lib/gen/lab/v1/trace_pb";
import { nowUnixMs } from "../../lib/trace";
import type { TraceHub } from "../trace/trace-hub";
import { EnvelopeCounter } from "./envelope-counter";
import { rpcCodeFromWire } from "./rpc-outcome";

/** Bytes of a body kept in a trace event for the inspector. */
export const WIRE_PREVIEW_BYTES = 4096;

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

const REDACTED = new Set(["cookie", "authorization", "set-cookie"]);

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
      this.chunks.push(Uint8Array.from(slice));
      this.kept += slice.length;
    }
  }

  wire(): Uint8Array {
    return this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks);
  }
}

function isEnveloped(contentType: string | undefined): boolean {
  const ct = (contentType ?? "").toLowerCase();
  return ct.startsWith("application/grpc") || ct.startsWith("application/connect+");
}

function headerMap(headers: NodeJS.Dict<string | string[] | number>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) {
    if (v === undefined) continue;
    out[k] = REDACTED.has(k) ? "(redacted)" : Array.isArray(v) ? v.join(", ") : String(v);
  }
  return out;
}

/** RFC 7541 §4.1: an entry's size is its name and value length plus 32. */
function hpackListSize(headers: Record<string, string>): number {
  let n = 0;
  for (const [k, v] of Object.entries(headers)) n += k.length + v.length + 32;
  return n;
}

/** HTTP/1.1 request line and header block as sent (RFC 9112 §2.1). */
function http1RequestHeadBytes(req: IncomingMessage): number {
  let n = `${req.method} ${req.url} HTTP/${req.httpVersion}\r\n`.length + 2;
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) n += Buffer.byteLength(raw[i]) + 2 + Buffer.byteLength(raw[i + 1]) + 2;
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
  const rpcInfo = (direction: "request" | "response") =>
    rpcMethod && {
      service: rpcMethod.parent.typeName,
      method: rpcMethod.name,
      code: direction === "response" ? exchange.code || "ok" : "",
      message: direction === "response" ? exchange.message : "",
      messageType: direction === "request" ? rpcMethod.input.typeName : rpcMethod.output.typeName,
      streamType: rpcMethod.methodKind,
      codec,
    };
  const reqCapture = new Capture(isEnveloped(reqType));
  const resCapture = new Capture(false);
  const chunkSizes: number[] = [];
  let trailers: Record<string, string> = {};
  let requestRecorded = false;
  let responseRecorded = false;

  const base = () => ({
    session: parties.session,
    spanId: parties.spanId,
    parentSpanId: parties.parentSpanId,
    mode: parties.mode,
    attempt: parties.attempt ?? 1,
    retryOfSpanId: parties.retryOfSpanId ?? "",
  });

  const recordRequest = () => {
    if (requestRecorded) return;
    requestRecorded = true;
    const headers = headerMap(req.headers);
    const framing = reqCapture.envelope?.framingBytes ?? 0;
    hub.emit({
      ...base(),
      from: parties.from,
      to: parties.to,
      observer: parties.to,
      kind: EventKind.REQUEST_RECEIVED,
      summary: exchange.summary,
      bytes: {
        header: isH2 ? hpackListSize(headers) : http1RequestHeadBytes(req as IncomingMessage),
        body: reqCapture.bytes - framing,
        framing,
        headerEstimated: isH2,
      },
      http: { method, path, version: isH2 ? "HTTP/2" : `HTTP/${req.httpVersion}`, contentType: reqType, headers },
      rpc: rpcInfo("request"),
      wire: reqCapture.wire(),
      wireTruncated: reqCapture.bytes > reqCapture.kept,
    });
  };

  const recordResponse = (aborted: boolean) => {
    if (responseRecorded) return;
    responseRecorded = true;
    recordRequest();
    const end = nowUnixMs();
    const resHeaders = { ...headerMap(res.getHeaders()), ...headHeaders };
    const resType = resHeaders["content-type"] ?? "";
    const enveloped = isEnveloped(resType);
    let framing = 0;
    if (enveloped) {
      const counter = new EnvelopeCounter();
      counter.push(resCapture.wire());
      // Frames past the preview are not counted; a stream longer than the
      // preview reports framing for what it kept.
      framing = counter.framingBytes;
    }
    let headerBytes: number;
    if (isH2) {
      headerBytes = hpackListSize({ ":status": String(res.statusCode), ...resHeaders }) + hpackListSize(trailers);
    } else {
      const head = (res as ServerResponse & { _header?: string | null })._header;
      headerBytes = typeof head === "string" ? Buffer.byteLength(head) : 0;
      if ((res as ServerResponse & { chunkedEncoding?: boolean }).chunkedEncoding) framing += chunkFraming(chunkSizes);
    }
    if (rpcMethod && exchange.code === "") {
      exchange.code = rpcCodeFromWire(res.statusCode, resType, resHeaders, trailers, resCapture.wire());
    }
    const rpc = rpcInfo("response");
    const code = rpc ? rpc.code : "";
    hub.emit({
      ...base(),
      from: parties.to,
      to: parties.from,
      observer: parties.to,
      kind: aborted ? EventKind.ERROR : EventKind.RESPONSE_SENT,
      summary: aborted ? `${exchange.summary} aborted` : responseSummary(res.statusCode, code),
      durationMs: end - start,
      error: aborted ? "connection closed before the response was complete" : "",
      bytes: { header: headerBytes, body: resCapture.bytes - framing, framing, headerEstimated: isH2 },
      http: {
        method,
        path,
        status: res.statusCode,
        version: isH2 ? "HTTP/2" : `HTTP/${req.httpVersion}`,
        contentType: resType,
        headers: resHeaders,
        trailers,
      },
      rpc,
      wire: resCapture.wire(),
      wireTruncated: resCapture.bytes > resCapture.kept,
    });
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

  res.once("finish", () => recordResponse(false));
  res.once("close", () => recordResponse(!res.writableFinished));
  return exchange;
}

function headerValue(v: string | string[] | number | undefined): string {
  if (v === undefined) return "";
  return Array.isArray(v) ? v[0] : String(v);
}

function responseSummary(status: number, code: string): string {
  if (code !== "") return code;
  return `${status}`;
}
