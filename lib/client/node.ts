import http from "node:http";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { createLabClient, type LabClient, type LabClientOptions } from "./index";
import { createNodeFetch, createNodeRestRequester } from "./node-fetch";

export * from "./index";
export { createNodeFetch, createNodeRestRequester } from "./node-fetch";

/** One pool of kept-alive HTTP/1.1 connections for the process's lab clients, as the global fetch has. */
const agent = new http.Agent({ keepAlive: true, keepAliveMsecs: 1_000 });
const nodeFetch = createNodeFetch(agent);
const nodeRest = createNodeRestRequester(agent);

/**
 * createLabClient for Node, where native gRPC (HTTP/2 with trailers) is
 * available too, and REST, Connect and gRPC-web go over node:http
 * (createNodeRestRequester for REST, createNodeFetch for the others) unless
 * the options bring a fetch of their own.
 */
export function createNodeLabClient(opts: LabClientOptions): Promise<LabClient> {
  return createLabClient({
    fetch: nodeFetch,
    restRequest: opts.fetch ? undefined : nodeRest,
    ...opts,
    grpcTransport: (baseUrl, interceptors) => createGrpcTransport({ baseUrl, interceptors }),
  });
}
