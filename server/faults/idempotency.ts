/** Longest Idempotency-Key accepted, in characters. */
export const IDEMPOTENCY_KEY_MAX = 128;
/** Keys one session keeps at most; the oldest go first. */
const MAX_KEYS = 10_000;

interface Entry {
  /** The first call's answer, shared by every repeat of the key (a repeat during the call waits for it). */
  answer: Promise<unknown>;
  expires: number;
  /** Method the key was first used with; a key reused for another method is refused. */
  method: string;
}

/**
 * A session's de-duplication store for Idempotency-Key
 * (draft-ietf-httpapi-idempotency-key-header §2): the first request with a
 * key runs; a repeat within the TTL gets the first one's answer without
 * running again.
 */
export class IdempotencyStore {
  private readonly entries = new Map<string, Entry>();

  /**
   * Runs `call` once per key; returns its answer and whether it was a
   * replay. A failed first call is forgotten, so a retry runs again.
   */
  async run<T>(key: string, method: string, ttlMs: number, call: () => Promise<T>): Promise<{ value: T; replay: boolean }> {
    const now = Date.now();
    const found = this.entries.get(key);
    if (found && found.expires > now) {
      if (found.method !== method) throw new KeyReusedError(key, found.method);
      return { value: (await found.answer) as T, replay: true };
    }
    if (this.entries.size >= MAX_KEYS) this.entries.delete(this.entries.keys().next().value!);
    const answer = call();
    this.entries.set(key, { answer, expires: now + ttlMs, method });
    try {
      return { value: await answer, replay: false };
    } catch (err) {
      this.entries.delete(key);
      throw err;
    }
  }

  clear(): void {
    this.entries.clear();
  }
}

export class KeyReusedError extends Error {
  constructor(key: string, method: string) {
    super(`Idempotency-Key ${JSON.stringify(key.slice(0, 40))} was already used for ${method}; use a new key per operation`);
  }
}
