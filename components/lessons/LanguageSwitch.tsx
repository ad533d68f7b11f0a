"use client";

import { useCallback, useState } from "react";
import { LOCALE_COOKIE, LOCALE_COOKIE_MAX_AGE_S, LOCALE_NAMES, LOCALES } from "@/lib/lessons/locale";
import { ui } from "@/lib/lessons/ui-text";
import type { Locale } from "@/lib/lessons/types";
import css from "./lessons.module.css";

/** Remembers the language in a cookie, so the server renders the next page in it too. */
export function rememberLocale(locale: Locale): void {
  document.cookie = `${LOCALE_COOKIE}=${locale}; path=/; max-age=${LOCALE_COOKIE_MAX_AGE_S}; samesite=lax`;
}

/** The page's language: starts as the server rendered it, switches at once and is remembered. */
export function useLocaleState(initial: Locale): [Locale, (l: Locale) => void] {
  const [locale, setLocale] = useState(initial);
  const change = useCallback((l: Locale) => {
    rememberLocale(l);
    setLocale(l);
  }, []);
  return [locale, change];
}

/** English / 简体中文, as two toggle buttons. */
export function LanguageSwitch({ locale, onChange }: { locale: Locale; onChange: (l: Locale) => void }) {
  return (
    <div className={css.langSwitch} role="group" aria-label={`${ui("language", locale)} / Language`}>
      {LOCALES.map((l) => (
        <button key={l} type="button" lang={l} aria-pressed={l === locale} onClick={() => onChange(l)} data-testid={`lang-${l}`}>
          {LOCALE_NAMES[l]}
        </button>
      ))}
    </div>
  );
}
