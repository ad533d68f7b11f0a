import { Code, ConnectError } from "@connectrpc/connect";
import type { RateLimit } from "../../lib/classroom/contract";

/** A refusal by a rate limit: what to tell the caller and when to come back. */
export interface RateRefusal {
  /** "rate limit: 100 calls per second per student, 200 at once (STUDENT_CALLS_PER_SECOND); try again in 0.2 s" */
  message: string;
  retryAfterMs: number;
  /** The limit's rate per second. */
  limit: number;
}

interface Bucket {
  tokens: number;
  atMs: number;
}

/** "100 calls per second", "6 load runs per minute". */
function rateText(perSecond: number, unit: string): string {
  return perSecond >= 1 ? `${+perSecond.toFixed(2)} ${unit} per second` : `${+(perSecond * 60).toFixed(2)} ${unit} per minute`;
}

/** How a limit is named in its refusals. */
export interface LimitName {
  /** "calls" */
  unit: string;
  /** "per student" */
  scope: string;
  /** Where it is set: "STUDENT_CALLS_PER_SECOND", "CLASS_RATE_LIMITS.runs". */
  name: string;
}

/**
 * Token buckets, one per key (a student's session, or one for the whole
 * lab): `burst` may come at once, then `perSecond` on average. Idle
 * buckets are forgotten, so the map stays as small as the active keys.
 */
export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();
  private lastSweepMs = 0;

  constructor(
    private readonly limit: RateLimit,
    private readonly what: LimitName,
    private readonly now: () => number = Date.now,
  ) {}

  /** Takes `n` tokens for `key`; a refusal when there are not enough (nothing is taken then). */
  take(key: string, n = 1): RateRefusal | undefined {
    const now = this.now();
    if (now - this.lastSweepMs > 60_000) this.sweep(now);
    const { perSecond, burst } = this.limit;
    let b = this.buckets.get(key);
    if (!b) this.buckets.set(key, (b = { tokens: burst, atMs: now }));
    b.tokens = Math.min(burst, b.tokens + ((now - b.atMs) / 1000) * perSecond);
    b.atMs = now;
    if (b.tokens >= n) {
      b.tokens -= n;
      return undefined;
    }
    const retryAfterMs = Math.ceil(((Math.min(n, burst) - b.tokens) / perSecond) * 1000);
    return {
      message: `rate limit: ${rateText(perSecond, this.what.unit)} ${this.what.scope}, ${burst} at once (${this.what.name}); try again in ${(retryAfterMs / 1000).toFixed(1)} s`,
      retryAfterMs,
      limit: perSecond,
    };
  }

  private sweep(now: number): void {
    this.lastSweepMs = now;
    const full = (this.limit.burst / this.limit.perSecond) * 1000;
    for (const [k, b] of this.buckets) if (now - b.atMs > full) this.buckets.delete(k);
  }
}

/** A refusal as the Connect error the RPC modes answer with (HTTP 429 in Connect, grpc-status 8), with Retry-After in its metadata; `also` is added to the message. */
export function refusalError(r: RateRefusal, also?: string): ConnectError {
  return new ConnectError(also ? `${r.message}; ${also}` : r.message, Code.ResourceExhausted, { "retry-after": retryAfterHeader(r) });
}

/** A refusal's Retry-After: whole seconds, at least 1 (RFC 9110 §10.2.3 has no fractions). */
export function retryAfterHeader(r: RateRefusal): string {
  return String(Math.max(1, Math.ceil(r.retryAfterMs / 1000)));
}
