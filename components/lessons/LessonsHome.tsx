"use client";

import Link from "next/link";
import { ui } from "@/lib/lessons/ui-text";
import type { Locale } from "@/lib/lessons/types";
import { LanguageSwitch, useLocaleState } from "./LanguageSwitch";
import { LessonList } from "./LessonList";
import { ProgressTools } from "./ProgressTools";
import css from "./lessons.module.css";

/** The home page and /lessons: what Wirelab is, every lesson with progress, the playground. */
export function LessonsHome({ initialLocale, heading = "home" }: { initialLocale: Locale; heading?: "home" | "lessons" }) {
  const [locale, setLocale] = useLocaleState(initialLocale);
  return (
    <div className={`home ${css.home}`} lang={locale}>
      <div className={css.headerRow}>
        <h1>{heading === "home" ? ui("homeTitle", locale) : ui("lessons", locale)}</h1>
        <LanguageSwitch locale={locale} onChange={setLocale} />
      </div>
      {heading === "home" && <p className="lede">{ui("homeLede", locale)}</p>}
      {heading === "home" && <h2 id="lessons">{ui("lessons", locale)}</h2>}
      <LessonList locale={locale} />
      <ProgressTools locale={locale} />
      <ul className="cards">
        <li>
          <Link href="/playground" className="card">
            <h2>{ui("playground", locale)} →</h2>
            <p>{ui("playgroundCard", locale)}</p>
          </Link>
        </li>
        <li>
          <Link href="/glossary" className="card">
            <h2>{ui("glossary", locale)} →</h2>
            <p>{ui("glossaryCard", locale)}</p>
          </Link>
        </li>
      </ul>
    </div>
  );
}
