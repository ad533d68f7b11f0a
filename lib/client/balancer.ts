import type { CallOptions, CallResult, ModeClient } from "./types";

/**
 * Client-side load balancing over a service's instances, as the second
 * seed article describes it ("每次请求前调用 GetEndpoints("user-service")
 * 拿可用地址，配合轮询") and as gRPC's round_robin policy does
 * (doc/load-balancing.md): each attempt goes to the next instance in turn.
 * A retry is an attempt too, so with retries on it lands on the next
 * instance.
 *
 * With `ejectMs`, an instance whose attempt failed in transport
 * (`unavailable`, `network_error`: no connection, a reset) leaves the turn
 * for that long and is tried again afterwards — passive health checking,
 * in the spirit of gRPC's outlier detection (proposal A50) and Envoy's.
 * When every instance is out, the turn goes over all of them again:
 * better an attempt that will likely fail than none.
 */

/** How long an instance stays out of the turn after a transport failure, in ms, when ejecting is on. */
export const DEFAULT_EJECT_MS = 10_000;

/** Outcomes that say "this instance is not there", as opposed to an answer from it. */
const EJECTING: ReadonlySet<string> = new Set(["unavailable", "network_error"]);

export interface RoundRobinOptions {
  /** Leave an instance out for this long after a transport failure, in ms; 0 or absent = never. */
  ejectMs?: number;
  /** The clock (tests replace it). */
  now?: () => number;
}

export function createRoundRobin(instances: readonly ModeClient[], opts: RoundRobinOptions = {}): ModeClient {
  if (instances.length === 0) throw new Error("round-robin needs at least one instance");
  const now = opts.now ?? (() => Date.now());
  const ejectMs = opts.ejectMs ?? 0;
  const outUntil = instances.map(() => 0);
  let next = 0;

  /** The next instance in turn that is not ejected (or simply the next, when all are). */
  function pick(): number {
    const t = now();
    for (let k = 0; k < instances.length; k++) {
      const i = (next + k) % instances.length;
      if (outUntil[i] <= t) {
        next = i + 1;
        return i;
      }
    }
    const i = next % instances.length;
    next = i + 1;
    return i;
  }

  async function attempt<T>(send: (c: ModeClient) => Promise<CallResult<T>>): Promise<CallResult<T>> {
    const i = pick();
    const r = await send(instances[i]);
    if (!r.ok && ejectMs > 0 && EJECTING.has(r.status)) outUntil[i] = now() + ejectMs;
    return r;
  }

  return {
    mode: instances[0].mode,
    getUser: (id, call: CallOptions) => attempt((c) => c.getUser(id, call)),
    createUser: (name, email, call) => attempt((c) => c.createUser(name, email, call)),
    listUsers: (o, call) => attempt((c) => c.listUsers(o, call)),
    createOrder: (input, call) => attempt((c) => c.createOrder(input, call)),
    echo: (request, call) => attempt((c) => c.echo(request, call)),
    close: async () => {
      await Promise.all(instances.map((c) => c.close()));
    },
  };
}
