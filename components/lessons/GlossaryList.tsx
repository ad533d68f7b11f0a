"use client";

import { ui } from "@/lib/lessons/ui-text";
import type { Locale } from "@/lib/lessons/types";
import { GLOSSARY } from "@/lessons/glossary";
import { LanguageSwitch, useLocaleState } from "./LanguageSwitch";
import css from "./lessons.module.css";

/** Every glossary term, in the chosen language, with its name in the other. */
export function GlossaryList({ initialLocale }: { initialLocale: Locale }) {
  const [locale, setLocale] = useLocaleState(initialLocale);
  const other: Locale = locale === "en" ? "zh-CN" : "en";
  const entries = Object.entries(GLOSSARY).sort(([, a], [, b]) => a[locale].term.localeCompare(b[locale].term, locale));
  return (
    <div className={css.glossary} lang={locale}>
      <div className={css.headerRow}>
        <h1>{ui("glossary", locale)}</h1>
        <LanguageSwitch locale={locale} onChange={setLocale} />
      </div>
      <p className={css.summary}>{ui("glossaryLede", locale)}</p>
      <dl>
        {entries.map(([id, e]) => (
          <div key={id} id={id} className={css.glossaryEntry}>
            <dt>
              {e[locale].term} <span lang={other} className={css.muted}>· {e[other].term}</span>
            </dt>
            <dd>{e[locale].definition}</dd>
          </div>
        ))}
      </dl>
    </div>
  );
}
