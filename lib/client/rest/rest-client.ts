import { create } from "@bufbuild/protobuf";
import { OrderSchema, type Order } from "../../gen/lab/v1/order_pb";
import { Mode } from "../../gen/lab/v1/trace_pb";
import { UserSchema, type User } from "../../gen/lab/v1/user_pb";
import { ClientCall } from "../client-trace";
import type { CallResult, LabClient, LabClientOptions } from "../types";

type UserJson = { id: number; name: string; email: string };
type OrderJson = { id: string; userId: number; sku: string; quantity: number; status: string; createdAt: string };

const toUser = (u: UserJson) => create(UserSchema, { id: BigInt(u.id), name: u.name, email: u.email });
const toOrder = (o: OrderJson) =>
  create(OrderSchema, { ...o, userId: BigInt(o.userId), createdAtUnixMs: BigInt(Date.parse(o.createdAt)) });

/** REST: JSON over HTTP/1.1 to the gateway, which calls the services over gRPC. */
export function createRestClient(opts: LabClientOptions): LabClient {
  async function call<J, T>(label: string, method: string, path: string, body: unknown, map: (j: J) => T): Promise<CallResult<T>> {
    const c = new ClientCall(opts, Mode.REST, "Gateway", label);
    const text = body === undefined ? undefined : JSON.stringify(body);
    c.sent(text ? new TextEncoder().encode(text).length : 0);
    try {
      const res = await fetch(opts.baseUrl + path, {
        method,
        headers: { ...c.headers(), ...(text ? { "content-type": "application/json" } : {}) },
        body: text,
        signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000),
      });
      const raw = new Uint8Array(await res.arrayBuffer());
      c.responseBytes = raw.length;
      const parsed = raw.length > 0 ? JSON.parse(new TextDecoder().decode(raw)) : undefined;
      if (!res.ok) return c.finish<T>(false, String(res.status), undefined, parsed?.error?.message ?? res.statusText);
      return c.finish(true, String(res.status), map(parsed as J));
    } catch (err) {
      const e = err as Error;
      return c.finish<T>(false, e.name === "TimeoutError" ? "timeout" : "network_error", undefined, e.message);
    }
  }
  return {
    mode: "rest",
    getUser: (id) => call<UserJson, User>("GET /rest/users/" + id, "GET", `/rest/users/${id}`, undefined, toUser),
    createUser: (name, email) => call<UserJson, User>("POST /rest/users", "POST", "/rest/users", { name, email }, toUser),
    async listUsers(o = {}) {
      const r = await call<UserJson[], User[]>("GET /rest/users", "GET", "/rest/users", undefined, (list) => list.map(toUser));
      const limited = r.value && o.limit ? r.value.slice(0, o.limit) : r.value;
      limited?.forEach((u) => o.onUser?.(u));
      return { ...r, value: limited };
    },
    createOrder: (input) =>
      call<OrderJson, Order>("POST /rest/orders", "POST", "/rest/orders", { userId: Number(input.userId), sku: input.sku, quantity: input.quantity }, toOrder),
    close: async () => {},
  };
}
