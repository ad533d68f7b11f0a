import { codeName } from "../../lib/rpc/codes";

/**
 * Reads an RPC's status code off the wire when no handler reported one
 * (the request failed before reaching it, e.g. a body that is not valid
 * protobuf): gRPC carries it in the `grpc-status` trailer (PROTOCOL-HTTP2
 * "Trailers"), gRPC-web in a trailer frame (flag 0x80) at the end of the
 * body, Connect unary in a JSON error body with a non-200 status.
 */
export function rpcCodeFromWire(
  status: number,
  contentType: string,
  headers: Record<string, string>,
  trailers: Record<string, string>,
  body: Uint8Array,
): string {
  const grpcStatus = trailers["grpc-status"] ?? headers["grpc-status"];
  if (grpcStatus !== undefined) return codeName(Number(grpcStatus));
  const ct = contentType.toLowerCase();
  if (ct.startsWith("application/grpc-web")) {
    const text = Buffer.from(body).toString("latin1");
    const m = /grpc-status:\s*(\d+)/i.exec(text);
    if (m) return codeName(Number(m[1]));
  }
  if (status === 200) return "ok";
  if (ct.startsWith("application/json")) {
    try {
      const parsed = JSON.parse(Buffer.from(body).toString("utf8")) as { code?: unknown };
      if (typeof parsed.code === "string") return parsed.code;
    } catch {
      // Not a Connect error body; fall through to the HTTP status.
    }
  }
  return status >= 400 ? `http_${status}` : "unknown";
}
