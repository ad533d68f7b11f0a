"use client";

import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState, useSyncExternalStore, type ReactNode } from "react";
import { FaultChips, useFaultLab } from "@/components/faults";
import { useLab } from "@/components/trace/use-lab";
import { passed } from "@/lib/lessons/trace-query";
import { isStepPassed, progressStore } from "@/lib/lessons/progress";
import { ui } from "@/lib/lessons/ui-text";
import type { OutcomeCounters } from "@/lib/gen/lab/v1/fault_pb";
import type { Action, Locale } from "@/lib/lessons/types";
import { LESSONS } from "@/lessons/registry.generated";
import { LanguageSwitch, useLocaleState } from "./LanguageSwitch";
import { LessonProvider, useRuntimeVersion, type LessonContextValue, type StepView } from "./lesson-context";
import { LessonSidebar } from "./LessonSidebar";
import { LessonPager } from "./LessonPager";
import { LessonRuntime } from "./runtime/lesson-runtime";
import css from "./lessons.module.css";

/** Least time between two evaluations of the active step's check, in ms. */
const CHECK_THROTTLE_MS = 150;
/** The trace counts as settled after this long without a new event, in ms (idle()). */
const SETTLE_MS = 600;
/** How often idle() looks whether the page has settled, in ms. */
const IDLE_POLL_MS = 20;

/**
 * What a lesson page offers to automation (the Playwright walk, and
 * anyone scripting a lesson): `window.wirelabLesson`.
 */
export interface LessonAutomation {
  slug: string;
  steps(): Array<{ id: string; state: string }>;
  solution(stepId: string): readonly Action[];
  wrong(stepId: string): readonly Action[];
  /** Runs actions through the same runner as the page's buttons. */
  run(actions: readonly Action[]): Promise<void>;
  /** Resolves once nothing runs, the trace has been quiet for a while and the check has looked at it. */
  idle(): Promise<void>;
}

declare global {
  interface Window {
    wirelabLesson?: LessonAutomation;
  }
}

interface Evaluation {
  stepId: string;
  items?: StepView["items"];
  error?: string;
}

/**
 * One lesson page: its prose in the chosen language with live widgets,
 * step gating by goal checks on the live trace, progress, hints,
 * solutions, the sidebar and previous/next. Knows nothing about any one
 * lesson: everything comes from the registry entry.
 */
export function LessonShell({ slug, initialLocale, content }: { slug: string; initialLocale: Locale; content: Record<Locale, ReactNode> }) {
  const index = LESSONS.findIndex((l) => l.slug === slug);
  const entry = LESSONS[index];
  const [locale, setLocale] = useLocaleState(initialLocale);
  const { session, error: labError, store, trace } = useLab();
  const [runtime] = useState(() => new LessonRuntime(entry, store));
  const lab = useFaultLab({ enabled: session !== undefined });
  const version = useRuntimeVersion(runtime);
  const progress = useSyncExternalStore(progressStore.subscribe, progressStore.getSnapshot, progressStore.getServerSnapshot);
  const [evaluation, setEvaluation] = useState<Evaluation>();
  /** The checklist each step had when it passed, so what it measured stays on the page. */
  const [passedItems, setPassedItems] = useState<ReadonlyMap<string, StepView["items"]>>(new Map());

  const steps = entry.lesson.steps;
  const activeIndex = steps.findIndex((s) => !isStepPassed(progress, slug, s.id));
  const active = activeIndex >= 0 ? steps[activeIndex] : undefined;

  useLayoutEffect(() => runtime.setLab(lab));
  useEffect(() => {
    runtime.setSession(session?.session);
  }, [runtime, session]);
  useEffect(() => () => runtime.close(), [runtime]);
  const { setCountersVisible } = lab;
  useEffect(() => {
    // Checks read the counters: keep them fresh while the page is open.
    setCountersVisible(true);
    return () => setCountersVisible(false);
  }, [setCountersVisible]);

  useEffect(() => runtime.observe(trace.events), [runtime, trace.events]);

  // The active step's window opens when it becomes active.
  const counters = lab.counters;
  const countersRef = useRef(counters);
  useEffect(() => {
    countersRef.current = counters;
  }, [counters]);
  useEffect(() => {
    if (active) runtime.openStep(active.id, countersRef.current);
  }, [runtime, active]);

  // Goal check of the active step, throttled, on every change of what it reads.
  const inputs = useRef({ events: trace.events, counters, active });
  useEffect(() => {
    inputs.current = { events: trace.events, counters, active };
  });
  const timer = useRef<ReturnType<typeof setTimeout>>(undefined);
  /** Checks the active step now; `fresh` counters, when given, are newer than the ones rendered. */
  const evaluate = useCallback((fresh?: OutcomeCounters) => {
    timer.current = undefined;
    const { events, active: step } = inputs.current;
    const now = fresh ?? inputs.current.counters;
    if (!step) return;
    runtime.observe(events);
    // Never judge a step on events from before it opened (a no-op when its window is open).
    runtime.openStep(step.id, now);
    try {
      const result = step.check({ events: runtime.stepEvents(step.id, events), counters: now, baseline: runtime.baseline(step.id), answers: runtime.answers });
      setEvaluation({ stepId: step.id, items: typeof result === "boolean" ? undefined : result.items });
      if (passed(result)) {
        const items = typeof result === "boolean" ? undefined : result.items;
        if (items) setPassedItems((m) => new Map(m).set(step.id, items));
        runtime.closeStep(step.id);
        progressStore.markPassed(slug, step.id);
      }
    } catch (err) {
      setEvaluation({ stepId: step.id, error: (err as Error).message });
    }
  }, [runtime, slug]);
  useEffect(() => {
    if (!active || timer.current !== undefined) return;
    timer.current = setTimeout(() => evaluate(), CHECK_THROTTLE_MS);
  }, [active, trace.events, counters, version, evaluate]);
  useEffect(
    () => () => {
      // Forget the timer too: React's StrictMode (dev) unmounts and mounts
      // again, and a cleared but remembered timer would stop every check.
      clearTimeout(timer.current);
      timer.current = undefined;
    },
    [],
  );

  const restart = useCallback(() => {
    // Windows first: the progress change re-renders at once and opens step 1's window anew.
    runtime.startOver();
    progressStore.clearLesson(slug);
    setEvaluation(undefined);
    setPassedItems(new Map());
  }, [runtime, slug]);

  const views: StepView[] = useMemo(
    () =>
      steps.map((def, i) => {
        const state = i === activeIndex ? "active" : isStepPassed(progress, slug, def.id) ? "passed" : "locked";
        const ev = evaluation?.stepId === def.id ? evaluation : undefined;
        return { def, index: i, state, items: ev?.items ?? (state === "passed" ? passedItems.get(def.id) : undefined), error: ev?.error };
      }),
    [steps, activeIndex, progress, slug, evaluation, passedItems],
  );

  // Automation hook.
  const viewsRef = useRef(views);
  useEffect(() => {
    viewsRef.current = views;
  }, [views]);
  const { refreshCounters } = lab;
  useEffect(() => {
    const byId = (id: string) => {
      const s = steps.find((x) => x.id === id);
      if (!s) throw new Error(`no step ${id} in ${slug}`);
      return s;
    };
    window.wirelabLesson = {
      slug,
      steps: () => viewsRef.current.map((v) => ({ id: v.def.id, state: v.state })),
      solution: (id) => byId(id).solution,
      wrong: (id) => byId(id).wrong,
      run: (actions) => runtime.run(actions),
      idle: async () => {
        const started = performance.now();
        while (performance.now() - started < 30_000) {
          await new Promise((r) => setTimeout(r, IDLE_POLL_MS));
          if (!runtime.busy && performance.now() - runtime.lastTraceChangeMs > SETTLE_MS && timer.current === undefined) break;
        }
        // Judge on counters fetched after the trace went quiet, not on the last poll's.
        evaluate(await refreshCounters());
      },
    };
    return () => {
      delete window.wirelabLesson;
    };
  }, [runtime, slug, steps, evaluate, refreshCounters]);

  const value: LessonContextValue = useMemo(
    () => ({ entry, locale, runtime, session, restart }),
    [entry, locale, runtime, session, restart],
  );
  const lesson = entry.lesson;
  const done = views.filter((v) => v.state === "passed").length;

  return (
    <LessonProvider value={value} lab={lab} steps={views}>
      <div className={css.layout} lang={locale}>
        <LessonSidebar current={slug} locale={locale} progress={progress} steps={views} onRestart={restart} />
        <article className={css.article} aria-labelledby="lesson-title" data-testid="lesson" data-lesson={slug}>
          <header className={css.header}>
            <div className={css.headerRow}>
              <p className={css.kicker}>
                {ui("lessonN", locale, { n: entry.number })} · {ui("steps", locale, { n: steps.length })} · {ui("minutes", locale, { n: lesson.minutes })} ·{" "}
                <span data-testid="lesson-progress">{ui("progressOf", locale, { done, total: steps.length })}</span>
              </p>
              <LanguageSwitch locale={locale} onChange={setLocale} />
            </div>
            <h1 id="lesson-title">{lesson.title[locale]}</h1>
            <p className={css.summary}>{lesson.summary[locale]}</p>
            <p className={css.sessionLine}>
              {ui("session", locale)} <code data-testid="session-id">{session?.session ?? "…"}</code>{" "}
              <span className={trace.connected ? "dot live" : "dot"} aria-hidden /> {trace.connected ? ui("traceLive", locale) : ui("connecting", locale)}
              {labError && <span className="error"> · {labError}</span>}
            </p>
            {lab.rules.length > 0 && (
              <div className={css.activeFaults} role="status">
                <span>{ui("activeFaults", locale)}</span>
                <FaultChips rules={lab.rules} />
                <button type="button" onClick={() => void runtime.runOne({ clearFaults: true }).catch(() => undefined)}>
                  {ui("clearFaults", locale)}
                </button>
              </div>
            )}
          </header>
          <div className={css.prose}>{content[locale]}</div>
          <LessonPager index={index} locale={locale} />
        </article>
      </div>
    </LessonProvider>
  );
}
