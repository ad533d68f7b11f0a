import { createConnectTransport, createGrpcWebTransport } from "@connectrpc/connect-web";
import { Mode } from "../gen/lab/v1/trace_pb";
import type { ClientCall } from "./client-trace";
import { createMqttClient } from "./mqtt/mqtt-client";
import { createRestClient } from "./rest/rest-client";
import { countingFetch, countingInterceptor, createRpcClient } from "./rpc/rpc-client";
import type { LabClient, LabClientOptions } from "./types";

export type { CallResult, CreateOrderInput, LabClient, LabClientOptions, ModeName } from "./types";
export { ALL_MODES, BROWSER_MODES } from "./types";

/**
 * The one place on the client side that branches on the mode: everything
 * above it says "getUser" and passes the mode as data.
 *
 * @example
 * const client = await createLabClient({ mode: "connect", baseUrl: "", session });
 * const r = await client.getUser(1n); // r.status === "ok", r.latencyMs, r.responseBytes
 */
export async function createLabClient(opts: LabClientOptions): Promise<LabClient> {
  const calls = new Map<string, ClientCall>();
  switch (opts.mode) {
    case "rest":
      return createRestClient(opts);
    case "connect":
      return createRpcClient(opts, "connect", Mode.CONNECT, createConnectTransport({ baseUrl: `${opts.baseUrl}/rpc`, useBinaryFormat: opts.codec === "binary", fetch: countingFetch(calls) }), calls);
    case "grpc-web":
      return createRpcClient(opts, "grpc-web", Mode.GRPC_WEB, createGrpcWebTransport({ baseUrl: `${opts.baseUrl}/rpc`, useBinaryFormat: true, fetch: countingFetch(calls) }), calls);
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
