import { create } from "@bufbuild/protobuf";
import { EchoResponseSchema, type EchoRequest, type EchoResponse } from "../../gen/lab/v1/measure_pb";
import { OrderSchema, type Order } from "../../gen/lab/v1/order_pb";
import { Mode } from "../../gen/lab/v1/trace_pb";
import { UserSchema, type User } from "../../gen/lab/v1/user_pb";
import { ClientCall } from "../client-trace";
import { attemptTimeoutMs, REST_TIMEOUT_HEADER } from "../defences";
import type { CallOptions, CallResult, LabClientOptions, ModeClient, RestRequester } from "../types";

type UserJson = { id: number; name: string; email: string };
type OrderJson = { id: string; userId: number; sku: string; quantity: number; status: string; createdAt: string };

const toUser = (u: UserJson) => create(UserSchema, { id: BigInt(u.id), name: u.name, email: u.email });
const toOrder = (o: OrderJson) =>
  create(OrderSchema, { ...o, userId: BigInt(o.userId), createdAtUnixMs: BigInt(Date.parse(o.createdAt)) });

/** REST's JSON of an Echo: users in seed 1's shape (`"id":123`, a number), empty fields left out as protobuf JSON does. */
export interface EchoJson {
  users?: UserJson[];
  numbers?: number[];
  text?: string;
}

/** The body POST /rest/echo sends (and answers) for a message. */
export function restEchoBody(m: EchoRequest | EchoResponse): EchoJson {
  const body: EchoJson = {};
  if (m.users.length > 0) body.users = m.users.map((u) => ({ id: Number(u.id), name: u.name, email: u.email }));
  if (m.numbers.length > 0) body.numbers = m.numbers;
  if (m.text !== "") body.text = m.text;
  return body;
}

const toEcho = (j: EchoJson) => create(EchoResponseSchema, { users: (j.users ?? []).map(toUser), numbers: j.numbers ?? [], text: j.text ?? "" });

const utf8 = new TextDecoder();

/** A JSON body, or undefined when there is none or it is not JSON (a proxy's HTML 502 page). */
function parseJson(text: string): unknown {
  if (text === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** A RestRequester over fetch (the browser's, or any other): the deadline is an AbortSignal.timeout. */
export function fetchRestRequester(fetch: typeof globalThis.fetch = globalThis.fetch): RestRequester {
  return async ({ method, url, headers, body, timeoutMs }) => {
    const res = await fetch(url, {
      method,
      // Every call is a call: a browser would otherwise keep GET answers
      // (they carry an ETag) and revalidate them itself, so the server
      // answers 304 while the page reads the cached 200 — a different
      // request from the one the trace says was made.
      cache: "no-store",
      headers,
      body,
      signal: timeoutMs !== undefined ? AbortSignal.timeout(timeoutMs) : undefined,
    });
    return { status: res.status, statusText: res.statusText, body: new Uint8Array(await res.arrayBuffer()) };
  };
}

/**
 * REST: JSON over HTTP/1.1 to the gateway, which calls the services over
 * gRPC. One request per call; retries are lib/client/defences.ts's. The
 * request goes through `opts.restRequest` when given (Node's, over
 * node:http), else through `opts.fetch` or the global fetch.
 */
export function createRestClient(opts: LabClientOptions): ModeClient {
  const send = opts.restRequest ?? fetchRestRequester(opts.fetch);
  async function call<J, T>(label: string, method: string, path: string, body: unknown, map: (j: J) => T, attempt: CallOptions): Promise<CallResult<T>> {
    const c = new ClientCall(opts, Mode.REST, "Gateway", label, attempt);
    const text = body === undefined ? undefined : JSON.stringify(body);
    // What is left of the call's deadline travels as x-lab-timeout-ms (see
    // REST_TIMEOUT_HEADER), and the request is aborted when it passes.
    // No deadline: no header and no abort — the call may wait forever.
    const timeoutMs = attemptTimeoutMs(attempt);
    const headers = c.headers();
    if (timeoutMs !== undefined) headers[REST_TIMEOUT_HEADER] = String(timeoutMs);
    if (text) headers["content-type"] = "application/json";
    c.sent(text ? new TextEncoder().encode(text).length : 0);
    try {
      const res = await send({ method, url: opts.baseUrl + path, headers, body: text, timeoutMs });
      const raw = res.body;
      c.responseBytes = raw.length;
      c.responseText = raw.length === 0 ? "" : utf8.decode(raw);
      const parsed = parseJson(c.responseText) as { error?: { message?: string } } | undefined;
      if (res.status < 200 || res.status > 299) return c.finish<T>(false, String(res.status), undefined, parsed?.error?.message ?? res.statusText);
      return c.finish(true, String(res.status), map(parsed as J));
    } catch (err) {
      // No HTTP answer: the deadline passed ("timeout"), or there was no
      // connection or it was reset ("network_error").
      const e = err as Error;
      const cause = (e as { cause?: { message?: string } }).cause?.message;
      return c.finish<T>(false, e.name === "TimeoutError" ? "timeout" : "network_error", undefined, cause ? `${e.message}: ${cause}` : e.message);
    }
  }
  return {
    mode: "rest",
    getUser: (id, a) => call<UserJson, User>("GET /rest/users/" + id, "GET", `/rest/users/${id}`, undefined, toUser, a),
    createUser: (name, email, a) => call<UserJson, User>("POST /rest/users", "POST", "/rest/users", { name, email }, toUser, a),
    async listUsers(o, a) {
      const r = await call<UserJson[], User[]>("GET /rest/users", "GET", "/rest/users", undefined, (list) => list.map(toUser), a);
      const limited = r.value && o.limit ? r.value.slice(0, o.limit) : r.value;
      limited?.forEach((u) => o.onUser?.(u));
      return { ...r, value: limited };
    },
    createOrder: (input, a) =>
      call<OrderJson, Order>("POST /rest/orders", "POST", "/rest/orders", { userId: Number(input.userId), sku: input.sku, quantity: input.quantity }, toOrder, a),
    echo: (request, a) => call<EchoJson, EchoResponse>("POST /rest/echo", "POST", "/rest/echo", restEchoBody(request), toEcho, a),
    close: async () => {},
  };
}
