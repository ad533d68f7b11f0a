import { randomBytes } from "node:crypto";
import { create } from "@bufbuild/protobuf";
import { UserSchema, type User } from "../../lib/gen/lab/v1/user_pb";
import type { Order } from "../../lib/gen/lab/v1/order_pb";
import type { Defences } from "../../lib/gen/lab/v1/fault_pb";
import { defaultDefences } from "../../lib/faults/catalog";
import { SessionFaults } from "../faults/session-faults";
import { IdempotencyStore } from "../faults/idempotency";

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

/** What happened in a session (OutcomeCounters in fault.proto). */
export function freshCounters() {
  return {
    requestsReceived: 0,
    requestsSucceeded: 0,
    requestsFailed: 0,
    requestsRetried: 0,
    idempotentReplays: 0,
    messagesPublished: 0,
    messagesDelivered: 0,
    messagesDuplicated: 0,
    messagesLost: 0,
    messagesDeadLettered: 0,
    ordersAccepted: 0,
    inventoryDecrements: 0,
    notificationsSent: 0,
    duplicatesSkipped: 0,
    faultsApplied: 0,
    consumerCrashes: 0,
  };
}

export type Counters = ReturnType<typeof freshCounters>;

/** Message ids a consumer remembers for de-duplication, per consumer. */
const DEDUP_MEMORY = 10_000;

/**
 * One learner's sandbox: their users, orders, stock and the consumers'
 * side effects. Nothing here is shared between sessions.
 */
export class Sandbox {
  users = seedUsers();
  nextUserId = 1000n;
  orders = new Map<string, Order>();
  stock = new Map<string, number>(Object.entries(INITIAL_STOCK));
  counters = freshCounters();
  /** Stock decrements per order id, to tell "applied twice" from "applied once". */
  decrementsByOrder = new Map<string, number>();
  /** Messages delivered to a consumer and not processed yet. */
  backlog = 0;
  readonly faults = new SessionFaults();
  defences: Defences = defaultDefences();
  /** Answers kept for Idempotency-Key (draft-ietf-httpapi-idempotency-key-header). */
  readonly idempotency = new IdempotencyStore();
  /** Message ids each consumer processed (consumer de-duplication). */
  readonly processed = new Map<string, Set<string>>();
  /** Failed processing attempts per consumer and message id (dead-lettering after N). */
  readonly failures = new Map<string, number>();
  /** Called on reset, so the session's clients reconnect with the default defences. */
  onReset: (() => void) | undefined;
  lastSeenMs = Date.now();

  constructor(readonly id: string) {
    this.faults.onHit = () => this.counters.faultsApplied++;
  }

  /** Whether `consumer` already processed `messageId`; records it if not. */
  seenBefore(consumer: string, messageId: string): boolean {
    let seen = this.processed.get(consumer);
    if (!seen) this.processed.set(consumer, (seen = new Set()));
    if (seen.has(messageId)) return true;
    if (seen.size >= DEDUP_MEMORY) seen.delete(seen.values().next().value!);
    seen.add(messageId);
    return false;
  }

  reset(): void {
    this.users = seedUsers();
    this.nextUserId = 1000n;
    this.orders.clear();
    this.stock = new Map(Object.entries(INITIAL_STOCK));
    this.counters = freshCounters();
    this.decrementsByOrder.clear();
    this.backlog = 0;
    this.processed.clear();
    this.failures.clear();
    this.idempotency.clear();
    this.defences = defaultDefences();
    this.faults.clear();
    this.onReset?.();
  }
}

/** Every live sandbox, created on first use and forgotten after being idle. */
export class Sandboxes {
  private readonly all = new Map<string, Sandbox>();
  private readonly sweep: NodeJS.Timeout;

  /** Called when a sandbox is created (the lab starts its clients). */
  onCreate: ((box: Sandbox) => void) | undefined;

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
      this.onCreate?.(box);
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

  /** Every live sandbox (the broker looks up outages by session). */
  peek(id: string): Sandbox | undefined {
    return this.all.get(id);
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
