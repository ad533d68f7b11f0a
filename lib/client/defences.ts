import type { Defences } from "../gen/lab/v1/fault_pb";
import type { EchoResponse } from "../gen/lab/v1/measure_pb";
import type { Order } from "../gen/lab/v1/order_pb";
import type { User } from "../gen/lab/v1/user_pb";
import { nowUnixMs } from "../trace";
import type { CallOptions, CallResult, LabClient, LabClientOptions, ModeClient, RetryOptions } from "./types";

/**
 * The client-side defences — deadline, retries with backoff and jitter, a
 * retry budget, idempotency keys — in ONE place for every mode: mode
 * clients (rest/, rpc/, mqtt/) send single attempts, and `withDefences`
 * decides whether, when and how often to send them again.
 */

/** The deadline of a call when `timeoutMs` is absent. */
export const DEFAULT_TIMEOUT_MS = 10_000;

/** gRPC caps maxAttempts at 5 (proposal A6); the lab allows 10 (lib/faults/catalog.ts DEFENCE_LIMITS) to show retry storms. */
export const MAX_ATTEMPTS_LIMIT = 10;

/**
 * Defaults of a partly given retry policy, the same as the lab's
 * DEFAULT_DEFENCES.retry (lib/faults/catalog.ts), except that retries are
 * off until maxAttempts says otherwise.
 */
export const DEFAULT_RETRY: Readonly<RetryOptions> = {
  maxAttempts: 1,
  initialBackoffMs: 100,
  maxBackoffMs: 2_000,
  multiplier: 2,
  jitter: 1,
  budgetPercent: 20,
  budgetMinRetries: 10,
};

/**
 * The Idempotency-Key request header (draft-ietf-httpapi-idempotency-key-header).
 * Written in lower case, as HTTP/2 requires (RFC 9113 §8.2.1) and gRPC
 * metadata expects; HTTP field names are case-insensitive (RFC 9110 §5.1).
 */
export const IDEMPOTENCY_KEY_HEADER = "idempotency-key";

/**
 * The REST client's deadline header: the milliseconds left for the call.
 * HTTP has no standard request-deadline header (RFC 9110 defines none), so
 * the lab mirrors Connect's `connect-timeout-ms` (and gRPC's `grpc-timeout`),
 * and the gateway propagates it to the services.
 */
export const REST_TIMEOUT_HEADER = "x-lab-timeout-ms";

// ---------------------------------------------------------------- deadline

/** The absolute deadline (nowUnixMs clock) of a call started at `start`; undefined = none (`timeoutMs` 0 or null). */
export function callDeadline(timeoutMs: number | null | undefined, start: number): number | undefined {
  const ms = timeoutMs === undefined ? DEFAULT_TIMEOUT_MS : timeoutMs;
  if (ms === null || !Number.isFinite(ms) || ms <= 0) return undefined;
  return start + ms;
}

/**
 * How close to the deadline a retry is not made, in ms. An attempt is
 * given what is left in whole ms, rounded down (attemptTimeoutMs), and
 * its timer runs on the event loop's 1 ms clock, so one that ran out of
 * time can end up to ~2 ms before the deadline as nowUnixMs reads it.
 */
export const DEADLINE_SLACK_MS = 2;

/**
 * The time an attempt may take: what is left of the call's deadline, in
 * whole ms and at least 1 (`connect-timeout-ms` and `grpc-timeout` carry
 * positive integers); undefined when the call has no deadline.
 */
export function attemptTimeoutMs(call: CallOptions, now = nowUnixMs()): number | undefined {
  if (call.deadlineUnixMs === undefined) return undefined;
  return Math.max(1, Math.floor(call.deadlineUnixMs - now));
}

// ---------------------------------------------------------------- retries

const finite = (v: unknown, fallback: number): number => (typeof v === "number" && Number.isFinite(v) ? v : fallback);
const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

/**
 * A complete retry policy from a partial one: missing fields take
 * DEFAULT_RETRY; maxAttempts is an integer in 1–10; a maxBackoffMs below
 * initialBackoffMs is raised to it; a multiplier below 1 is 1 (constant
 * backoff); jitter is clamped to 0–1.
 */
export function normaliseRetryPolicy(p: Partial<RetryOptions> = {}): RetryOptions {
  const initialBackoffMs = Math.max(0, finite(p.initialBackoffMs, DEFAULT_RETRY.initialBackoffMs));
  return {
    maxAttempts: clamp(Math.floor(finite(p.maxAttempts, DEFAULT_RETRY.maxAttempts)), 1, MAX_ATTEMPTS_LIMIT),
    initialBackoffMs,
    maxBackoffMs: Math.max(initialBackoffMs, finite(p.maxBackoffMs, DEFAULT_RETRY.maxBackoffMs)),
    multiplier: Math.max(1, finite(p.multiplier, DEFAULT_RETRY.multiplier)),
    jitter: clamp(finite(p.jitter, DEFAULT_RETRY.jitter), 0, 1),
    budgetPercent: Math.max(0, finite(p.budgetPercent, DEFAULT_RETRY.budgetPercent)),
    budgetMinRetries: Math.max(0, Math.floor(finite(p.budgetMinRetries, DEFAULT_RETRY.budgetMinRetries))),
  };
}

/**
 * The wait before retry number `retry` (1 = the wait after the first
 * attempt): exponential backoff capped at maxBackoffMs,
 *
 *   base    = min(initialBackoffMs × multiplier^(retry−1), maxBackoffMs)
 *   backoff = base × (1 − jitter) + random() × base × jitter
 *
 * With jitter 1 this is "full jitter", random(0, base), from the AWS
 * Architecture Blog's "Exponential Backoff And Jitter" (Marc Brooker, 2015)
 * and gRPC proposal A6 (client-side retries); jitter 0.5 is the blog's
 * "equal jitter"; jitter 0 waits exactly `base`, so clients that failed
 * together retry together. `random` returns [0, 1) (injectable for tests).
 */
export function backoffMs(policy: Pick<RetryOptions, "initialBackoffMs" | "maxBackoffMs" | "multiplier" | "jitter">, retry: number, random: () => number = Math.random): number {
  const base = Math.min(policy.initialBackoffMs * policy.multiplier ** Math.max(0, retry - 1), policy.maxBackoffMs);
  return base * (1 - policy.jitter) + random() * base * policy.jitter;
}

/**
 * A retry budget, as Finagle's RetryBudget and gRPC's retry throttling
 * (proposal A6): retries may add at most `percent`% to the load of first
 * attempts, so a struggling server is not hit by a retry storm. The lab
 * counts over the client's whole lifetime (Finagle uses a sliding 10 s
 * window; gRPC a token bucket refilled by successes) so a lesson's numbers
 * are exact: after n first attempts, at most
 *
 *   minRetries + n × percent / 100
 *
 * retries in all. `minRetries` (default 10, Finagle's minRetriesPerSec is
 * also 10) lets a young client retry at all. percent 0 = no budget.
 */
export class RetryBudget {
  private first = 0;
  private retried = 0;
  private refused = 0;

  constructor(
    readonly percent: number,
    readonly minRetries = DEFAULT_RETRY.budgetMinRetries,
  ) {}

  /** Counts a call's first attempt (a deposit). */
  recordFirstAttempt(): void {
    this.first++;
  }

  /** Takes one retry from the budget; false (and nothing taken) when it is spent. */
  tryRetry(): boolean {
    // retries + 1 ≤ minRetries + first × percent / 100, in integers.
    if (this.percent > 0 && (this.retried + 1 - this.minRetries) * 100 > this.first * this.percent) {
      this.refused++;
      return false;
    }
    this.retried++;
    return true;
  }

  get stats(): { firstAttempts: number; retries: number; refused: number } {
    return { firstAttempts: this.first, retries: this.retried, refused: this.refused };
  }
}

/**
 * Transient outcomes, worth another attempt: no connection or a reset
 * ("network_error" for REST, "unavailable" in the RPC modes and for an
 * MQTT broker out of reach), a deadline the server reported
 * ("deadline_exceeded", HTTP 504 — the caller's own deadline is the call's
 * deadline, so it leaves no time to retry anyway), and the gateway
 * statuses 502 and 503. "timeout" is REST's own deadline, listed for
 * symmetry with "deadline_exceeded".
 *
 * Not retried: every other 4xx and RPC code (invalid_argument, not_found,
 * …: sending the same request again gives the same answer), internal and
 * unknown (the server may have acted), and resource_exhausted / 429 — in
 * this lab they mean "request over the size limit", which never passes on
 * a retry; a server that throttles would have to say when to come back
 * (Retry-After, RFC 9110 §10.2.3; gRPC's pushback), which the lab does not.
 */
const RETRYABLE_STATUSES: ReadonlySet<string> = new Set(["network_error", "timeout", "502", "503", "504", "unavailable", "deadline_exceeded"]);

export function isRetryableStatus(status: string): boolean {
  return RETRYABLE_STATUSES.has(status);
}

// ---------------------------------------------------------------- idempotency keys

/**
 * A random (version 4) UUID, RFC 9562 §5.4. From getRandomValues rather than
 * crypto.randomUUID, which browsers offer only in secure contexts (a lab
 * opened over plain http on a classroom LAN is not one).
 */
export function newIdempotencyKey(): string {
  const b = new Uint8Array(16);
  globalThis.crypto.getRandomValues(b);
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/**
 * The header value of a key: the draft makes Idempotency-Key a Structured
 * Field String (RFC 8941 §3.3.3), so the key goes in double quotes:
 * `Idempotency-Key: "8e03978e-40d5-43e8-bc93-6894a57f9324"`.
 */
export function idempotencyKeyHeaderValue(key: string): string {
  return `"${key.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/** The key in an Idempotency-Key header: the quoted sf-string of the draft, or a bare value as many APIs accept. */
export function parseIdempotencyKeyHeader(value: string | undefined | null): string | undefined {
  const v = value?.trim();
  if (!v) return undefined;
  if (v.length >= 2 && v.startsWith('"') && v.endsWith('"')) return v.slice(1, -1).replace(/\\([\\"])/g, "$1") || undefined;
  return v;
}

// ---------------------------------------------------------------- the wrapper

/** What withDefences takes from its surroundings; tests replace them. */
export interface DefenceDeps {
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  newKey?: () => string;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * A LabClient that applies the options' deadline, retry policy, budget and
 * idempotency keys around a mode's single attempts.
 *
 * - Deadline: one deadline for the whole call, retries and backoffs
 *   included (as gRPC A6); each attempt gets what is left. A retry whose
 *   backoff would end past the deadline is not made.
 * - Retries: only on isRetryableStatus outcomes, at most maxAttempts in all,
 *   each after backoffMs and only while the budget allows. Every method is
 *   retried, CreateUser and CreateOrder too: without idempotency keys a
 *   retry after a lost answer creates the user or order twice — the lesson.
 * - Each attempt is its own span; attempts after the first carry their
 *   number and the first attempt's span (x-lab-attempt, x-lab-retry-of).
 * - ListUsers (a server stream) resumes on a retry: users arrive in id
 *   order, so a retried stream skips the ids already delivered.
 * - Fallback (`opts.fallback`, seed 1's 降级策略): when the call still
 *   failed with a transient status, one more attempt over the fallback
 *   client (another mode, another path to the service), numbered after the
 *   others and naming the first attempt as the one it retries; it spends no
 *   retry budget, and is not made once the deadline has passed.
 */
export function withDefences(
  inner: ModeClient,
  opts: Pick<LabClientOptions, "timeoutMs" | "retry" | "idempotencyKeys"> & { fallback?: ModeClient },
  deps: DefenceDeps = {},
): LabClient {
  const policy = normaliseRetryPolicy(opts.retry);
  const budget = new RetryBudget(policy.budgetPercent, policy.budgetMinRetries);
  const random = deps.random ?? Math.random;
  const sleep = deps.sleep ?? realSleep;
  const now = deps.now ?? nowUnixMs;
  const newKey = deps.newKey ?? newIdempotencyKey;

  const fallback = opts.fallback;

  async function run<T>(
    attempt: (call: CallOptions) => Promise<CallResult<T>>,
    o: { creates?: boolean; mayRetry?: () => boolean; fallback?: (call: CallOptions) => Promise<CallResult<T>> } = {},
  ): Promise<CallResult<T>> {
    const start = now();
    const deadlineUnixMs = callDeadline(opts.timeoutMs, start);
    const idempotencyKey = o.creates && opts.idempotencyKeys ? newKey() : undefined;
    budget.recordFirstAttempt();
    const results: CallResult<T>[] = [];
    let stoppedBy: CallResult<T>["retryStoppedBy"];
    for (let n = 1; ; n++) {
      const call: CallOptions = { attempt: n, deadlineUnixMs };
      if (n > 1) call.retryOfSpanId = results[0].spanId;
      if (idempotencyKey) call.idempotencyKey = idempotencyKey;
      const r = await attempt(call);
      results.push(r);
      if (r.ok || n >= policy.maxAttempts || !isRetryableStatus(r.status) || o.mayRetry?.() === false) break;
      const wait = backoffMs(policy, n, random);
      // Within DEADLINE_SLACK_MS of the deadline counts as past it: an
      // attempt that ran out of time may end a ms or two before the
      // deadline by this clock, and a retry then would only time out at once.
      if (deadlineUnixMs !== undefined && now() + wait >= deadlineUnixMs - DEADLINE_SLACK_MS) {
        stoppedBy = "deadline";
        break;
      }
      if (!budget.tryRetry()) {
        stoppedBy = "budget";
        break;
      }
      await sleep(wait);
    }
    let fellBack = false;
    const failed = results[results.length - 1];
    if (o.fallback && !failed.ok && isRetryableStatus(failed.status) && (deadlineUnixMs === undefined || now() < deadlineUnixMs - DEADLINE_SLACK_MS)) {
      const call: CallOptions = { attempt: results.length + 1, retryOfSpanId: results[0].spanId, deadlineUnixMs };
      if (idempotencyKey) call.idempotencyKey = idempotencyKey;
      results.push(await o.fallback(call));
      fellBack = true;
    }
    const last = results[results.length - 1];
    const result: CallResult<T> = {
      ...last,
      latencyMs: results.length === 1 ? last.latencyMs : now() - start,
      requestBytes: results.reduce((s, r) => s + r.requestBytes, 0),
      responseBytes: results.reduce((s, r) => s + r.responseBytes, 0),
      spanId: results[0].spanId,
      spanIds: results.map((r) => r.spanId),
      attempts: results.length,
      retried: results.length > 1,
    };
    if (stoppedBy) result.retryStoppedBy = stoppedBy;
    else delete result.retryStoppedBy;
    if (fellBack && fallback) result.fellBackTo = fallback.mode;
    else delete result.fellBackTo;
    return result;
  }

  return {
    mode: inner.mode,
    getUser: (id) => run<User>((call) => inner.getUser(id, call), { fallback: fallback && ((call) => fallback.getUser(id, call)) }),
    createUser: (name, email) => run<User>((call) => inner.createUser(name, email, call), { creates: true, fallback: fallback && ((call) => fallback.createUser(name, email, call)) }),
    listUsers(o = {}) {
      // A retried stream resumes: ListUsers streams users in id order, so a
      // retry skips every id already handed over, and the caller sees each
      // user once however often the stream was cut.
      const delivered: User[] = [];
      let lastId: bigint | undefined;
      const resumed = {
        ...o,
        onUser: (u: User) => {
          if (lastId !== undefined && u.id <= lastId) return;
          lastId = u.id;
          delivered.push(u);
          o.onUser?.(u);
        },
      };
      return run<User[]>((call) => inner.listUsers(resumed, call), { fallback: fallback && ((call) => fallback.listUsers(resumed, call)) }).then((r) => (r.ok ? { ...r, value: delivered } : r));
    },
    createOrder: (input) => run<Order>((call) => inner.createOrder(input, call), { creates: true, fallback: fallback && ((call) => fallback.createOrder(input, call)) }),
    close: async () => {
      await Promise.all([inner.close(), fallback?.close()]);
    },
    echo: (request) => run<EchoResponse>((call) => inner.echo(request, call), { fallback: fallback && ((call) => fallback.echo(request, call)) }),
  };
}

/**
 * The client options of a session's Defences (lab.v1.Defences): the
 * deadline (0 = none), the retry policy (absent = no retries) and
 * idempotency keys. proto3 cannot tell 0 from unset, so a 0 where it has
 * no meaning — maxAttempts, maxBackoffMs, multiplier — takes the default;
 * initialBackoffMs 0 (retry at once), jitter 0 and budgetPercent 0 (no
 * budget) are taken as they are.
 */
export function clientOptionsFromDefences(d: Defences): Required<Pick<LabClientOptions, "timeoutMs" | "retry" | "idempotencyKeys">> {
  const retry: Partial<RetryOptions> = { maxAttempts: 1 };
  if (d.retry) {
    const r = d.retry;
    retry.maxAttempts = r.maxAttempts || 1;
    retry.initialBackoffMs = r.initialBackoffMs;
    if (r.maxBackoffMs > 0) retry.maxBackoffMs = r.maxBackoffMs;
    if (r.multiplier > 0) retry.multiplier = r.multiplier;
    retry.jitter = r.jitter;
    retry.budgetPercent = r.budgetPercent;
  }
  return { timeoutMs: d.timeoutMs > 0 ? d.timeoutMs : 0, retry, idempotencyKeys: d.idempotencyKeys };
}
