import type { Mode, TraceEvent } from "../gen/lab/v1/trace_pb";
import type { ModeName } from "../client/types";
import type { CheckResult, L10n, QuizDefinition } from "./types";
import { UI } from "./ui-text";
import { clientCalls, isSuccess, modeOf, type ClientCallView } from "./trace-query";

/**
 * Numbers a goal check (or a widget) reads from the trace when one call is
 * not enough: the spread of many latencies, the calls as the caller made
 * them (one logical call with all its attempts: retries, a fallback), how
 * many were in flight at once, and a quiz score. Pure functions, like
 * trace-query.
 */

// ---------------------------------------------------------------- latency

/**
 * The p-th percentile of `values` by the nearest-rank method: the smallest
 * value with at least p % of the values at or below it (p in 0–100). Over
 * 50 values p99 is the largest one, and p50 the 25th smallest. NaN when
 * there are no values.
 */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((Math.min(100, Math.max(0, p)) / 100) * sorted.length);
  return sorted[Math.max(0, rank - 1)];
}

export interface LatencySummary {
  count: number;
  min: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

/** count, min, p50, p90, p99, max and mean of latencies in ms; undefined for none. */
export function latencySummary(values: readonly number[]): LatencySummary | undefined {
  if (values.length === 0) return undefined;
  return {
    count: values.length,
    min: Math.min(...values),
    p50: percentile(values, 50),
    p90: percentile(values, 90),
    p99: percentile(values, 99),
    max: Math.max(...values),
    mean: values.reduce((s, v) => s + v, 0) / values.length,
  };
}

/** A latency in ms as a lesson prints it: "0.84", "12.3", "1,240". */
export function ms(v: number): string {
  if (!Number.isFinite(v)) return "–";
  if (v < 10) return v.toFixed(2);
  if (v < 100) return v.toFixed(1);
  return Math.round(v).toLocaleString("en");
}

// ---------------------------------------------------------------- logical calls

/** One call as the caller made it: its first attempt and every retry or fallback after it. */
export interface LogicalCall {
  /** The first attempt's span (what later attempts name as retry_of_span_id). */
  spanId: string;
  /** The call ("GetUser"), from the first attempt. */
  call: string | undefined;
  /** Every attempt, in the order sent. */
  attempts: ClientCallView[];
  /** The outcome: the last attempt's status; undefined while it is in flight. */
  status: string | undefined;
  ok: boolean;
  /** Client clock when the caller made the call (its first answer's latency counts from there) and of the last answer, in ms. */
  startMs: number;
  endMs: number;
  /** From the call to the last answer: connecting, every attempt and the backoffs included. */
  durationMs: number;
}

export interface LogicalCallFilter {
  /** The mode of the first attempt. */
  mode?: ModeName;
  call?: string;
  /** Only calls whose last attempt was answered (default true). */
  answered?: boolean;
}

/**
 * This page's calls grouped by the first attempt (attempts after the first
 * carry retry_of_span_id), in the order they started. A retry over another
 * mode (a fallback) stays in its call.
 *
 * @example logicalCalls(ctx.events, { mode: "connect", call: "GetUser" }).filter((c) => c.attempts.length > 1 && c.ok)
 */
export function logicalCalls(events: readonly TraceEvent[], filter: LogicalCallFilter = {}): LogicalCall[] {
  const byRoot = new Map<string, ClientCallView[]>();
  for (const c of clientCalls(events, { answered: false })) {
    const root = c.sent.retryOfSpanId || c.spanId;
    const list = byRoot.get(root);
    if (list) list.push(c);
    else byRoot.set(root, [c]);
  }
  const out: LogicalCall[] = [];
  for (const [spanId, attempts] of byRoot) {
    attempts.sort((a, b) => a.attempt - b.attempt || a.sent.timeUnixMs - b.sent.timeUnixMs);
    const first = attempts[0];
    const last = attempts[attempts.length - 1];
    if ((filter.answered ?? true) && last.received === undefined) continue;
    if (filter.mode !== undefined && first.mode !== modeOf(filter.mode)) continue;
    if (filter.call !== undefined && first.call !== filter.call) continue;
    // The call began when the caller made it: the first answer's client
    // latency counts from there, and it includes what came before the
    // request could leave (an MQTT client's CONNECT and SUBSCRIBE).
    const startMs = first.received && first.received.durationMs > 0 ? Math.min(first.sent.timeUnixMs, first.received.timeUnixMs - first.received.durationMs) : first.sent.timeUnixMs;
    const endMs = last.received?.timeUnixMs ?? startMs;
    out.push({
      spanId,
      call: first.call,
      attempts,
      status: last.status,
      ok: last.status !== undefined && isSuccess(last.status),
      startMs,
      endMs,
      durationMs: endMs - startMs,
    });
  }
  return out.sort((a, b) => a.startMs - b.startMs);
}

/** The modes of a call's attempts in order, e.g. [Mode.CONNECT, Mode.REST] for a fallback. */
export function attemptModes(c: LogicalCall): Mode[] {
  return c.attempts.map((a) => a.mode);
}

/** Where an attempt went (the server's participant: "UserService#2", "Gateway"). */
export function attemptTarget(a: ClientCallView): string {
  return a.sent.to;
}

/**
 * For each call, how many OTHER calls of the list were in flight when it
 * started (0 = it went alone).
 */
export function othersInFlightAtStart(calls: readonly LogicalCall[]): number[] {
  return calls.map((c) => calls.filter((o) => o !== c && o.startMs <= c.startMs && o.endMs > c.startMs).length);
}

/** For each call, how many OTHER calls of the list overlapped it in time (were in flight at some moment of it). */
export function othersOverlapping(calls: readonly LogicalCall[]): number[] {
  return calls.map((c) => calls.filter((o) => o !== c && o.startMs < c.endMs && o.endMs > c.startMs).length);
}

/**
 * The waits between a call's attempts: from one attempt's answer to the
 * next attempt's send, in ms (the backoff, plus whatever the page was busy
 * with meanwhile). One entry per retry.
 */
export function retryWaits(c: LogicalCall): number[] {
  const waits: number[] = [];
  for (let i = 1; i < c.attempts.length; i++) {
    const before = c.attempts[i - 1].received;
    if (before) waits.push(c.attempts[i].sent.timeUnixMs - before.timeUnixMs);
  }
  return waits;
}

// ---------------------------------------------------------------- quiz

export interface QuizScore {
  /** Questions answered with the right option. */
  right: number;
  answered: number;
  total: number;
}

/** How many of the quizzes `ids` are answered, and answered right. */
export function quizScore(answers: Readonly<Record<string, string>>, quizzes: Readonly<Record<string, QuizDefinition>>, ids: readonly string[]): QuizScore {
  let right = 0;
  let answered = 0;
  for (const id of ids) {
    const a = answers[id];
    if (a === undefined) continue;
    answered++;
    if (a === quizzes[id]?.answer) right++;
  }
  return { right, answered, total: ids.length };
}

/** "3 of 5 right" / "答对 3/5". */
export function scoreLabel(s: QuizScore): L10n {
  return { en: `${s.right} of ${s.total} right`, "zh-CN": `答对 ${s.right}/${s.total}` };
}

/** Fills `{name}` placeholders of a text in both languages. */
function fill(text: L10n, vars: Readonly<Record<string, string | number>>): L10n {
  const f = (t: string) => t.replace(/\{(\w+)\}/g, (whole, k: string) => (k in vars ? String(vars[k]) : whole));
  return { en: f(text.en), "zh-CN": f(text["zh-CN"]) };
}

/**
 * The check of a graded quiz step (`<Quiz graded>`): it passes when at
 * least `passMark` of the quizzes `ids` are answered right. The checklist
 * ticks each question answered right (`titles` names them) and gives the
 * score; once every question is answered below the mark, it says how to
 * retake.
 */
export function gradedQuiz(
  answers: Readonly<Record<string, string>>,
  quizzes: Readonly<Record<string, QuizDefinition>>,
  titles: Readonly<Record<string, L10n>>,
  passMark: number,
): CheckResult {
  const ids = Object.keys(titles);
  const score = quizScore(answers, quizzes, ids);
  const pass = score.right >= passMark;
  const scoreText = fill(UI.quizScore, { right: score.right, total: score.total, mark: passMark });
  const retake = !pass && score.answered === score.total;
  const last: L10n = retake ? { en: `${scoreText.en}. ${UI.quizRetake.en}`, "zh-CN": `${scoreText["zh-CN"]}。${UI.quizRetake["zh-CN"]}` } : scoreText;
  return {
    pass,
    items: [...ids.map((id) => ({ label: titles[id], done: answers[id] !== undefined && answers[id] === quizzes[id]?.answer })), { label: last, done: pass }],
  };
}
