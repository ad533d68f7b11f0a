"use client";

import { useState } from "react";
import { SideBySide } from "@/components/diagram";
import type { CallName } from "@/lib/calls";
import type { ModeName } from "@/lib/client";
import { modeTitle } from "@/lib/lessons/actions";
import { ui } from "@/lib/lessons/ui-text";
import type { CallAction } from "@/lib/lessons/types";
import { useLesson, useRuntimeVersion, useTrace } from "../lesson-context";
import type { CallOutcome } from "../runtime/lesson-runtime";
import css from "../lessons.module.css";

export interface CompareProps {
  call: CallName;
  modes?: readonly ModeName[];
  input?: Record<string, unknown>;
  height?: number;
}

/**
 * `<Compare call="GetUser" modes={["rest","connect","mqtt"]} />`: one button
 * makes the same call in each mode, one after another; the columns show
 * each call's hops from its first byte on one time axis, with latency and
 * bytes. Until its button is pressed it shows the last call of each mode,
 * whichever button (or solution) made it.
 */
export function Compare({ call, modes = ["rest", "connect", "mqtt"], input, height = 420 }: CompareProps) {
  const { locale, runtime, session } = useLesson();
  useRuntimeVersion(runtime);
  const trace = useTrace(runtime);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const actions: CallAction[] = modes.map((m) => ({ call, mode: m, input }));
  // This widget's own last run; before it has one, the last call of each mode, whoever made it.
  const [ownRun, setOwnRun] = useState<CallOutcome[]>();
  const outcomes = ownRun ?? actions.map((a) => runtime.outcome(a) as CallOutcome | undefined);
  const shown = outcomes.filter((o): o is CallOutcome & { result: NonNullable<CallOutcome["result"]> } => o?.result !== undefined);

  async function run() {
    setBusy(true);
    setError(undefined);
    try {
      await runtime.run(actions);
      setOwnRun(actions.map((a) => runtime.outcome(a) as CallOutcome));
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  }

  const names = modes.map(modeTitle).join(locale === "zh-CN" ? "、" : " · ");
  return (
    <div className={css.widget} data-widget="compare">
      <div className={css.buttonRow}>
        <button type="button" className={css.live} onClick={run} disabled={!session || busy}>
          <span aria-hidden>▶ </span>
          {busy ? ui("sending", locale) : ui("compareRun", locale, { call, modes: names })}
        </button>
        <span className={css.muted}>{ui("compareNote", locale)}</span>
      </div>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {shown.length > 0 && (
        <SideBySide
          events={trace.events}
          rootSpanIds={shown.map((o) => o.result.spanId)}
          titles={shown.map((o) => `${modeTitle(o.action.mode)} · ${o.result.status}`)}
          height={height}
          title={ui("compareTitle", locale)}
        />
      )}
    </div>
  );
}
