"use client";

import { useState, type ReactNode } from "react";
import { describeAction } from "@/lib/lessons/actions";
import { ui } from "@/lib/lessons/ui-text";
import { StepProvider, useLesson, useLessonSteps, useRuntimeVersion, type StepView } from "../lesson-context";
import css from "../lessons.module.css";

/**
 * `<Step id="…">` wraps one step's prose in the MDX. It draws the step's
 * title, state and tick; hides the prose until the step before has passed;
 * and ends with the goal (live checklist), hints and the solution.
 */
export function Step({ id, children }: { id: string; children?: ReactNode }) {
  const { locale } = useLesson();
  const steps = useLessonSteps();
  const view = steps.find((s) => s.def.id === id);
  if (!view) {
    return (
      <p role="alert" className="error">
        Unknown step “{id}”: lesson.ts has no step with this id.
      </p>
    );
  }
  const titleId = `step-${id}-title`;
  const stateText = ui(view.state === "locked" ? "notStarted" : view.state, locale);
  return (
    <section id={`step-${id}`} className={css.step} data-step={id} data-state={view.state} aria-labelledby={titleId} data-testid={`step-${id}`}>
      <header className={css.stepHead}>
        <span className={css.stepBadge} data-state={view.state} aria-hidden>
          {view.state === "passed" ? "✓" : view.index + 1}
        </span>
        <h2 id={titleId}>
          <span className={css.stepNum}>{ui("stepN", locale, { n: view.index + 1 })} · </span>
          {view.def.title[locale]}
        </h2>
        <span className={css.stepState} data-testid="step-state">
          {view.state === "passed" ? `✓ ${stateText}` : stateText}
        </span>
      </header>
      {view.state === "locked" ? (
        <p className={css.muted}>{ui("locked", locale)}</p>
      ) : (
        <StepProvider value={view}>
          <div className={css.stepBody}>{children}</div>
          <GoalBox view={view} />
        </StepProvider>
      )}
    </section>
  );
}

/** The step's goal as a live checklist, its hints and its solution. */
function GoalBox({ view }: { view: StepView }) {
  const { locale, runtime, entry } = useLesson();
  useRuntimeVersion(runtime);
  const [hints, setHints] = useState(0);
  const [showSolution, setShowSolution] = useState(false);
  const [running, setRunning] = useState<number>();
  const [failure, setFailure] = useState<string>();
  const step = view.def;
  const passed = view.state === "passed";

  async function runSolution() {
    setFailure(undefined);
    setRunning(0);
    try {
      await runtime.run(step.solution, { onAction: (i) => setRunning(i) });
    } catch (err) {
      setFailure(ui("solutionFailed", locale, { error: (err as Error).message }));
    } finally {
      setRunning(undefined);
    }
  }

  return (
    <div className={css.goal} data-testid="goal">
      <h3 className={css.goalTitle}>
        {ui("goal", locale)}
        <span className={passed ? css.goalPassed : css.goalWaiting} role="status">
          {passed ? `✓ ${ui("goalPassed", locale)}` : ui("goalWaiting", locale)}
        </span>
      </h3>
      {view.items && (
        <ul className={css.checklist} data-testid="checklist">
          {view.items.map((item, i) => (
            <li key={i} data-done={item.done}>
              <span aria-hidden>{item.done ? "✓" : "○"}</span> {item.label[locale]}
              <span className="sr-only"> ({item.done ? ui("passed", locale) : ui("notStarted", locale)})</span>
            </li>
          ))}
        </ul>
      )}
      {view.error && (
        <p role="alert" className="error">
          {ui("checkFailed", locale, { error: view.error })}
        </p>
      )}
      <div className={css.goalTools}>
        {hints < step.hints.length && (
          <button type="button" onClick={() => setHints((n) => n + 1)}>
            {hints === 0 ? ui("showHint", locale) : ui("nextHint", locale)}
          </button>
        )}
        <button type="button" aria-expanded={showSolution} onClick={() => setShowSolution((s) => !s)} data-testid="show-solution">
          {showSolution ? ui("hideSolution", locale) : ui("showSolution", locale)}
        </button>
      </div>
      {hints > 0 && (
        <ol className={css.hints} aria-label={ui("hint", locale)}>
          {step.hints.slice(0, hints).map((h, i) => (
            <li key={i}>{h[locale]}</li>
          ))}
        </ol>
      )}
      {showSolution && (
        <div className={css.solution} data-testid="solution">
          <ol>
            {step.solution.map((a, i) => (
              <li key={i} data-running={running === i || undefined}>
                {describeAction(a, locale, entry.lesson)}
              </li>
            ))}
          </ol>
          <button type="button" className={css.runSolution} onClick={runSolution} disabled={running !== undefined || !runtime.session} data-testid="run-solution">
            {running !== undefined ? ui("runningSolution", locale) : ui("runSolution", locale)}
          </button>
          {failure && (
            <p role="alert" className="error">
              {failure}
            </p>
          )}
        </div>
      )}
    </div>
  );
}
