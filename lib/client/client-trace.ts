import { create } from "@bufbuild/protobuf";
import { EventKind, TraceEventSchema, type Mode } from "../gen/lab/v1/trace_pb";
import { LAB_HEADERS, newSpanId, nowUnixMs } from "../trace";
import { IDEMPOTENCY_KEY_HEADER, idempotencyKeyHeaderValue } from "./defences";
import type { CallOptions, CallResult, LabClientOptions } from "./types";

/**
 * The client's view of one attempt of a call: its span, headers that join
 * the server's trace, and the REQUEST_SENT / RESPONSE_RECEIVED events with
 * client timing, attempt number and the span it retries. Every mode's
 * client uses this, so results look alike.
 */
export class ClientCall {
  readonly spanId = newSpanId();
  readonly start = nowUnixMs();
  requestBytes = 0;
  responseBytes = 0;
  /** The answer's body as text, when the mode's body is text (REST). */
  responseText: string | undefined;
  private isSent = false;

  constructor(
    private readonly opts: LabClientOptions,
    private readonly mode: Mode,
    private readonly to: string,
    private readonly label: string,
    private readonly call: CallOptions,
  ) {}

  /** Records that the request left, with the body bytes it carries. */
  sent(requestBytes: number): void {
    if (this.isSent) return;
    this.isSent = true;
    this.requestBytes = requestBytes;
    this.emit(EventKind.REQUEST_SENT, this.from, this.to, this.label, 0);
  }

  get from(): string {
    return this.opts.participant ?? "Browser";
  }

  /**
   * Headers that put the server's events of this hop in the same span and
   * session; on a retry also its attempt number and the first attempt's
   * span (a first attempt sends neither: the server takes attempt 1), and
   * the call's Idempotency-Key when it has one.
   */
  headers(): Record<string, string> {
    const h: Record<string, string> = {
      [LAB_HEADERS.session]: this.opts.session,
      [LAB_HEADERS.span]: this.spanId,
      [LAB_HEADERS.from]: this.from,
    };
    if (this.call.attempt > 1) {
      h[LAB_HEADERS.attempt] = String(this.call.attempt);
      if (this.call.retryOfSpanId) h[LAB_HEADERS.retryOf] = this.call.retryOfSpanId;
    }
    if (this.call.idempotencyKey) h[IDEMPOTENCY_KEY_HEADER] = idempotencyKeyHeaderValue(this.call.idempotencyKey);
    return h;
  }

  finish<T>(ok: boolean, status: string, value?: T, error?: string): CallResult<T> {
    const latencyMs = nowUnixMs() - this.start;
    this.emit(EventKind.RESPONSE_RECEIVED, this.to, this.from, status, latencyMs, error);
    const result: CallResult<T> = {
      ok,
      status,
      value,
      error,
      latencyMs,
      requestBytes: this.requestBytes,
      responseBytes: this.responseBytes,
      spanId: this.spanId,
      spanIds: [this.spanId],
      attempts: this.call.attempt,
      retried: this.call.attempt > 1,
    };
    if (this.responseText !== undefined) result.responseText = this.responseText;
    return result;
  }

  private emit(kind: EventKind, from: string, to: string, summary: string, durationMs: number, error?: string) {
    this.opts.onEvent?.(
      create(TraceEventSchema, {
        session: this.opts.session,
        timeUnixMs: nowUnixMs(),
        spanId: this.spanId,
        from,
        to,
        observer: this.from,
        mode: this.mode,
        kind,
        summary: kind === EventKind.REQUEST_SENT ? this.label : summary,
        durationMs,
        error: error ?? "",
        bytes: { body: kind === EventKind.REQUEST_SENT ? this.requestBytes : this.responseBytes },
        attempt: this.call.attempt,
        retryOfSpanId: this.call.retryOfSpanId ?? "",
      }),
    );
  }
}
