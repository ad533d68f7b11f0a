import { create } from "@bufbuild/protobuf";
import { EventKind, TraceEventSchema, type Mode } from "../gen/lab/v1/trace_pb";
import { LAB_HEADERS, newSpanId, nowUnixMs } from "../trace";
import type { CallResult, LabClientOptions } from "./types";

/**
 * The client's view of one call: its span, headers that join the server's
 * trace, and the REQUEST_SENT / RESPONSE_RECEIVED events with client timing.
 * Every mode's client uses this, so results look alike.
 */
export class ClientCall {
  readonly spanId = newSpanId();
  readonly start = nowUnixMs();
  requestBytes = 0;
  responseBytes = 0;
  private isSent = false;

  constructor(
    private readonly opts: LabClientOptions,
    private readonly mode: Mode,
    private readonly to: string,
    private readonly label: string,
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

  /** Headers that put the server's events of this hop in the same span and session. */
  headers(): Record<string, string> {
    return {
      [LAB_HEADERS.session]: this.opts.session,
      [LAB_HEADERS.span]: this.spanId,
      [LAB_HEADERS.from]: this.from,
    };
  }

  finish<T>(ok: boolean, status: string, value?: T, error?: string): CallResult<T> {
    const latencyMs = nowUnixMs() - this.start;
    this.emit(EventKind.RESPONSE_RECEIVED, this.to, this.from, status, latencyMs, error);
    return { ok, status, value, error, latencyMs, requestBytes: this.requestBytes, responseBytes: this.responseBytes, spanId: this.spanId };
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
      }),
    );
  }
}
