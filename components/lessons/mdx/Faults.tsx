"use client";

import { useState } from "react";
import { DefencePanel, FaultChips, FaultPanel, OutcomeCountersPanel, ResetSandboxButton } from "@/components/faults";
import { presetActive } from "@/lib/faults/rules";
import { ui } from "@/lib/lessons/ui-text";
import type { Action } from "@/lib/lessons/types";
import { useLesson, useLessonLab, useRuntimeVersion, useStep } from "../lesson-context";
import { sameFields } from "../runtime/lesson-runtime";
import css from "../lessons.module.css";

function useRunner() {
  const { runtime } = useLesson();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  async function run(a: Action) {
    setError(undefined);
    setBusy(true);
    try {
      await runtime.runOne(a);
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  }
  return { run, error, busy };
}

/**
 * `<Faults />`: the step's fault presets (lesson.ts `steps[].faults`) as
 * switches, the rules that are on, and every fault kind under "more".
 */
export function Faults() {
  const { locale, runtime } = useLesson();
  const lab = useLessonLab();
  const step = useStep();
  useRuntimeVersion(runtime);
  const { run, error, busy } = useRunner();
  const presets = (step?.def.faults ?? []).map((id) => runtime.faultPreset(id));
  return (
    <div className={`${css.widget} ${css.breakBox}`} data-widget="faults">
      <p className={css.widgetTitle}>⚡ {ui("faultsTitle", locale)}</p>
      <div className={css.buttonRow}>
        {presets.map((p) => {
          const on = presetActive(lab.rules, p);
          return (
            <button key={p.id} type="button" className={css.toggle} aria-pressed={on} disabled={busy || lab.available === false} onClick={() => run(on ? { removeFaults: p.id } : { applyFaults: p.id })} data-preset={p.id}>
              {p.title[locale]}
              {on ? ` · ${ui("faultOn", locale)}` : ""}
            </button>
          );
        })}
        {lab.rules.length > 0 && (
          <button type="button" onClick={() => run({ clearFaults: true })} disabled={busy}>
            {ui("clearFaults", locale)}
          </button>
        )}
      </div>
      <FaultChips rules={lab.rules} locale={locale} />
      {(error ?? lab.rulesError) && (
        <p role="alert" className="error">
          {error ?? lab.rulesError}
        </p>
      )}
      <details className={css.more}>
        <summary>{ui("allFaults", locale)}</summary>
        <FaultPanel rules={lab.rules} onRulesChange={lab.setRules} onClear={lab.clearRules} error={lab.rulesError} saving={lab.savingRules} available={lab.available} locale={locale} />
      </details>
    </div>
  );
}

/** `<Defences />`: the step's defence presets as switches, and every defence under "more". */
export function Defences() {
  const { locale, runtime } = useLesson();
  const lab = useLessonLab();
  const step = useStep();
  useRuntimeVersion(runtime);
  const { run, error, busy } = useRunner();
  const presets = (step?.def.defences ?? []).map((id) => runtime.defencePreset(id));
  return (
    <div className={`${css.widget} ${css.defendBox}`} data-widget="defences">
      <p className={css.widgetTitle}>🛡 {ui("defencesTitle", locale)}</p>
      <div className={css.buttonRow}>
        {presets.map((p) => {
          const on = sameFields(p.defences, lab.defences);
          return (
            <button key={p.id} type="button" className={css.toggle} aria-pressed={on} disabled={busy || on || !lab.defences} onClick={() => run({ applyDefences: p.id })} data-preset={p.id}>
              {p.title[locale]}
              {on ? ` · ${ui("faultOn", locale)}` : ""}
            </button>
          );
        })}
      </div>
      {(error ?? lab.defencesError) && (
        <p role="alert" className="error">
          {error ?? lab.defencesError}
        </p>
      )}
      <details className={css.more}>
        <summary>{ui("allDefences", locale)}</summary>
        <DefencePanel defences={lab.defences} onChange={lab.setDefences} error={lab.defencesError} saving={lab.savingDefences} available={lab.available} locale={locale} />
      </details>
    </div>
  );
}

/** `<Counters />`: what happened in the sandbox, and its reset button. */
export function Counters() {
  const { locale, runtime, session } = useLesson();
  const lab = useLessonLab();
  const { run, busy } = useRunner();
  useRuntimeVersion(runtime);
  return (
    <div className={css.widget} data-widget="counters" aria-label={ui("countersTitle", locale)} role="group">
      <OutcomeCountersPanel
        locale={locale}
        counters={lab.counters}
        error={lab.countersError ?? lab.resetError}
        actions={<ResetSandboxButton onReset={() => run({ reset: true })} resetting={busy || lab.resetting} disabled={!session} locale={locale} />}
      />
    </div>
  );
}
