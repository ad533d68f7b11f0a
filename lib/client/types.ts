import type { Interceptor, Transport } from "@connectrpc/connect";
import type { EchoRequest, EchoResponse } from "../gen/lab/v1/measure_pb";
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
  /**
   * HTTP status for REST ("404"), the RPC code otherwise ("not_found").
   * REST failures without an HTTP answer: "network_error" (no connection,
   * connection reset) and "timeout" (the client's deadline passed).
   */
  status: string;
  /** The error message when not ok. */
  error?: string;
  /** Client-side latency from the first send to the final answer, in ms (backoffs included). */
  latencyMs: number;
  /** Body bytes the client sent and received, summed over all attempts (headers are in the trace). */
  requestBytes: number;
  responseBytes: number;
  /** The span of the first attempt, to find its trace events. */
  spanId: string;
  /** The span of every attempt, first to last (`spanIds[0] === spanId`). */
  spanIds: string[];
  /** How many attempts the call made (1 without retries). */
  attempts: number;
  /** True when the call was sent more than once. */
  retried: boolean;
  /**
   * Why retrying stopped although the last outcome was retryable and
   * attempts were left: the retry budget was spent, or the next backoff
   * would pass the call's deadline. Absent otherwise.
   */
  retryStoppedBy?: "budget" | "deadline";
  /** Set when the final answer came from the fallback mode (LabClientOptions.fallbackMode). */
  fellBackTo?: ModeName;
  /**
   * REST: the final answer's body as it came (JSON text), so a page can
   * show REST's own shape (`"id":123`) rather than the message it was
   * read into (protobuf JSON writes int64 as `"123"`). Absent for the RPC
   * and MQTT modes, whose bodies are protobuf.
   */
  responseText?: string;
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
  listUsers(opts?: ListUsersOptions): Promise<CallResult<User[]>>;
  createOrder(input: CreateOrderInput): Promise<CallResult<Order>>;
  /** EchoService.Echo: the message back, for payloads of a chosen size (lib/measure). */
  echo(request: EchoRequest): Promise<CallResult<EchoResponse>>;
  close(): Promise<void>;
}

export interface ListUsersOptions {
  limit?: number;
  intervalMs?: number;
  onUser?: (u: User) => void;
}

/**
 * What the defences layer (lib/client/defences.ts) tells a mode's client
 * about ONE attempt of a call. Mode clients send exactly one request per
 * method call and never retry themselves.
 */
export interface CallOptions {
  /** 1 for the first attempt, n for the n-th. */
  attempt: number;
  /** The first attempt's span, on attempts after the first. */
  retryOfSpanId?: string;
  /** The call's Idempotency-Key (the same on every attempt), on creating calls when enabled. */
  idempotencyKey?: string;
  /**
   * When the whole call (all attempts) must be over, on the `nowUnixMs()`
   * clock (lib/trace); undefined = no deadline: the attempt may wait forever.
   */
  deadlineUnixMs?: number;
}

/** One mode's transport of single attempts; `createLabClient` wraps it in the defences. */
export interface ModeClient {
  readonly mode: ModeName;
  getUser(id: bigint, call: CallOptions): Promise<CallResult<User>>;
  createUser(name: string, email: string, call: CallOptions): Promise<CallResult<User>>;
  listUsers(opts: ListUsersOptions, call: CallOptions): Promise<CallResult<User[]>>;
  createOrder(input: CreateOrderInput, call: CallOptions): Promise<CallResult<Order>>;
  echo(request: EchoRequest, call: CallOptions): Promise<CallResult<EchoResponse>>;
  close(): Promise<void>;
}

/**
 * A retry policy, the plain-object twin of lab.v1.RetryPolicy
 * (lib/gen/lab/v1/fault_pb.ts). See lib/client/defences.ts for the defaults
 * and how each field is applied.
 */
export interface RetryOptions {
  /** Attempts in all, the first included; 1 = no retries (at most 10). */
  maxAttempts: number;
  /** The backoff before the first retry, before jitter, in ms. */
  initialBackoffMs: number;
  /** The cap of a backoff before jitter, in ms. */
  maxBackoffMs: number;
  /** Each further backoff is the previous one times this (≥ 1). */
  multiplier: number;
  /** 0–1: the share of each backoff drawn at random; 1 = "full jitter". */
  jitter: number;
  /** Retries allowed as a percentage of first attempts over the client's lifetime; 0 = no budget. */
  budgetPercent: number;
  /** Retries the budget allows on top of the percentage (default 10), so a young client can retry at all. */
  budgetMinRetries: number;
}

/** One REST request as the REST client makes it: method, absolute URL, headers, an optional JSON body and the attempt's deadline. */
export interface RestExchange {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
  /** Abort when this many ms have passed without the whole answer; undefined = wait forever. */
  timeoutMs?: number;
}

/** A REST answer: status and the whole body. */
export interface RestAnswer {
  status: number;
  statusText: string;
  body: Uint8Array;
}

/**
 * Sends one REST request and reads the whole answer. Failures look like
 * fetch's: the deadline passing rejects with an error named "TimeoutError";
 * no connection, or one lost before the whole answer, with a TypeError whose
 * cause is the socket error.
 */
export type RestRequester = (r: RestExchange) => Promise<RestAnswer>;

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
  /** Receives the client's own REQUEST_SENT / RESPONSE_RECEIVED events (one pair per attempt). */
  onEvent?: (event: TraceEvent) => void;
  /**
   * The fetch REST, Connect and gRPC-web calls go through (default: the
   * global one). Node callers get a cheaper one over node:http from
   * createNodeLabClient (lib/client/node.ts), so a load generator's own CPU
   * does not crowd out the server it measures.
   */
  fetch?: typeof globalThis.fetch;
  /**
   * REST only: the requester REST calls go through instead of `fetch`.
   * createNodeLabClient brings one straight over node:http (no WHATWG
   * Request, Response or Headers per call, no AbortSignal timer), a third of
   * the client CPU per call, which a load generator sharing two cores with
   * the server it measures takes from that server.
   */
  restRequest?: RestRequester;
  /** Makes a native gRPC transport (Node only; see lib/client/node.ts). */
  grpcTransport?: (baseUrl: string, interceptors: Interceptor[]) => Transport;
  /** Connect's codec: "json" (default for Connect) or "binary" (protobuf; always for gRPC-web and gRPC). */
  codec?: "json" | "binary";
  /** QoS of MQTT requests and their replies (default 1; MQTT 3.1.1 §4.3). */
  mqttQos?: 0 | 1 | 2;
  /**
   * The deadline of a whole call, retries and backoffs included (as gRPC
   * A6), in ms. Absent: 10 s. `0` or `null`: no deadline at all — a call to
   * a server that never answers waits forever (seed 2's http.Client
   * without a Timeout).
   */
  timeoutMs?: number | null;
  /** Retries with exponential backoff and jitter; absent or `maxAttempts: 1` = none. */
  retry?: Partial<RetryOptions>;
  /**
   * Send an Idempotency-Key with CreateUser and CreateOrder, the same key on
   * every retry of one call (draft-ietf-httpapi-idempotency-key-header).
   */
  idempotencyKeys?: boolean;
  /**
   * Connect, gRPC-web and gRPC: call this instance of the service, at
   * `/instance/<n>/…` (lib/rpc/instances.ts), traced as "UserService#n".
   */
  instance?: number;
  /**
   * Connect, gRPC-web and gRPC: spread the attempts over these instances in
   * turn (round-robin, lib/client/balancer.ts).
   */
  instances?: readonly number[];
  /** With `instances`: leave an instance out of the turn for this long after a transport failure, in ms (0 = never). */
  ejectMs?: number;
  /**
   * After the call failed with a transient status (isRetryableStatus), one
   * more attempt over this mode: seed 1's fallback from gRPC to HTTP.
   */
  fallbackMode?: ModeName;
}
