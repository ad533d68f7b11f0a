import { PROGRESS_LIMITS, progressReportSchema, type ProgressReport } from "./contract";

/**
 * Reports a lesson step's goal check to the classroom, for lesson code:
 *
 * @example
 * import { reportProgress } from "@/lib/classroom/report-progress";
 * // in a step's goal check, when it has run:
 * void reportProgress({ lesson: "06-timeouts-and-deadlines", step: 2, passed: true });
 *
 * Outside a class it does nothing harmful: the server answers "not in a
 * room" and the report is dropped. In a class, a report is kept (in
 * localStorage) until the server has acknowledged it — the server
 * acknowledges only once it is on disk — so a lost connection, a restart of
 * the lab or a reload of the page loses nothing; it is sent again with
 * backoff, and the server treats a repeat of the same report as one.
 */

/** Where reports go: POST, JSON `{reports: [...]}` (see docs in README "Classroom"). */
export const PROGRESS_PATH = "/rest/class/progress";
/** localStorage key of reports not yet acknowledged. */
export const PENDING_KEY = "wirelab.classroom.pending";
/** Reports kept while the server cannot be reached; past this the oldest go. */
export const PENDING_MAX = 1_000;
const RETRY_INITIAL_MS = 1_000;
const RETRY_MAX_MS = 30_000;

export type ReportOutcome =
  /** On the server's disk. */
  | { status: "saved" }
  /** Kept here and sent again later (offline, lab restarting, rate limit). */
  | { status: "queued"; reason: string }
  /** This browser has not joined a room (or its room was closed): nothing to report. */
  | { status: "not-in-class"; reason: string }
  /** The report itself is wrong (a bug in the lesson): dropped. */
  | { status: "refused"; reason: string };

export interface ProgressInput {
  lesson: string;
  /** The step's 0-based index in the lesson, or its id. */
  step: number | string;
  passed: boolean;
  /** When the check ran; now by default. */
  atUnixMs?: number;
}

type KeyValueStore = Pick<Storage, "getItem" | "setItem">;

export interface ProgressReporterOptions {
  /** The lab's origin; "" (the default) for the page's own. */
  baseUrl?: string;
  fetch?: typeof fetch;
  /** Where pending reports survive a reload; localStorage in a browser, none elsewhere. */
  storage?: KeyValueStore | null;
  /** Extra headers (a Node caller passes `x-lab-session`). */
  headers?: Record<string, string>;
}

export interface ProgressReporter {
  report(input: ProgressInput): Promise<ReportOutcome>;
  /** Sends what is pending now. */
  flush(): Promise<ReportOutcome>;
  /** Reports not acknowledged yet. */
  pending(): number;
  /** Stops retrying (pending reports stay in storage for the next page). */
  close(): void;
}

function defaultStorage(): KeyValueStore | null {
  try {
    return typeof localStorage === "undefined" ? null : localStorage;
  } catch {
    return null;
  }
}

function sameReport(a: ProgressReport, b: ProgressReport): boolean {
  return a.lesson === b.lesson && a.step === b.step && a.passed === b.passed && a.atUnixMs === b.atUnixMs;
}

export function createProgressReporter(opts: ProgressReporterOptions = {}): ProgressReporter {
  const doFetch = opts.fetch ?? ((...a: Parameters<typeof fetch>) => fetch(...a));
  const storage = opts.storage === undefined ? defaultStorage() : opts.storage;
  let queue: ProgressReport[] = load();
  let inFlight: Promise<ReportOutcome> | undefined;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let retryMs = RETRY_INITIAL_MS;
  let closed = false;

  function load(): ProgressReport[] {
    try {
      const raw = storage?.getItem(PENDING_KEY);
      const parsed: unknown = raw ? JSON.parse(raw) : [];
      return Array.isArray(parsed) ? parsed.filter((r) => progressReportSchema.safeParse(r).success) : [];
    } catch {
      return [];
    }
  }

  function save(): void {
    try {
      storage?.setItem(PENDING_KEY, JSON.stringify(queue));
    } catch {
      // A full or blocked storage only costs the reload case.
    }
  }

  function scheduleRetry(afterMs: number): void {
    if (closed || retryTimer) return;
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      void flush();
    }, afterMs);
    retryMs = Math.min(RETRY_MAX_MS, retryMs * 2);
  }

  async function send(): Promise<ReportOutcome> {
    while (queue.length > 0) {
      const batch = queue.slice(0, PROGRESS_LIMITS.batchMax);
      let res: Response;
      try {
        res = await doFetch(`${opts.baseUrl ?? ""}${PROGRESS_PATH}`, {
          method: "POST",
          headers: { "content-type": "application/json", ...opts.headers },
          body: JSON.stringify({ reports: batch }),
          credentials: "same-origin",
        });
      } catch (err) {
        scheduleRetry(retryMs);
        return { status: "queued", reason: `the lab cannot be reached (${(err as Error).message}); will retry` };
      }
      const body = (await res.json().catch(() => ({}))) as { error?: { code?: string; message?: string } };
      const reason = body.error?.message ?? `HTTP ${res.status}`;
      if (res.ok || res.status === 409 || res.status === 400 || res.status === 404) {
        // Acknowledged, or never going to be: either way these leave the queue.
        queue = queue.filter((r) => !batch.some((b) => sameReport(r, b)));
        save();
        retryMs = RETRY_INITIAL_MS;
        if (res.status === 409 || res.status === 404) return { status: "not-in-class", reason };
        if (res.status === 400) return { status: "refused", reason };
        continue;
      }
      // 429, 5xx, a proxy's 502 while the lab restarts: keep and retry.
      const retryAfter = Number(res.headers.get("retry-after"));
      scheduleRetry(Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : retryMs);
      return { status: "queued", reason };
    }
    return { status: "saved" };
  }

  function flush(): Promise<ReportOutcome> {
    if (closed) return Promise.resolve({ status: "queued", reason: "reporter closed" });
    // One request at a time; a report made meanwhile goes with the next.
    inFlight ??= send().finally(() => (inFlight = undefined));
    return inFlight;
  }

  if (queue.length > 0) scheduleRetry(0);
  const onOnline = () => void flush();
  if (typeof window !== "undefined") window.addEventListener("online", onOnline);

  return {
    async report(input) {
      const parsed = progressReportSchema.safeParse({ ...input, atUnixMs: input.atUnixMs ?? Date.now() });
      if (!parsed.success) return { status: "refused", reason: parsed.error.issues[0]?.message ?? "invalid report" };
      const r = parsed.data;
      if (!queue.some((q) => sameReport(q, r))) queue.push(r);
      if (queue.length > PENDING_MAX) queue = queue.slice(queue.length - PENDING_MAX);
      save();
      // A request already in flight does not carry this report: wait for it, then send.
      if (inFlight) await inFlight;
      const outcome = await flush();
      if (outcome.status === "saved" && queue.some((q) => sameReport(q, r))) return flush();
      return outcome;
    },
    flush,
    pending: () => queue.length,
    close() {
      closed = true;
      clearTimeout(retryTimer);
      if (typeof window !== "undefined") window.removeEventListener("online", onOnline);
    },
  };
}

let shared: ProgressReporter | undefined;

/** Reports one check with the page's shared reporter (same origin, localStorage). */
export function reportProgress(input: ProgressInput): Promise<ReportOutcome> {
  shared ??= createProgressReporter();
  return shared.report(input);
}
