import { toBinary } from "@bufbuild/protobuf";
import { Code, ConnectError, createClient, type Interceptor, type Transport } from "@connectrpc/connect";
import { EchoService, type EchoResponse } from "../../gen/lab/v1/measure_pb";
import { OrderService, type Order } from "../../gen/lab/v1/order_pb";
import type { Mode } from "../../gen/lab/v1/trace_pb";
import { UserService, type User } from "../../gen/lab/v1/user_pb";
import { codeName } from "../../rpc/codes";
import { instanceParticipant } from "../../rpc/instances";
import { LAB_HEADERS } from "../../trace";
import { ClientCall } from "../client-trace";
import { attemptTimeoutMs } from "../defences";
import type { CallOptions, CallResult, LabClientOptions, ModeClient, ModeName } from "../types";

/**
 * Counts body bytes of each call as fetch sends and receives them (the
 * enveloped wire body for gRPC-web and Connect streams), keyed by the
 * call's span header.
 *
 * A fetch that fails without a whole answer (no connection, a connection
 * reset before or during the answer) becomes `unavailable`, as gRPC
 * reports a transport failure (gRPC doc/statuscodes.md) and as native gRPC
 * in Node already does; connect-es would call it `unknown`. A fetch aborted
 * by the deadline keeps its reason (deadline_exceeded).
 */
export function countingFetch(calls: Map<string, ClientCall>, fetch: typeof globalThis.fetch = globalThis.fetch): typeof globalThis.fetch {
  return async (input, init) => {
    const span = new Headers(init?.headers).get(LAB_HEADERS.span) ?? "";
    const c = calls.get(span);
    const body = init?.body;
    if (c) {
      const bytes = body instanceof Uint8Array ? body.byteLength : typeof body === "string" ? new TextEncoder().encode(body).byteLength : 0;
      c.sent(bytes);
    }
    let res: Response;
    try {
      res = await fetch(input, init);
    } catch (err) {
      throw transportError(err, init?.signal);
    }
    if (!res.body) return res;
    // The body is read through a stream of our own, to count it and to
    // report a connection lost mid-answer as unavailable too.
    const reader = res.body.getReader();
    const counted = new ReadableStream<Uint8Array>({
      async pull(ctl) {
        try {
          const { done, value } = await reader.read();
          if (done) return ctl.close();
          if (c) c.responseBytes += value.byteLength;
          ctl.enqueue(value);
        } catch (err) {
          ctl.error(transportError(err, init?.signal));
        }
      },
      cancel: (reason) => reader.cancel(reason),
    });
    return new Response(counted, { status: res.status, statusText: res.statusText, headers: res.headers });
  };
}

/** A fetch failure as a ConnectError: `unavailable`, unless the call's signal aborted it (the deadline). */
function transportError(err: unknown, signal: AbortSignal | null | undefined): unknown {
  if (signal?.aborted || err instanceof ConnectError) return err;
  const e = err as Error;
  const cause = (e as { cause?: { message?: string } }).cause?.message;
  return new ConnectError(cause ? `${e.message}: ${cause}` : e.message, Code.Unavailable, undefined, undefined, err);
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
 * the call a request belongs to. One request per call; retries are
 * lib/client/defences.ts's.
 */
export function createRpcClient(
  opts: LabClientOptions,
  mode: ModeName,
  traceMode: Mode,
  transport: Transport,
  calls: Map<string, ClientCall>,
): ModeClient {
  const users = createClient(UserService, transport);
  const orders = createClient(OrderService, transport);
  const echoes = createClient(EchoService, transport);
  // The server's name for what this client calls: "UserService", or "UserService#2" for one instance.
  const userService = instanceParticipant("UserService", opts.instance);
  const orderService = instanceParticipant("OrderService", opts.instance);

  async function run<T>(to: string, label: string, attempt: CallOptions, fn: (c: ClientCall) => Promise<T>): Promise<CallResult<T>> {
    const c = new ClientCall(opts, traceMode, to, label, attempt);
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
  // connect-es sends what is left of the deadline as connect-timeout-ms
  // (Connect) or grpc-timeout (gRPC, gRPC-web) and aborts the call when it
  // passes; undefined = no deadline, no header.
  const callOpts = (c: ClientCall, attempt: CallOptions) => ({ headers: c.headers(), timeoutMs: attemptTimeoutMs(attempt) });

  return {
    mode,
    getUser: (id, a) =>
      run<User>(userService, "GetUser", a, async (c) => {
        const r = await users.getUser({ id }, callOpts(c, a));
        if (!r.user) throw new ConnectError("empty response", 13);
        return r.user;
      }),
    createUser: (name, email, a) =>
      run<User>(userService, "CreateUser", a, async (c) => (await users.createUser({ name, email }, callOpts(c, a))).user!),
    listUsers: (o, a) =>
      run<User[]>(userService, "ListUsers", a, async (c) => {
        const out: User[] = [];
        for await (const r of users.listUsers({ limit: o.limit ?? 0, intervalMs: o.intervalMs ?? 0 }, callOpts(c, a))) {
          if (r.user) {
            out.push(r.user);
            o.onUser?.(r.user);
          }
        }
        return out;
      }),
    createOrder: (input, a) =>
      run<Order>(orderService, "CreateOrder", a, async (c) => (await orders.createOrder(input, callOpts(c, a))).order!),
    echo: (request, a) => run<EchoResponse>("EchoService", "Echo", a, (c) => echoes.echo(request, callOpts(c, a))),
    close: async () => {},
  };
}
