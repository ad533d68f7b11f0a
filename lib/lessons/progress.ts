import { z } from "zod";

/**
 * A learner's progress: which steps of which lessons passed, kept per
 * browser in localStorage, exported and imported as a JSON file.
 *
 * For the classroom (and anything else that wants to follow along):
 *
 *   import { onProgress } from "@/lib/lessons/progress";
 *   const stop = onProgress(({ lesson, step, passed }) => report(lesson, step, passed));
 *
 * The same event is dispatched on `window` as "wirelab:progress"
 * (CustomEvent, detail = ProgressEvent) for code outside React.
 */

export const PROGRESS_FORMAT = "wirelab-progress";
export const PROGRESS_VERSION = 1;
/** The localStorage key; the version is in it so a future format can migrate. */
export const PROGRESS_STORAGE_KEY = "wirelab.progress.v1";
/** The window event every progress change is announced with. */
export const PROGRESS_EVENT = "wirelab:progress";

export interface StepProgress {
  /** ISO time the step's check first passed. */
  passedAt: string;
}

export interface Progress {
  format: typeof PROGRESS_FORMAT;
  version: typeof PROGRESS_VERSION;
  /** lesson slug → step id → progress. */
  lessons: Record<string, { steps: Record<string, StepProgress> }>;
}

/** One change, as onProgress and the window event report it. */
export interface ProgressEvent {
  /** The lesson's slug ("three-ways-to-talk"). */
  lesson: string;
  step: string;
  /** true when the step passed; false when its progress was cleared. */
  passed: boolean;
  at: string;
}

const progressSchema = z.object({
  format: z.literal(PROGRESS_FORMAT),
  version: z.literal(PROGRESS_VERSION),
  lessons: z.record(
    z.string().regex(/^[a-z0-9-]{1,80}$/),
    z.object({ steps: z.record(z.string().regex(/^[a-z0-9-]{1,80}$/), z.object({ passedAt: z.string().max(40) })) }),
  ),
});

export function emptyProgress(): Progress {
  return { format: PROGRESS_FORMAT, version: PROGRESS_VERSION, lessons: {} };
}

export function isStepPassed(p: Progress, lesson: string, step: string): boolean {
  return p.lessons[lesson]?.steps[step] !== undefined;
}

/** How many of `stepIds` passed. */
export function passedCount(p: Progress, lesson: string, stepIds: readonly string[]): number {
  return stepIds.filter((s) => isStepPassed(p, lesson, s)).length;
}

/** `p` with the step marked passed (unchanged when it already was: the first pass counts). */
export function withStepPassed(p: Progress, lesson: string, step: string, at: string): Progress {
  if (isStepPassed(p, lesson, step)) return p;
  const steps = { ...(p.lessons[lesson]?.steps ?? {}), [step]: { passedAt: at } };
  return { ...p, lessons: { ...p.lessons, [lesson]: { steps } } };
}

/** `p` without any progress in `lesson`. */
export function withLessonCleared(p: Progress, lesson: string): Progress {
  const { [lesson]: _gone, ...rest } = p.lessons;
  return { ...p, lessons: rest };
}

/** Both progresses together: a step passed in either is passed, at the earlier time. */
export function mergeProgress(a: Progress, b: Progress): Progress {
  const out: Progress = { ...a, lessons: { ...a.lessons } };
  for (const [lesson, { steps }] of Object.entries(b.lessons)) {
    const merged = { ...(out.lessons[lesson]?.steps ?? {}) };
    for (const [step, sp] of Object.entries(steps)) {
      const had = merged[step];
      merged[step] = had && had.passedAt <= sp.passedAt ? had : sp;
    }
    out.lessons[lesson] = { steps: merged };
  }
  return out;
}

/** Steps passed in all lessons. */
export function totalPassed(p: Progress): number {
  return Object.values(p.lessons).reduce((n, l) => n + Object.keys(l.steps).length, 0);
}

/** The file a learner downloads. */
export function serializeProgress(p: Progress): string {
  return JSON.stringify({ ...p, exportedAt: new Date().toISOString() }, null, 2) + "\n";
}

/**
 * A progress file read back; throws an Error whose message says what is
 * wrong with it (not JSON, not a Wirelab progress file, a bad field).
 */
export function parseProgress(text: string): Progress {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error("the file is not JSON");
  }
  const r = progressSchema.safeParse(json);
  if (!r.success) {
    const issue = r.error.issues[0];
    const where = issue.path.join(".") || "file";
    throw new Error(issue.path[0] === "format" ? "this is not a Wirelab progress file" : `${where}: ${issue.message}`);
  }
  return { format: PROGRESS_FORMAT, version: PROGRESS_VERSION, lessons: r.data.lessons };
}

// ---------------------------------------------------------------------------
// The browser's store.
// ---------------------------------------------------------------------------

type Listener = () => void;
const listeners = new Set<Listener>();
const progressListeners = new Set<(e: ProgressEvent) => void>();
let cached: Progress | undefined;
const EMPTY = emptyProgress();

function storage(): Storage | undefined {
  try {
    return typeof window === "undefined" ? undefined : window.localStorage;
  } catch {
    return undefined;
  }
}

function load(): Progress {
  const raw = storage()?.getItem(PROGRESS_STORAGE_KEY);
  if (!raw) return emptyProgress();
  try {
    return parseProgress(raw);
  } catch {
    return emptyProgress();
  }
}

function save(next: Progress, events: ProgressEvent[]): void {
  cached = next;
  try {
    storage()?.setItem(PROGRESS_STORAGE_KEY, JSON.stringify(next));
  } catch {
    // Storage full or denied: progress lives for this page only.
  }
  for (const l of listeners) l();
  for (const e of events) {
    for (const l of progressListeners) l(e);
    if (typeof window !== "undefined") window.dispatchEvent(new CustomEvent<ProgressEvent>(PROGRESS_EVENT, { detail: e }));
  }
}

if (typeof window !== "undefined") {
  // Another tab changed it.
  window.addEventListener("storage", (e) => {
    if (e.key !== PROGRESS_STORAGE_KEY) return;
    cached = load();
    for (const l of listeners) l();
  });
}

/**
 * The progress of this browser, as an external store for
 * useSyncExternalStore (getServerSnapshot: nothing passed yet).
 */
export const progressStore = {
  subscribe(listener: Listener): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
  getSnapshot(): Progress {
    cached ??= load();
    return cached;
  },
  getServerSnapshot(): Progress {
    return EMPTY;
  },
  markPassed(lesson: string, step: string): void {
    const now = progressStore.getSnapshot();
    if (isStepPassed(now, lesson, step)) return;
    const at = new Date().toISOString();
    save(withStepPassed(now, lesson, step, at), [{ lesson, step, passed: true, at }]);
  },
  clearLesson(lesson: string): void {
    const now = progressStore.getSnapshot();
    const at = new Date().toISOString();
    const events = Object.keys(now.lessons[lesson]?.steps ?? {}).map((step) => ({ lesson, step, passed: false, at }));
    save(withLessonCleared(now, lesson), events);
  },
  /** Merges an imported file in; reports every step it newly passed. */
  importProgress(imported: Progress): Progress {
    const now = progressStore.getSnapshot();
    const merged = mergeProgress(now, imported);
    const events: ProgressEvent[] = [];
    for (const [lesson, { steps }] of Object.entries(merged.lessons)) {
      for (const [step, sp] of Object.entries(steps)) if (!isStepPassed(now, lesson, step)) events.push({ lesson, step, passed: true, at: sp.passedAt });
    }
    save(merged, events);
    return merged;
  },
};

/**
 * Calls `listener` whenever a step passes or its progress is cleared, in
 * this browser. Returns the function that stops it.
 */
export function onProgress(listener: (e: ProgressEvent) => void): () => void {
  progressListeners.add(listener);
  return () => progressListeners.delete(listener);
}
