import { randomBytes } from "node:crypto";
import { create } from "@bufbuild/protobuf";
import { UserSchema, type User } from "../../lib/gen/lab/v1/user_pb";
import type { Order } from "../../lib/gen/lab/v1/order_pb";

/** Session ids: 8–32 lowercase letters and digits, safe in a topic and a header. */
export const SESSION_ID = /^[a-z0-9]{8,32}$/;

const ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";

/** A new random session id of 12 characters (about 62 bits). */
export function newSessionId(): string {
  const bytes = randomBytes(12);
  let id = "";
  for (const b of bytes) id += ALPHABET[b % ALPHABET.length];
  return id;
}

/** Stock each SKU starts with in a fresh sandbox. */
export const INITIAL_STOCK: Readonly<Record<string, number>> = {
  "sku-book": 1000,
  "sku-mug": 1000,
  "sku-tee": 1000,
};

function seedUsers(): Map<bigint, User> {
  // Seed 1's example user is 张三 with id 123.
  const seed: Array<[bigint, string, string]> = [
    [1n, "Ada Lovelace", "ada@example.com"],
    [2n, "Grace Hopper", "grace@example.com"],
    [3n, "Alan Turing", "alan@example.com"],
    [123n, "张三", "zhangsan@example.com"],
  ];
  return new Map(seed.map(([id, name, email]) => [id, create(UserSchema, { id, name, email })]));
}

/**
 * One learner's sandbox: their users, orders, stock and the consumers'
 * side effects. Nothing here is shared between sessions.
 */
export class Sandbox {
  users = seedUsers();
  nextUserId = 1000n;
  orders = new Map<string, Order>();
  stock = new Map<string, number>(Object.entries(INITIAL_STOCK));
  counters = { ordersAccepted: 0, inventoryDecrements: 0, notificationsSent: 0, deadLettered: 0 };
  lastSeenMs = Date.now();

  constructor(readonly id: string) {}

  reset(): void {
    this.users = seedUsers();
    this.nextUserId = 1000n;
    this.orders.clear();
    this.stock = new Map(Object.entries(INITIAL_STOCK));
    this.counters = { ordersAccepted: 0, inventoryDecrements: 0, notificationsSent: 0, deadLettered: 0 };
  }
}

/** Every live sandbox, created on first use and forgotten after being idle. */
export class Sandboxes {
  private readonly all = new Map<string, Sandbox>();
  private readonly sweep: NodeJS.Timeout;

  constructor(
    private readonly idleMs: number,
    private readonly onForget: (id: string) => void = () => {},
  ) {
    this.sweep = setInterval(() => this.expire(), Math.min(idleMs, 60_000));
    this.sweep.unref();
  }

  /** The sandbox of a valid session id, created on first use. */
  get(id: string): Sandbox {
    let box = this.all.get(id);
    if (!box) {
      box = new Sandbox(id);
      this.all.set(id, box);
    }
    box.lastSeenMs = Date.now();
    return box;
  }

  has(id: string): boolean {
    return this.all.has(id);
  }

  get size(): number {
    return this.all.size;
  }

  close(): void {
    clearInterval(this.sweep);
  }

  private expire(): void {
    const cutoff = Date.now() - this.idleMs;
    for (const [id, box] of this.all) {
      if (box.lastSeenMs < cutoff) {
        this.all.delete(id);
        this.onForget(id);
      }
    }
  }
}
