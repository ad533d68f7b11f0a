import Link from "next/link";
import { ui } from "@/lib/lessons/ui-text";
import type { Locale } from "@/lib/lessons/types";
import { LESSONS } from "@/lessons/registry.generated";
import css from "./lessons.module.css";

/** Previous and next lesson. */
export function LessonPager({ index, locale }: { index: number; locale: Locale }) {
  const prev = LESSONS[index - 1];
  const next = LESSONS[index + 1];
  return (
    <nav className={css.pager} aria-label={`${ui("previous", locale)} / ${ui("next", locale)}`}>
      {prev ? (
        <Link href={`/lessons/${prev.slug}`} rel="prev">
          ← {ui("previous", locale)}: {prev.lesson.title[locale]}
        </Link>
      ) : (
        <Link href="/lessons">← {ui("allLessons", locale)}</Link>
      )}
      {next ? (
        <Link href={`/lessons/${next.slug}`} rel="next">
          {ui("next", locale)}: {next.lesson.title[locale]} →
        </Link>
      ) : (
        <Link href="/lessons">{ui("allLessons", locale)} →</Link>
      )}
    </nav>
  );
}
