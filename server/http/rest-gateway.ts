import { createHash } from "node:crypto";
import { Code, ConnectError, createContextValues, type Client } from "@connectrpc/connect";
import { z } from "zod";
import { restEchoBody } from "../../lib/client";
import type { EchoService } from "../../lib/gen/lab/v1/measure_pb";
import type { OrderService, Order } from "../../lib/gen/lab/v1/order_pb";
import type { User, UserService } from "../../lib/gen/lab/v1/user_pb";
import { codeName, httpStatusForCode } from "../../lib/rpc/codes";
import { kCallOrigin } from "../rpc/context-keys";
import type { AnyRequest, AnyResponse } from "./http-tap";
import { sendError, sendJson } from "./json-response";
import { BodyError, readJsonBody } from "./read-body";

/** The gateway's clients of the services behind it: real gRPC over loopback. */
export interface GatewayClients {
  users: Client<typeof UserService>;
  orders: Client<typeof OrderService>;
  echo: Client<typeof EchoService>;
}

export interface RestCall {
  session: string;
  spanId: string;
  maxBodyBytes: number;
  /**
   * The caller's budget from `x-lab-timeout-ms`, passed on as the
   * downstream call's deadline (grpc-timeout) when `propagate` is on.
   */
  timeoutMs?: number;
  /**
   * Pass the remaining deadline downstream and cancel downstream calls when
   * the caller goes away. Off is seed 2's anti-pattern: the gateway starts
   * a fresh deadline of its own (RESET_DEADLINE_MS) and works on for a
   * caller that already gave up.
   */
  propagate: boolean;
  /** Fires when the caller closed the connection before the answer. */
  gone: AbortSignal;
  /** Forwarded to the services as `idempotency-key` metadata. */
  idempotencyKey?: string;
  /** A replayed request (fault): the gateway's call to the service is made twice. */
  replay?: boolean;
}

/** The fresh deadline of the "reset the deadline" anti-pattern. */
export const RESET_DEADLINE_MS = 10_000;

/** The service method behind a REST route, for fault targets; undefined for no route. */
export function restRouteMethod(method: string, path: string): { service: string; method: string } | undefined {
  const users = "lab.v1.UserService";
  if (path === "/rest/users") return method === "POST" ? { service: users, method: "CreateUser" } : { service: users, method: "ListUsers" };
  if (/^\/rest\/users\/[^/]+$/.test(path)) {
    const byVerb: Record<string, string> = { GET: "GetUser", HEAD: "GetUser", PUT: "UpdateUser", DELETE: "DeleteUser" };
    const m = byVerb[method];
    return m ? { service: users, method: m } : undefined;
  }
  if (path === "/rest/orders") return { service: "lab.v1.OrderService", method: "CreateOrder" };
  if (path === "/rest/echo") return { service: "lab.v1.EchoService", method: "Echo" };
  return undefined;
}

/** A client whose unary calls are each made twice (a replayed request); the second answer is the one used. */
function twice<T extends object>(client: T): T {
  return new Proxy(client, {
    get(target, prop, receiver) {
      const fn = Reflect.get(target, prop, receiver);
      if (typeof fn !== "function" || prop === "listUsers") return fn;
      return async (...args: unknown[]) => {
        await (fn as (...a: unknown[]) => Promise<unknown>).apply(target, args).catch(() => undefined);
        return (fn as (...a: unknown[]) => Promise<unknown>).apply(target, args);
      };
    },
  });
}

const userInput = z.object({
  name: z.string(),
  email: z.string(),
});
const INT32 = z.number().int().min(-(2 ** 31)).max(2 ** 31 - 1);
const echoInput = z.object({
  users: z.array(z.object({ id: z.union([z.number().int().nonnegative(), z.string().regex(/^\d{1,18}$/)]), name: z.string(), email: z.string() })).optional(),
  numbers: z.array(INT32).optional(),
  text: z.string().optional(),
});
const orderInput = z.object({
  userId: z.union([z.number().int(), z.string().regex(/^\d{1,18}$/)]),
  sku: z.string(),
  quantity: z.number().int(),
});

/** REST's JSON shape of a user: seed 1's `{"id":123,"name":"张三","email":...}`. */
function userJson(user: User | undefined) {
  return user && { id: Number(user.id), name: user.name, email: user.email };
}

function orderJson(order: Order | undefined) {
  return (
    order && {
      id: order.id,
      userId: Number(order.userId),
      sku: order.sku,
      quantity: order.quantity,
      status: order.status,
      createdAt: new Date(Number(order.createdAtUnixMs)).toISOString(),
    }
  );
}

class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

function parseId(raw: string): bigint {
  if (!/^\d{1,18}$/.test(raw)) throw new HttpProblem(400, "invalid_argument", `user id must be a positive integer, got ${JSON.stringify(raw)}`);
  return BigInt(raw);
}

function validate<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue.path.join(".") || "body";
    throw new HttpProblem(400, "invalid_argument", `${field}: ${issue.message}`);
  }
  return parsed.data;
}

/**
 * Strong entity tag of a representation (RFC 9110 §8.8.3), so GET answers
 * `If-None-Match` with 304 Not Modified (RFC 9110 §13.1.2, §15.4.5).
 */
function etagOf(body: string): string {
  return `"${createHash("sha1").update(body).digest("base64url").slice(0, 16)}"`;
}

function matchesIfNoneMatch(header: string | string[] | undefined, etag: string): boolean {
  if (header === undefined) return false;
  const list = (Array.isArray(header) ? header.join(",") : header).split(",").map((s) => s.trim());
  // Weak comparison (RFC 9110 §8.8.3.2) for If-None-Match.
  return list.some((t) => t === "*" || t.replace(/^W\//, "") === etag);
}

/**
 * The API gateway of seed 1: JSON over HTTP at the edge, gRPC to the
 * services inside. Each REST call becomes a real gRPC call over loopback,
 * traced as a child hop of the browser's request.
 */
export function createRestGateway(backends: GatewayClients) {
  return async function handleRest(req: AnyRequest, res: AnyResponse, call: RestCall): Promise<void> {
    const method = req.method ?? "GET";
    const path = (req.url ?? "/").split("?")[0];
    const deadline = call.propagate ? call.timeoutMs : RESET_DEADLINE_MS;
    const callOptions = {
      contextValues: createContextValues().set(kCallOrigin, { session: call.session, parentSpanId: call.spanId }),
      timeoutMs: deadline,
      signal: call.propagate ? call.gone : undefined,
      headers: call.idempotencyKey !== undefined ? { "idempotency-key": call.idempotencyKey } : undefined,
    };
    const clients = call.replay ? { users: twice(backends.users), orders: twice(backends.orders), echo: twice(backends.echo) } : backends;
    try {
      const userMatch = /^\/rest\/users\/([^/]+)$/.exec(path);
      if (path === "/rest/users") {
        if (method === "GET") {
          const users: unknown[] = [];
          for await (const r of clients.users.listUsers({}, callOptions)) users.push(userJson(r.user));
          return sendJson(res, 200, users);
        }
        if (method === "POST") {
          const input = validate(userInput, await readJsonBody(req, call.maxBodyBytes));
          const { user } = await clients.users.createUser(input, callOptions);
          return sendJson(res, 201, userJson(user), { location: `/rest/users/${user?.id}` });
        }
        throw new HttpProblem(405, "method_not_allowed", `${method} is not allowed on /rest/users`, { allow: "GET, POST" });
      }
      if (userMatch) {
        const id = parseId(userMatch[1]);
        if (method === "GET" || method === "HEAD") {
          const { user } = await clients.users.getUser({ id }, callOptions);
          const text = JSON.stringify(userJson(user));
          const etag = etagOf(text);
          if (matchesIfNoneMatch(req.headers["if-none-match"], etag)) {
            res.writeHead(304, { etag, "cache-control": "no-cache" });
            return void res.end();
          }
          res.writeHead(200, {
            "content-type": "application/json; charset=utf-8",
            "content-length": String(Buffer.byteLength(text)),
            etag,
            "cache-control": "no-cache",
          });
          return void (method === "HEAD" ? res.end() : res.end(text));
        }
        if (method === "PUT") {
          const input = validate(userInput, await readJsonBody(req, call.maxBodyBytes));
          const { user } = await clients.users.updateUser({ id, ...input }, callOptions);
          return sendJson(res, 200, userJson(user));
        }
        if (method === "DELETE") {
          await clients.users.deleteUser({ id }, callOptions);
          res.writeHead(204);
          return void res.end();
        }
        throw new HttpProblem(405, "method_not_allowed", `${method} is not allowed on ${path}`, { allow: "GET, HEAD, PUT, DELETE" });
      }
      if (path === "/rest/orders") {
        if (method !== "POST") throw new HttpProblem(405, "method_not_allowed", `${method} is not allowed on /rest/orders`, { allow: "POST" });
        const input = validate(orderInput, await readJsonBody(req, call.maxBodyBytes));
        const { order } = await clients.orders.createOrder(
          { userId: BigInt(input.userId), sku: input.sku, quantity: input.quantity },
          callOptions,
        );
        return sendJson(res, 201, orderJson(order), { location: `/rest/orders/${order?.id}` });
      }
      if (path === "/rest/echo") {
        if (method !== "POST") throw new HttpProblem(405, "method_not_allowed", `${method} is not allowed on /rest/echo`, { allow: "POST" });
        const input = validate(echoInput, await readJsonBody(req, call.maxBodyBytes));
        const echoed = await clients.echo.echo(
          { users: (input.users ?? []).map((u) => ({ id: BigInt(u.id), name: u.name, email: u.email })), numbers: input.numbers ?? [], text: input.text ?? "" },
          callOptions,
        );
        return sendJson(res, 200, restEchoBody(echoed));
      }
      throw new HttpProblem(404, "not_found", `no REST route ${method} ${path}; see GET /rest/users, POST /rest/orders, POST /rest/echo`);
    } catch (err) {
      if (res.headersSent || call.gone.aborted) {
        res.destroy();
        return;
      }
      if (err instanceof HttpProblem) return sendError(res, err.status, err.code, err.message, {}, err.headers);
      if (err instanceof BodyError) {
        return sendError(res, err.status, err.code, err.message, {}, err.status === 413 ? { connection: "close" } : {});
      }
      const ce = ConnectError.from(err);
      // An upstream failure keeps its code; the HTTP status follows the
      // Connect protocol's mapping so every mode tells the same story. A
      // service that broke off (unknown, internal) is a 502 Bad Gateway
      // (RFC 9110 §15.6.3): the gateway itself is fine.
      const status = ce.code === Code.Unknown || ce.code === Code.Internal ? 502 : httpStatusForCode(ce.code);
      return sendError(res, status, codeName(ce.code), ce.rawMessage);
    }
  };
}
