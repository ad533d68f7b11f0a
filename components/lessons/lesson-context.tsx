"use client";

import { createContext, useContext, useSyncExternalStore, type ReactNode } from "react";
import type { FaultLab } from "@/components/faults";
import type { TraceSnapshot } from "@/components/trace/trace-store";
import type { GetSessionResponse } from "@/lib/gen/lab/v1/lab_pb";
import type { CheckItem, LessonEntry, Locale, StepDefinition } from "@/lib/lessons/types";
import type { LessonRuntime } from "./runtime/lesson-runtime";

export type StepState = "passed" | "active" | "locked";

/** A step as the page shows it. */
export interface StepView {
  def: StepDefinition;
  /** 0-based. */
  index: number;
  state: StepState;
  /** The last evaluation of the active step's check. */
  items?: readonly CheckItem[];
  /** The check threw: the message. */
  error?: string;
}

/**
 * What stays the same while the lesson runs: MDX widgets read it on every
 * render, so it changes only with the language or the session — not with
 * every trace batch or check evaluation (those would re-render every
 * widget of every open step, charts included, many times a second).
 */
export interface LessonContextValue {
  entry: LessonEntry;
  locale: Locale;
  runtime: LessonRuntime;
  session: GetSessionResponse | undefined;
  /** Starts the lesson over: progress, windows and answers of this lesson. */
  restart(): void;
}

const LessonContext = createContext<LessonContextValue | null>(null);
/** The session's faults, defences and counters: changes when they do. */
const LabContext = createContext<FaultLab | null>(null);
/** The steps as the page shows them: changes with each evaluation of the active step's check. */
const StepsContext = createContext<readonly StepView[] | null>(null);

/** Provides a lesson page's state to its MDX components, in three parts that change at different rates. */
export function LessonProvider({ value, lab, steps, children }: { value: LessonContextValue; lab: FaultLab; steps: readonly StepView[]; children: ReactNode }) {
  return (
    <LessonContext.Provider value={value}>
      <LabContext.Provider value={lab}>
        <StepsContext.Provider value={steps}>{children}</StepsContext.Provider>
      </LabContext.Provider>
    </LessonContext.Provider>
  );
}

function required<T>(v: T | null): T {
  if (v === null) throw new Error("lesson components render inside a lesson page (LessonShell)");
  return v;
}

/** The lesson page's state, for the MDX components inside it. */
export function useLesson(): LessonContextValue {
  return required(useContext(LessonContext));
}

/** The session's fault rules, defences and counters (re-renders when they change). */
export function useLessonLab(): FaultLab {
  return required(useContext(LabContext));
}

/** Every step's state and last check (re-renders with each evaluation). */
export function useLessonSteps(): readonly StepView[] {
  return required(useContext(StepsContext));
}

/** Which step the component sits in (set by <Step>). */
const StepContext = createContext<StepView | null>(null);
export const StepProvider = StepContext.Provider;

export function useStep(): StepView | null {
  return useContext(StepContext);
}

/** Re-renders on every runtime change (outcomes, MQTT clients, answers, busy). */
export function useRuntimeVersion(runtime: LessonRuntime): number {
  return useSyncExternalStore(runtime.subscribe, runtime.getVersion, runtime.getVersion);
}

/** The live trace of the session. */
export function useTrace(runtime: LessonRuntime): TraceSnapshot {
  return useSyncExternalStore(runtime.store.subscribe, runtime.store.getSnapshot, runtime.store.getSnapshot);
}
