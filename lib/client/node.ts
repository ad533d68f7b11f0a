import { createGrpcTransport } from "@connectrpc/connect-node";
import { createLabClient, type LabClient, type LabClientOptions } from "./index";

export * from "./index";

/** createLabClient for Node, where native gRPC (HTTP/2 with trailers) is available too. */
export function createNodeLabClient(opts: LabClientOptions): Promise<LabClient> {
  return createLabClient({
    ...opts,
    grpcTransport: (baseUrl, interceptors) => createGrpcTransport({ baseUrl, interceptors }),
  });
}
