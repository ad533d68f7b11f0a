import { create } from "@bufbuild/protobuf";
import { Code, ConnectError, type ServiceImpl } from "@connectrpc/connect";
import { UserSchema, type UserService } from "../../lib/gen/lab/v1/user_pb";
import { hopOf } from "./hop-context";

/** Longest name or e-mail the user service stores. */
export const USER_FIELD_MAX_CHARS = 200;
/** Longest pause ListUsers accepts between two streamed users. */
export const LIST_INTERVAL_MAX_MS = 1000;

const EMAIL = /^[^\s@]+@[^\s@]+$/;

function validUser(name: string, email: string): void {
  if (name.trim() === "") throw new ConnectError("name must not be empty", Code.InvalidArgument);
  if (name.length > USER_FIELD_MAX_CHARS) {
    throw new ConnectError(`name is longer than ${USER_FIELD_MAX_CHARS} characters`, Code.InvalidArgument);
  }
  if (!EMAIL.test(email) || email.length > USER_FIELD_MAX_CHARS) {
    throw new ConnectError(`email ${JSON.stringify(email.slice(0, 60))} is not an e-mail address`, Code.InvalidArgument);
  }
}

function validId(id: bigint): void {
  if (id <= 0n) throw new ConnectError(`id must be a positive integer, got ${id}`, Code.InvalidArgument);
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => {
      clearTimeout(t);
      reject(signal.reason);
    }, { once: true });
  });

/**
 * Seed 1's user service, one implementation for every mode: Connect,
 * gRPC-web and gRPC call it through the router, REST through the gateway's
 * gRPC client, MQTT through the request/reply bridge.
 */
export const userService: ServiceImpl<typeof UserService> = {
  getUser(req, ctx) {
    validId(req.id);
    const user = hopOf(ctx).sandbox.users.get(req.id);
    if (!user) throw new ConnectError(`user ${req.id} not found`, Code.NotFound);
    return { user };
  },

  createUser(req, ctx) {
    validUser(req.name, req.email);
    const box = hopOf(ctx).sandbox;
    const id = box.nextUserId++;
    const user = create(UserSchema, { id, name: req.name, email: req.email });
    box.users.set(id, user);
    return { user };
  },

  updateUser(req, ctx) {
    validId(req.id);
    validUser(req.name, req.email);
    const box = hopOf(ctx).sandbox;
    if (!box.users.has(req.id)) throw new ConnectError(`user ${req.id} not found`, Code.NotFound);
    const user = create(UserSchema, { id: req.id, name: req.name, email: req.email });
    box.users.set(req.id, user);
    return { user };
  },

  deleteUser(req, ctx) {
    validId(req.id);
    const box = hopOf(ctx).sandbox;
    if (!box.users.delete(req.id)) throw new ConnectError(`user ${req.id} not found`, Code.NotFound);
    return {};
  },

  async *listUsers(req, ctx) {
    if (req.limit < 0) throw new ConnectError("limit must not be negative", Code.InvalidArgument);
    if (req.intervalMs < 0 || req.intervalMs > LIST_INTERVAL_MAX_MS) {
      throw new ConnectError(`interval_ms must be between 0 and ${LIST_INTERVAL_MAX_MS}`, Code.InvalidArgument);
    }
    const users = [...hopOf(ctx).sandbox.users.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
    const limit = req.limit === 0 ? users.length : Math.min(req.limit, users.length);
    for (let i = 0; i < limit; i++) {
      if (i > 0 && req.intervalMs > 0) await sleep(req.intervalMs, ctx.signal);
      yield { user: users[i] };
    }
  },
};
