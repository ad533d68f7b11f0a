"use client";

import Link from "next/link";
import { useSyncExternalStore } from "react";
import { passedCount, progressStore } from "@/lib/lessons/progress";
import { ui } from "@/lib/lessons/ui-text";
import type { Locale } from "@/lib/lessons/types";
import { LESSONS } from "@/lessons/registry.generated";
import css from "./lessons.module.css";

/** Every lesson as a card: number, title, summary, length and this browser's progress. */
export function LessonList({ locale }: { locale: Locale }) {
  const progress = useSyncExternalStore(progressStore.subscribe, progressStore.getSnapshot, progressStore.getServerSnapshot);
  return (
    <ol className={css.lessonCards} data-testid="lesson-list">
      {LESSONS.map((l) => {
        const ids = l.lesson.steps.map((s) => s.id);
        const done = passedCount(progress, l.slug, ids);
        const label = done === 0 ? ui("start", locale) : done === ids.length ? ui("review", locale) : ui("continue", locale);
        return (
          <li key={l.slug}>
            <Link href={`/lessons/${l.slug}`} className={css.lessonCard} data-lesson={l.slug}>
              <span className={css.cardKicker}>
                {ui("lessonN", locale, { n: l.number })} · {ui("steps", locale, { n: ids.length })} · {ui("minutes", locale, { n: l.lesson.minutes })}
              </span>
              <span className={css.cardTitle}>{l.lesson.title[locale]}</span>
              <span className={css.cardSummary}>{l.lesson.summary[locale]}</span>
              <span className={css.cardProgress}>
                <progress max={ids.length} value={done} aria-label={ui("progressOf", locale, { done, total: ids.length })} />
                <span data-testid="card-progress">{done === ids.length ? ui("completed", locale) : ui("progressOf", locale, { done, total: ids.length })}</span>
                <span className={css.cardCta} aria-hidden>
                  {label} →
                </span>
              </span>
            </Link>
          </li>
        );
      })}
    </ol>
  );
}
