import type { Interceptor, Transport } from "@connectrpc/connect";
import type { Order } from "../gen/lab/v1/order_pb";
import type { TraceEvent } from "../gen/lab/v1/trace_pb";
import type { User } from "../gen/lab/v1/user_pb";

/** The ways a client can reach the lab's services. `grpc` needs Node (HTTP/2 trailers). */
export type ModeName = "rest" | "connect" | "grpc-web" | "grpc" | "mqtt";

export const BROWSER_MODES: readonly ModeName[] = ["rest", "connect", "grpc-web", "mqtt"];
export const ALL_MODES: readonly ModeName[] = ["rest", "connect", "grpc-web", "grpc", "mqtt"];

/** What one call did, the same shape in every mode. */
export interface CallResult<T> {
  ok: boolean;
  value?: T;
  /** HTTP status for REST ("404"), the RPC code otherwise ("not_found"). */
  status: string;
  /** The error message when not ok. */
  error?: string;
  /** Client-side latency from send to the complete response, in ms. */
  latencyMs: number;
  /** Body bytes the client sent and received (headers are in the trace). */
  requestBytes: number;
  responseBytes: number;
  /** The span of the hop, to find its trace events. */
  spanId: string;
}

export interface CreateOrderInput {
  userId: bigint;
  sku: string;
  quantity: number;
}

/**
 * One interface for every mode: lesson and page code say "get user 1" and
 * pass the mode as data (in the spirit of connect-es's Transport).
 */
export interface LabClient {
  readonly mode: ModeName;
  getUser(id: bigint): Promise<CallResult<User>>;
  createUser(name: string, email: string): Promise<CallResult<User>>;
  listUsers(opts?: { limit?: number; intervalMs?: number; onUser?: (u: User) => void }): Promise<CallResult<User[]>>;
  createOrder(input: CreateOrderInput): Promise<CallResult<Order>>;
  close(): Promise<void>;
}

export interface LabClientOptions {
  mode: ModeName;
  /** The lab's HTTP origin, e.g. "http://localhost:3000" ("" in the browser: same origin). */
  baseUrl: string;
  /** Native gRPC origin (h2c), for mode "grpc". */
  grpcUrl?: string;
  /** MQTT URL (ws://host/mqtt in the browser, mqtt://host:1883 in Node), for mode "mqtt". */
  mqttUrl?: string;
  session: string;
  /** The caller's name in the diagram. */
  participant?: string;
  /** Receives the client's own REQUEST_SENT / RESPONSE_RECEIVED events. */
  onEvent?: (event: TraceEvent) => void;
  /** Makes a native gRPC transport (Node only; see lib/client/node.ts). */
  grpcTransport?: (baseUrl: string, interceptors: Interceptor[]) => Transport;
  /** Connect's codec: "json" (default for Connect) or "binary" (protobuf; always for gRPC-web and gRPC). */
  codec?: "json" | "binary";
  /** QoS of MQTT requests and their replies (default 1; MQTT 3.1.1 §4.3). */
  mqttQos?: 0 | 1 | 2;
  /** Per-call deadline, in ms (default 10 s). */
  timeoutMs?: number;
}
