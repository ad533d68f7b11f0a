import { createGrpcTransport } from "@connectrpc/connect-node";
import { createLabClient, type LabClient, type LabClientOptions } from "./index";
import { createNodeFetch } from "./node-fetch";

export * from "./index";
export { createNodeFetch } from "./node-fetch";

/** One pool of kept-alive HTTP/1.1 connections for the process's lab clients, as the global fetch has. */
const nodeFetch = createNodeFetch();

/**
 * createLabClient for Node, where native gRPC (HTTP/2 with trailers) is
 * available too, and REST, Connect and gRPC-web go over node:http
 * (createNodeFetch) unless the options bring a fetch of their own.
 */
export function createNodeLabClient(opts: LabClientOptions): Promise<LabClient> {
  return createLabClient({
    fetch: nodeFetch,
    ...opts,
    grpcTransport: (baseUrl, interceptors) => createGrpcTransport({ baseUrl, interceptors }),
  });
}
