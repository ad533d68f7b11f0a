import { createConnectTransport, createGrpcWebTransport } from "@connectrpc/connect-web";
import { Mode } from "../gen/lab/v1/trace_pb";
import type { ClientCall } from "./client-trace";
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
  return withDefences(createModeClient(opts), opts);
}

function createModeClient(opts: LabClientOptions): ModeClient {
  const calls = new Map<string, ClientCall>();
  switch (opts.mode) {
    case "rest":
      return createRestClient(opts);
    case "connect":
      return createRpcClient(opts, "connect", Mode.CONNECT, createConnectTransport({ baseUrl: `${opts.baseUrl}/rpc`, useBinaryFormat: opts.codec === "binary", fetch: countingFetch(calls, opts.fetch) }), calls);
    case "grpc-web":
      return createRpcClient(opts, "grpc-web", Mode.GRPC_WEB, createGrpcWebTransport({ baseUrl: `${opts.baseUrl}/rpc`, useBinaryFormat: true, fetch: countingFetch(calls, opts.fetch) }), calls);
    case "grpc": {
      // Native gRPC needs HTTP/2 trailers, which browsers do not expose:
      // Node callers pass a transport factory (lib/client/node.ts).
      if (!opts.grpcUrl || !opts.grpcTransport) throw new Error("mode grpc needs Node: use createNodeLabClient from lib/client/node");
      return createRpcClient(opts, "grpc", Mode.GRPC, opts.grpcTransport(opts.grpcUrl, [countingInterceptor(calls)]), calls);
    }
    case "mqtt":
      return createMqttClient(opts);
  }
}
