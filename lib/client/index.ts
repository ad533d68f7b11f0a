import { createConnectTransport, createGrpcWebTransport } from "@connectrpc/connect-web";
import { Mode } from "../gen/lab/v1/trace_pb";
import type { ClientCall } from "./client-trace";
import { instancePrefix } from "../rpc/instances";
import { createRoundRobin } from "./balancer";
import { withDefences } from "./defences";
import { createMqttClient } from "./mqtt/mqtt-client";
import { createRestClient } from "./rest/rest-client";
import { countingFetch, countingInterceptor, createRpcClient } from "./rpc/rpc-client";
import type { LabClient, LabClientOptions, ModeClient } from "./types";

export type {
  CallOptions,
  CallResult,
  CreateOrderInput,
  LabClient,
  LabClientOptions,
  ListUsersOptions,
  ModeClient,
  ModeName,
  RetryOptions,
} from "./types";
export { ALL_MODES, BROWSER_MODES } from "./types";
export { restEchoBody, type EchoJson } from "./rest/rest-client";
export { ClientCall } from "./client-trace";
export { createRoundRobin, DEFAULT_EJECT_MS } from "./balancer";
export {
  backoffMs,
  clientOptionsFromDefences,
  DEFAULT_RETRY,
  DEFAULT_TIMEOUT_MS,
  IDEMPOTENCY_KEY_HEADER,
  isRetryableStatus,
  normaliseRetryPolicy,
  parseIdempotencyKeyHeader,
  REST_TIMEOUT_HEADER,
  RetryBudget,
  withDefences,
} from "./defences";

/**
 * The one place on the client side that branches on the mode: everything
 * above it says "getUser" and passes the mode as data. The mode's client
 * sends single attempts; the defences around it (deadline, retries,
 * idempotency keys: lib/client/defences.ts) are the same in every mode.
 *
 * @example
 * const client = await createLabClient({ mode: "connect", baseUrl: "", session, retry: { maxAttempts: 3 } });
 * const r = await client.getUser(1n); // r.status === "ok", r.latencyMs, r.responseBytes, r.attempts
 */
export async function createLabClient(opts: LabClientOptions): Promise<LabClient> {
  const primary = opts.instances?.length
    ? createRoundRobin(
        opts.instances.map((instance) => createModeClient({ ...opts, instance })),
        { ejectMs: opts.ejectMs },
      )
    : createModeClient(opts);
  // The fallback is plain: its own mode, the service's usual address, the mode's own codec.
  const fallback = opts.fallbackMode ? createModeClient({ ...opts, mode: opts.fallbackMode, codec: undefined, instance: undefined }) : undefined;
  return withDefences(primary, { ...opts, fallback });
}

function createModeClient(opts: LabClientOptions): ModeClient {
  const calls = new Map<string, ClientCall>();
  // An instance's address (lib/rpc/instances.ts); the REST gateway and the broker have none.
  const at = opts.instance === undefined ? "" : instancePrefix(opts.instance);
  switch (opts.mode) {
    case "rest":
      return createRestClient(opts);
    case "connect":
      return createRpcClient(opts, "connect", Mode.CONNECT, createConnectTransport({ baseUrl: `${opts.baseUrl}${at}/rpc`, useBinaryFormat: opts.codec === "binary", fetch: countingFetch(calls, opts.fetch) }), calls);
    case "grpc-web":
      return createRpcClient(opts, "grpc-web", Mode.GRPC_WEB, createGrpcWebTransport({ baseUrl: `${opts.baseUrl}${at}/rpc`, useBinaryFormat: true, fetch: countingFetch(calls, opts.fetch) }), calls);
    case "grpc": {
      // Native gRPC needs HTTP/2 trailers, which browsers do not expose:
      // Node callers pass a transport factory (lib/client/node.ts).
      if (!opts.grpcUrl || !opts.grpcTransport) throw new Error("mode grpc needs Node: use createNodeLabClient from lib/client/node");
      return createRpcClient(opts, "grpc", Mode.GRPC, opts.grpcTransport(`${opts.grpcUrl}${at}`, [countingInterceptor(calls)]), calls);
    }
    case "mqtt":
      return createMqttClient(opts);
  }
}
