import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";
import { FaultKind, type FaultRule } from "../../lib/gen/lab/v1/fault_pb";
import { EventKind, Mode } from "../../lib/gen/lab/v1/trace_pb";
import { FAULT_LIMITS } from "../../lib/faults/catalog";
import { codeFromName } from "../../lib/rpc/codes";
import { parseIdempotencyKeyHeader } from "../../lib/client/defences";
import { instanceParticipant } from "../../lib/rpc/instances";
import { isControlService, participantForService } from "../../lib/rpc/registry";
import type { Sandbox } from "../sandbox/sandbox";
import type { Hop } from "../services/hop-context";
import { kHop } from "../services/hop-context";
import type { TraceHub } from "../trace/trace-hub";
import { faultSleep, latencyOf } from "./http-faults";
import { IDEMPOTENCY_KEY_MAX, KeyReusedError } from "./idempotency";

/** Methods that create something: an Idempotency-Key applies to these. */
const CREATING = new Set(["CreateUser", "CreateOrder"]);

/** The RPC code for an HTTP status, the Connect protocol's table read backwards. */
export function codeForHttpStatus(status: number): Code {
  switch (status) {
    case 400:
      return Code.InvalidArgument;
    case 401:
      return Code.Unauthenticated;
    case 403:
      return Code.PermissionDenied;
    case 404:
      return Code.NotFound;
    case 409:
      return Code.Aborted;
    case 429:
      return Code.ResourceExhausted;
    case 499:
      return Code.Canceled;
    case 501:
      return Code.Unimplemented;
    case 502:
    case 503:
      return Code.Unavailable;
    case 504:
      return Code.DeadlineExceeded;
    default:
      return status < 500 ? Code.FailedPrecondition : Code.Internal;
  }
}

/** The error a rule of kind ERROR answers with. */
export function faultError(rule: FaultRule): ConnectError {
  const code = rule.rpcCode !== "" ? (codeFromName(rule.rpcCode) ?? Code.Unavailable) : codeForHttpStatus(rule.httpStatus || 503);
  return new ConnectError(`injected fault ${rule.id}: ${rule.label || "error"}`, code);
}

/** Emits the FAULT event of a rule that fired on a hop. */
export function reportFault(hub: TraceHub, hop: Pick<Hop, "session" | "spanId" | "from">, to: string, mode: Mode, rule: FaultRule, detail: string): void {
  hub.emit({
    session: hop.session,
    spanId: hop.spanId,
    from: hop.from,
    to,
    observer: to,
    mode,
    kind: EventKind.FAULT,
    summary: `⚡ ${detail}`,
    fault: { ruleId: rule.id, kind: FaultKind[rule.kind].toLowerCase(), detail },
  });
}

export interface ServiceFaultOptions {
  hub: TraceHub;
  sandbox: Sandbox;
  hop: Pick<Hop, "session" | "spanId" | "from">;
  mode: Mode;
  service: string;
  /** The instance addressed, if any (lib/rpc/instances.ts). */
  instance?: number;
  method: string;
  unary: boolean;
  signal: AbortSignal;
  idempotencyKey: string | undefined;
}

/**
 * Runs one service call under the session's faults and the idempotency
 * store, whatever the transport (Connect, gRPC-web, gRPC, MQTT
 * request/reply): latency and hangs before the handler, injected errors
 * instead of it, a replayed request running it twice. The deadline
 * (`signal`) cuts every wait short.
 */
export async function runWithServiceFaults<T>(o: ServiceFaultOptions, handler: () => Promise<T>): Promise<T> {
  const { sandbox: box } = o;
  const to = instanceParticipant(participantForService(o.service), o.instance);
  const report = (rule: FaultRule, detail: string) => reportFault(o.hub, o.hop, to, o.mode, rule, detail);
  const point = { site: "http" as const, mode: o.mode, service: o.service, instance: o.instance, method: o.method };

  const guarded = (): Promise<T> => {
    const key = o.idempotencyKey;
    if (key === undefined || !CREATING.has(o.method) || !o.unary) return handler();
    if (key.length === 0 || key.length > IDEMPOTENCY_KEY_MAX) {
      throw new ConnectError(`Idempotency-Key must be 1–${IDEMPOTENCY_KEY_MAX} characters`, Code.InvalidArgument);
    }
    return box.idempotency.run(key, `${o.service}/${o.method}`, box.defences.idempotencyTtlMs, handler).then(
      ({ value, replay }) => {
        if (replay) {
          box.counters.idempotentReplays++;
          o.hub.emit({
            session: o.hop.session,
            spanId: o.hop.spanId,
            from: to,
            to,
            observer: to,
            mode: Mode.LOCAL,
            kind: EventKind.PROCESSED,
            summary: `idempotency key seen: first answer replayed, nothing done twice`,
          });
        }
        return value;
      },
      (err: unknown) => {
        if (err instanceof KeyReusedError) throw new ConnectError(err.message, Code.FailedPrecondition);
        throw err;
      },
    );
  };

  if (box.faults.size === 0) return guarded();
  const latency = box.faults.fire([FaultKind.LATENCY], point);
  if (latency) {
    const ms = latencyOf(box.faults, latency);
    report(latency, `${o.method} delayed ${ms} ms`);
    const full = await faultSleep(ms, o.signal);
    if (!full) throw new ConnectError(`${o.method} gave up after the caller's deadline or cancel, during an injected delay`, Code.DeadlineExceeded);
  }
  const hang = box.faults.fire([FaultKind.HANG], point);
  if (hang) {
    report(hang, `${o.method} hangs: no answer, connection held`);
    await faultSleep(FAULT_LIMITS.hangMaxMs, o.signal);
    throw new ConnectError(`${o.method} hung (injected fault ${hang.id})`, o.signal.aborted ? Code.DeadlineExceeded : Code.Unavailable);
  }
  const error = box.faults.fire([FaultKind.ERROR], point);
  if (error) {
    const err = faultError(error);
    report(error, `${o.method} answers ${Code[err.code]} without running`);
    throw err;
  }
  const dup = o.unary ? box.faults.fire([FaultKind.DUPLICATE], point) : undefined;
  if (dup) {
    report(dup, `${o.method} request replayed: the handler runs twice`);
    await guarded().catch(() => undefined);
  }
  return guarded();
}

function idempotencyKeyOf(header: string | null): string | undefined {
  if (header === null) return undefined;
  return parseIdempotencyKeyHeader(header) ?? "";
}

/**
 * The service side of every Connect, gRPC-web and gRPC call (including the
 * gateway's hop): faults, idempotency and the session's request counters.
 */
export function faultInterceptor(hub: TraceHub): Interceptor {
  return (next) => async (req) => {
    const hop = req.contextValues.get(kHop);
    if (!hop || isControlService(req.service.typeName)) return next(req);
    const edge = hop.from !== "Gateway";
    const counters = hop.sandbox.counters;
    try {
      const res = await runWithServiceFaults(
        {
          hub,
          sandbox: hop.sandbox,
          hop,
          mode: hop.mode ?? Mode.GRPC,
          service: req.service.typeName,
          instance: hop.instance,
          method: req.method.name,
          unary: !req.stream && req.method.methodKind === "unary",
          signal: req.signal,
          // A Structured Field String (draft-ietf-httpapi-idempotency-key-header §2); a malformed one is refused.
          idempotencyKey: idempotencyKeyOf(req.header.get("idempotency-key")),
        },
        () => next(req),
      );
      if (edge) counters.requestsSucceeded++;
      return res;
    } catch (err) {
      if (edge) counters.requestsFailed++;
      throw err;
    }
  };
}
