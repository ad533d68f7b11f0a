/**
 * Holding refused calls (issue #7): a closed-loop tool (autocannon, a
 * script's `while true`) refused with 429 at once just sends again, and
 * the lab spends a core refusing it tens of thousands of times a second.
 * A refusal is therefore answered with 429 and `Retry-After` (RFC 6585 §4,
 * RFC 9110 §10.2.3) only when the student's window opens again, which holds
 * that connection's next request until then (HTTP/1.1 sends the next
 * request on a connection only after this answer, RFC 9112 §9.3): the
 * abuser's rate collapses to what its limit allows, and a held call costs
 * a timer, not CPU.
 *
 * Each student's held refusals are released one limit-interval apart
 * (1/rate), so K connections held at once come back spread over K
 * intervals, when the bucket has a token for each, instead of all together
 * to be refused again. Holds are bounded per student and across the lab
 * (each named in the refusal); past either bound a refusal is answered at
 * once and its connection closed (`Connection: close`, RFC 9112 §9.6).
 */

/** How held refusals are bounded. */
export interface HoldLimits {
  /** Refusals held at once across the lab (HELD_REFUSALS_MAX). */
  max: number;
  /** Refusals of one student held at once (HELD_REFUSALS_PER_STUDENT). */
  perStudent: number;
  /** The longest one refusal is held, in ms. */
  longestMs: number;
}

/** A held refusal: answer it after `delayMs`, then `release()` (or release it when its caller went away). */
export interface Hold {
  delayMs: number;
  release(): void;
}

interface KeyState {
  held: number;
  /** The earliest time the next hold of this key may be released (ms, on `now`'s clock). */
  nextAt: number;
}

/**
 * Held refusals per key (a student). `reserve` returns a hold, or a reason
 * why none is left (then: answer at once, and close the connection).
 */
export class RefusalHolds {
  private total = 0;
  private readonly keys = new Map<string, KeyState>();

  constructor(
    private readonly limits: HoldLimits,
    private readonly now: () => number = Date.now,
  ) {}

  /** Refusals held now, across the lab. */
  get held(): number {
    return this.total;
  }

  /**
   * Reserves a hold for a refusal of `key`, whose limit lets `perSecond`
   * calls through and has a token again in `retryAfterMs`.
   */
  reserve(key: string, retryAfterMs: number, perSecond: number): Hold | { refused: string } {
    const now = this.now();
    let k = this.keys.get(key);
    if (this.total >= this.limits.max) {
      return { refused: `${this.total} refused calls are held across the lab already (HELD_REFUSALS_MAX = ${this.limits.max}); this connection is closed` };
    }
    if (k && k.held >= this.limits.perStudent) {
      return { refused: `${k.held} of this student's refused calls are held already (HELD_REFUSALS_PER_STUDENT = ${this.limits.perStudent}); this connection is closed` };
    }
    if (!k) this.keys.set(key, (k = { held: 0, nextAt: 0 }));
    const at = Math.max(now + retryAfterMs, k.nextAt);
    const delayMs = Math.min(this.limits.longestMs, at - now);
    k.nextAt = now + delayMs + 1000 / perSecond;
    k.held++;
    this.total++;
    const state = k;
    let released = false;
    return {
      delayMs,
      release: () => {
        if (released) return;
        released = true;
        this.total--;
        state.held--;
        if (state.held === 0 && this.keys.get(key) === state) this.keys.delete(key);
      },
    };
  }
}
