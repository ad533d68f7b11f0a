import { Mode } from "../gen/lab/v1/trace_pb";

/** Headers the lab's own clients send so both ends of a hop share a span. */
export const LAB_HEADERS = {
  session: "x-lab-session",
  span: "x-lab-span",
  parentSpan: "x-lab-parent-span",
  from: "x-lab-from",
  attempt: "x-lab-attempt",
  retryOf: "x-lab-retry-of",
} as const;

/**
 * Names the caller of a request that did not say who it is (no x-lab-from):
 * "Browser" for a web page, the tool's name for curl, buf, grpcurl, Postman.
 */
export function participantForUserAgent(userAgent: string | undefined): string {
  const ua = (userAgent ?? "").toLowerCase();
  if (ua.startsWith("curl/")) return "curl";
  if (ua.includes("buf/")) return "buf curl";
  if (ua.includes("grpcurl")) return "grpcurl";
  if (ua.includes("postman")) return "Postman";
  if (ua.includes("autocannon")) return "autocannon";
  if (ua.includes("mozilla")) return "Browser";
  if (ua.includes("grpc-go")) return "grpc-go";
  if (ua.includes("grpc-node") || ua.includes("connect-es")) return "Node client";
  return "Client";
}

/**
 * The mode of an HTTP request, from its path and content type: REST under
 * /rest/, otherwise the RPC protocol its Content-Type announces — gRPC
 * (`application/grpc*`, PROTOCOL-HTTP2), gRPC-web (`application/grpc-web*`)
 * or Connect (`application/json`, `application/proto`,
 * `application/connect+*`, or a GET with `?connect=v1`).
 */
export function modeForRequest(path: string, contentType: string | undefined): Mode {
  if (path.startsWith("/rest/")) return Mode.REST;
  const ct = (contentType ?? "").toLowerCase();
  if (ct.startsWith("application/grpc-web")) return Mode.GRPC_WEB;
  if (ct.startsWith("application/grpc")) return Mode.GRPC;
  return Mode.CONNECT;
}
