"use client";

import Link from "next/link";
import { passedCount, type Progress } from "@/lib/lessons/progress";
import { ui } from "@/lib/lessons/ui-text";
import type { Locale } from "@/lib/lessons/types";
import { LESSONS } from "@/lessons/registry.generated";
import type { StepView } from "./lesson-context";
import { ProgressTools } from "./ProgressTools";
import css from "./lessons.module.css";

const STATE_ICON = { passed: "✓", active: "▸", locked: "·" } as const;

/** Every lesson with its progress; the current one's steps under it. */
export function LessonSidebar({ current, locale, progress, steps, onRestart }: { current: string; locale: Locale; progress: Progress; steps: readonly StepView[]; onRestart: () => void }) {
  return (
    <aside className={css.sidebar}>
      <nav aria-label={ui("lessons", locale)}>
        <h2 className={css.sideTitle}>
          <Link href="/lessons">{ui("lessons", locale)}</Link>
        </h2>
        <ol className={css.sideLessons}>
          {LESSONS.map((l) => {
            const ids = l.lesson.steps.map((s) => s.id);
            const done = passedCount(progress, l.slug, ids);
            const here = l.slug === current;
            return (
              <li key={l.slug} className={here ? css.sideCurrent : undefined}>
                <Link href={`/lessons/${l.slug}`} aria-current={here ? "page" : undefined}>
                  <span className={css.sideNum}>{l.number}</span>
                  <span className={css.sideName}>{l.lesson.title[locale]}</span>
                  <span className={done === ids.length ? css.sideDone : css.sideCount} aria-label={ui("progressOf", locale, { done, total: ids.length })}>
                    {done === ids.length ? "✓" : `${done}/${ids.length}`}
                  </span>
                </Link>
                {here && (
                  <ol className={css.sideSteps} aria-label={l.lesson.title[locale]}>
                    {steps.map((s) => (
                      <li key={s.def.id} data-state={s.state}>
                        <a href={`#step-${s.def.id}`}>
                          <span aria-hidden>{STATE_ICON[s.state]}</span> {s.def.title[locale]}
                          <span className="sr-only"> ({ui(s.state === "locked" ? "notStarted" : s.state, locale)})</span>
                        </a>
                      </li>
                    ))}
                  </ol>
                )}
              </li>
            );
          })}
        </ol>
      </nav>
      <ProgressTools locale={locale} />
      <button type="button" className={css.restart} onClick={onRestart}>
        {ui("resetLesson", locale)}
      </button>
      <p>
        <Link href="/glossary">{ui("glossary", locale)}</Link> · <Link href="/playground">{ui("playground", locale)}</Link>
      </p>
    </aside>
  );
}
