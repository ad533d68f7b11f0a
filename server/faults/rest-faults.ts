import { Code } from "@connectrpc/connect";
import { FaultKind, type FaultRule } from "../../lib/gen/lab/v1/fault_pb";
import { Mode } from "../../lib/gen/lab/v1/trace_pb";
import { FAULT_LIMITS } from "../../lib/faults/catalog";
import { codeName, httpStatusForCode } from "../../lib/rpc/codes";
import type { AnyResponse } from "../http/http-tap";
import { sendError } from "../http/json-response";
import type { SessionFaults } from "./session-faults";
import { faultSleep, killExchange, latencyOf, type FaultReporter } from "./http-faults";
import { faultError } from "./rpc-faults";

/**
 * An AbortSignal that fires when the client goes away before the response
 * is complete. (A request's own "close" only means its body was read; the
 * response's "close" before "finish" means the connection is gone.)
 */
export function clientGone(res: AnyResponse): AbortSignal {
  const ac = new AbortController();
  res.once("close", () => {
    if (!res.writableFinished) ac.abort(new Error("the client closed the connection"));
  });
  return ac.signal;
}

/**
 * Faults targeted at the REST edge itself (mode REST): a delay or hang
 * before the gateway works, an injected HTTP error, or a replayed request.
 * Resolves with whether the gateway should handle the request, and
 * whether it should handle it twice.
 */
export async function restEdgeFaults(
  faults: SessionFaults,
  point: { service?: string; method?: string },
  res: AnyResponse,
  gone: AbortSignal,
  report: FaultReporter,
): Promise<{ proceed: boolean; replay: boolean }> {
  if (faults.size === 0) return { proceed: true, replay: false };
  const p = { site: "http" as const, mode: Mode.REST, edge: true, ...point };
  const latency = faults.fire([FaultKind.LATENCY], p);
  if (latency) {
    const ms = latencyOf(faults, latency);
    report(latency, `gateway delayed ${ms} ms`);
    if (!(await faultSleep(ms, gone))) return { proceed: false, replay: false };
  }
  const hang = faults.fire([FaultKind.HANG], p);
  if (hang) {
    report(hang, "gateway hangs: no answer, connection held");
    await faultSleep(FAULT_LIMITS.hangMaxMs, gone);
    killExchange(res, "reset");
    return { proceed: false, replay: false };
  }
  const error: FaultRule | undefined = faults.fire([FaultKind.ERROR], p);
  if (error) {
    const injected = faultError(error).code;
    const status = error.httpStatus || httpStatusForCode(injected);
    const code = error.rpcCode || codeName(injected === Code.Unknown ? Code.Unavailable : injected);
    report(error, `gateway answers ${status} without calling the service`);
    sendError(res, status, code, `injected fault ${error.id}: ${error.label || `HTTP ${status}`}`);
    return { proceed: false, replay: false };
  }
  const dup = faults.fire([FaultKind.DUPLICATE], p);
  if (dup) report(dup, "request replayed: the gateway handles it twice");
  return { proceed: true, replay: dup !== undefined };
}
