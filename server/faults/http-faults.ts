import http2, { type Http2ServerResponse } from "node:http2";
import type { ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { FaultKind, type FaultRule } from "../../lib/gen/lab/v1/fault_pb";
import type { AnyRequest, AnyResponse } from "../http/http-tap";
import type { FaultPoint, SessionFaults } from "./session-faults";

/** Reports a rule that fired on this exchange (a FAULT trace event). */
export type FaultReporter = (rule: FaultRule, detail: string) => void;

function isHttp2(res: AnyResponse): res is Http2ServerResponse {
  return "stream" in res && res.stream !== undefined;
}

/**
 * Ends an exchange abruptly. HTTP/1.1: a TCP reset of the connection
 * (RST instead of FIN). HTTP/2: RST_STREAM on this stream only (RFC 9113
 * §6.4), so other sessions' calls on a shared connection live on. Before
 * the handler ran it is REFUSED_STREAM ("not processed, safe to retry",
 * RFC 9113 §8.7; gRPC maps it to `unavailable`), after it INTERNAL_ERROR
 * (`internal`; PROTOCOL-HTTP2, "Errors").
 */
export function killExchange(res: AnyResponse, how: "refuse" | "reset" | "close", h1Socket?: Socket): void {
  if (isHttp2(res)) {
    const { NGHTTP2_REFUSED_STREAM, NGHTTP2_INTERNAL_ERROR, NGHTTP2_NO_ERROR } = http2.constants;
    const code = how === "refuse" ? NGHTTP2_REFUSED_STREAM : how === "reset" ? NGHTTP2_INTERNAL_ERROR : NGHTTP2_NO_ERROR;
    if (!res.stream.destroyed) res.stream.close(code);
    return;
  }
  // The response lets go of its socket when it finishes; a caller that
  // shapes the response passes the socket it captured.
  const socket = h1Socket ?? ((res as ServerResponse).socket as Socket | null);
  if (!socket || socket.destroyed) return;
  if (how === "close") socket.destroySoon();
  else socket.resetAndDestroy();
}

interface Shape {
  /** Bytes per second, for a bandwidth limit. */
  bytesPerSecond?: number;
  sliceBytes?: number;
  sliceDelayMs?: number;
  /** End the exchange after this many response bytes. */
  limit?: { bytes: number; how: "reset" | "close"; rule: FaultRule };
}

type WriteFn = (chunk: unknown, encoding?: unknown, cb?: unknown) => boolean;

/**
 * Shapes what the server writes for one response: delays, slices and cuts
 * the bytes at the write to the socket (HTTP/1.1; status line and headers
 * count) or to the stream (HTTP/2; DATA only), like Toxiproxy's bandwidth,
 * slicer, limit_data and reset_peer toxics — but for one session's
 * exchange rather than a whole port.
 */
function shapeResponse(res: AnyResponse, shape: Shape, report: FaultReporter): void {
  const target = (isHttp2(res) ? res.stream : (res as ServerResponse).socket) as unknown as { write: WriteFn; end: (...a: unknown[]) => unknown } | null;
  if (!target) return;
  const h2 = isHttp2(res);
  const origWrite = target.write;
  const origEnd = target.end;
  let sent = 0;
  let cut = false;
  let chain = Promise.resolve();
  const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
  const pieceSize = shape.sliceBytes ?? (shape.bytesPerSecond ? Math.max(1, Math.ceil(shape.bytesPerSecond / 20)) : Infinity);

  const writeShaped = async (buf: Buffer, cb: ((err?: Error | null) => void) | undefined) => {
    for (let off = 0; off < buf.length && !cut; ) {
      let piece = buf.subarray(off, Math.min(buf.length, off + pieceSize));
      if (shape.limit && sent + piece.length >= shape.limit.bytes) {
        piece = piece.subarray(0, shape.limit.bytes - sent);
        if (piece.length > 0) origWrite.call(target, piece);
        sent += piece.length;
        cut = true;
        report(shape.limit.rule, `${shape.limit.how === "reset" ? "reset" : "closed"} after ${sent} response bytes`);
        // Let the bytes leave before the reset, so the peer sees a partial answer.
        await sleep(5);
        killExchange(res, shape.limit.how, h2 ? undefined : (target as unknown as Socket));
        break;
      }
      origWrite.call(target, piece);
      sent += piece.length;
      off += piece.length;
      if (off < buf.length || shape.bytesPerSecond) {
        const wait = (shape.sliceDelayMs ?? 0) + (shape.bytesPerSecond ? (piece.length * 1000) / shape.bytesPerSecond : 0);
        if (wait > 0) await sleep(wait);
      }
    }
    cb?.(cut ? null : undefined);
  };

  target.write = function (chunk: unknown, encoding?: unknown, cb?: unknown) {
    const callback = (typeof encoding === "function" ? encoding : cb) as ((err?: Error | null) => void) | undefined;
    const buf = typeof chunk === "string" ? Buffer.from(chunk, typeof encoding === "string" ? (encoding as BufferEncoding) : "utf8") : Buffer.from(chunk as Uint8Array);
    chain = chain.then(() => writeShaped(buf, callback));
    return true;
  };
  if (h2) {
    // Http2ServerResponse.end ends the stream; it must wait for the shaped writes.
    target.end = function (...args: unknown[]) {
      const chunk = typeof args[0] === "function" ? undefined : args[0];
      const rest = typeof args[0] === "function" ? args : args.slice(1);
      if (chunk !== undefined && chunk !== null) target.write(chunk);
      chain = chain.then(() => {
        if (!cut) origEnd.apply(target, rest);
      });
      return target;
    };
  }
  const restore = () => {
    chain = chain.then(() => {
      target.write = origWrite;
      target.end = origEnd;
    });
  };
  res.once("finish", restore);
  res.once("close", restore);
}

/**
 * The network-like faults of one HTTP exchange (every HTTP mode), decided
 * when the request arrives. Returns false when the exchange was ended
 * before the handler could run.
 */
export function applyHttpFaults(faults: SessionFaults, point: FaultPoint, _req: AnyRequest, res: AnyResponse, report: FaultReporter): boolean {
  if (faults.size === 0) return true;
  const reset = faults.fire([FaultKind.RESET], point);
  if (reset && reset.afterBytes === 0) {
    report(reset, "connection reset before the request was answered; the handler never ran");
    killExchange(res, "refuse");
    return false;
  }
  const shape: Shape = {};
  const lost = faults.fire([FaultKind.LOST_RESPONSE], point);
  if (lost) shape.limit = { bytes: 0, how: "reset", rule: lost };
  else if (reset) shape.limit = { bytes: reset.afterBytes, how: "reset", rule: reset };
  else {
    const limit = faults.fire([FaultKind.LIMIT_DATA], point);
    if (limit) shape.limit = { bytes: limit.afterBytes, how: "close", rule: limit };
  }
  const bandwidth = faults.fire([FaultKind.BANDWIDTH], point);
  if (bandwidth) {
    shape.bytesPerSecond = bandwidth.bytesPerSecond;
    report(bandwidth, `response limited to ${bandwidth.bytesPerSecond} B/s`);
  }
  const slicer = faults.fire([FaultKind.SLICER], point);
  if (slicer) {
    shape.sliceBytes = slicer.sliceBytes;
    shape.sliceDelayMs = slicer.sliceDelayMs;
    report(slicer, `response written in ${slicer.sliceBytes}-byte slices ${slicer.sliceDelayMs} ms apart`);
  }
  if (lost) {
    // The cut happens at the first response byte, after the handler acted.
    shape.limit!.bytes = 0;
  }
  if (shape.limit || shape.bytesPerSecond || shape.sliceBytes) shapeResponse(res, shape, lost ? (rule) => report(rule, "the handler ran; its response was lost (connection reset)") : report);
  return true;
}

/** Sleeps `ms`, or less when `signal` aborts; resolves with whether it slept the whole time. */
export function faultSleep(ms: number, signal: AbortSignal | undefined): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve(false);
    const done = (full: boolean) => {
      clearTimeout(t);
      signal?.removeEventListener("abort", onAbort);
      resolve(full);
    };
    const onAbort = () => done(false);
    const t = setTimeout(() => done(true), ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** latency ± jitter, drawn from the rule's own sequence. */
export function latencyOf(faults: SessionFaults, rule: FaultRule): number {
  if (rule.jitterMs === 0) return rule.latencyMs;
  return Math.max(0, Math.round(rule.latencyMs + (faults.draw(rule) * 2 - 1) * rule.jitterMs));
}
