"use client";

import { createContext, useContext, useSyncExternalStore } from "react";
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

export interface LessonContextValue {
  entry: LessonEntry;
  locale: Locale;
  runtime: LessonRuntime;
  session: GetSessionResponse | undefined;
  lab: FaultLab;
  steps: readonly StepView[];
  /** Starts the lesson over: progress, windows and answers of this lesson. */
  restart(): void;
}

const LessonContext = createContext<LessonContextValue | null>(null);
export const LessonProvider = LessonContext.Provider;

/** The lesson page's state, for the MDX components inside it. */
export function useLesson(): LessonContextValue {
  const v = useContext(LessonContext);
  if (!v) throw new Error("lesson components render inside a lesson page (LessonShell)");
  return v;
}

/** The lesson's state when inside a lesson page, else null (components usable elsewhere). */
export function useOptionalLesson(): LessonContextValue | null {
  return useContext(LessonContext);
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
