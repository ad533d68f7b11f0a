import { toBinary } from "@bufbuild/protobuf";
import { ConnectError, createClient, type Interceptor, type Transport } from "@connectrpc/connect";
import { OrderService, type Order } from "../../gen/lab/v1/order_pb";
import type { Mode } from "../../gen/lab/v1/trace_pb";
import { UserService, type User } from "../../gen/lab/v1/user_pb";
import { codeName } from "../../rpc/codes";
import { LAB_HEADERS } from "../../trace";
import { ClientCall } from "../client-trace";
import type { CallResult, LabClient, LabClientOptions, ModeName } from "../types";

/**
 * Counts body bytes of each call as fetch sends and receives them (the
 * enveloped wire body for gRPC-web and Connect streams), keyed by the
 * call's span header.
 */
export function countingFetch(calls: Map<string, ClientCall>): typeof fetch {
  return async (input, init) => {
    const span = new Headers(init?.headers).get(LAB_HEADERS.span) ?? "";
    const c = calls.get(span);
    const body = init?.body;
    if (c) {
      const bytes = body instanceof Uint8Array ? body.byteLength : typeof body === "string" ? new TextEncoder().encode(body).byteLength : 0;
      c.sent(bytes);
    }
    const res = await fetch(input, init);
    if (!c || !res.body) return res;
    const counted = res.body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, ctl) {
          c.responseBytes += chunk.byteLength;
          ctl.enqueue(chunk);
        },
      }),
    );
    return new Response(counted, { status: res.status, statusText: res.statusText, headers: res.headers });
  };
}

/**
 * For transports without fetch (native gRPC in Node): the body bytes of
 * each message are its protobuf encoding plus the 5-byte gRPC prefix
 * (PROTOCOL-HTTP2 "Length-Prefixed-Message").
 */
export function countingInterceptor(calls: Map<string, ClientCall>): Interceptor {
  return (next) => async (req) => {
    const c = calls.get(req.header.get(LAB_HEADERS.span) ?? "");
    if (!c) return next(req);
    c.sent(req.stream ? 0 : toBinary(req.method.input, req.message).length + 5);
    const res = await next(req);
    if (!res.stream) {
      c.responseBytes += toBinary(req.method.output, res.message).length + 5;
      return res;
    }
    const source = res.message;
    async function* counted() {
      for await (const m of source) {
        c!.responseBytes += toBinary(req.method.output, m).length + 5;
        yield m;
      }
    }
    return { ...res, message: counted() };
  };
}

/**
 * Connect, gRPC-web and gRPC share one client: the generated service
 * clients over the mode's Transport. `calls` lets a counting fetch find
 * the call a request belongs to.
 */
export function createRpcClient(
  opts: LabClientOptions,
  mode: ModeName,
  traceMode: Mode,
  transport: Transport,
  calls: Map<string, ClientCall>,
): LabClient {
  const users = createClient(UserService, transport);
  const orders = createClient(OrderService, transport);

  async function run<T>(to: string, label: string, fn: (c: ClientCall) => Promise<T>): Promise<CallResult<T>> {
    const c = new ClientCall(opts, traceMode, to, label);
    calls.set(c.spanId, c);
    try {
      const value = await fn(c);
      return c.finish(true, "ok", value);
    } catch (err) {
      const ce = ConnectError.from(err);
      return c.finish<T>(false, codeName(ce.code), undefined, ce.rawMessage);
    } finally {
      calls.delete(c.spanId);
    }
  }
  const callOpts = (c: ClientCall) => ({ headers: c.headers(), timeoutMs: opts.timeoutMs ?? 10_000 });

  return {
    mode,
    getUser: (id) =>
      run<User>("UserService", "GetUser", async (c) => {
        const r = await users.getUser({ id }, callOpts(c));
        if (!r.user) throw new ConnectError("empty response", 13);
        return r.user;
      }),
    createUser: (name, email) =>
      run<User>("UserService", "CreateUser", async (c) => (await users.createUser({ name, email }, callOpts(c))).user!),
    listUsers: (o = {}) =>
      run<User[]>("UserService", "ListUsers", async (c) => {
        const out: User[] = [];
        for await (const r of users.listUsers({ limit: o.limit ?? 0, intervalMs: o.intervalMs ?? 0 }, callOpts(c))) {
          if (r.user) {
            out.push(r.user);
            o.onUser?.(r.user);
          }
        }
        return out;
      }),
    createOrder: (input) =>
      run<Order>("OrderService", "CreateOrder", async (c) => (await orders.createOrder(input, callOpts(c))).order!),
    close: async () => {},
  };
}
