"use client";

import { useCallback, useState, useSyncExternalStore } from "react";
import { isLocale, LOCALE_COOKIE, LOCALE_COOKIE_MAX_AGE_S, LOCALE_NAMES, LOCALES } from "@/lib/lessons/locale";
import { ui } from "@/lib/lessons/ui-text";
import type { Locale } from "@/lib/lessons/types";
import css from "./lessons.module.css";

/** Fired on window when the language switch changes the remembered language. */
const LOCALE_EVENT = "wirelab-locale";

/** Remembers the language in a cookie, so the server renders the next page in it too (and parts of this page outside it follow, see useRememberedLocale). */
export function rememberLocale(locale: Locale): void {
  document.cookie = `${LOCALE_COOKIE}=${locale}; path=/; max-age=${LOCALE_COOKIE_MAX_AGE_S}; samesite=lax`;
  window.dispatchEvent(new Event(LOCALE_EVENT));
}

function cookieLocale(): Locale {
  const value = document.cookie
    .split("; ")
    .find((c) => c.startsWith(`${LOCALE_COOKIE}=`))
    ?.slice(LOCALE_COOKIE.length + 1);
  return isLocale(value) ? value : "en";
}

function onLocaleChange(listener: () => void): () => void {
  window.addEventListener(LOCALE_EVENT, listener);
  return () => window.removeEventListener(LOCALE_EVENT, listener);
}

/**
 * The remembered language, for what the shared layout shows around a
 * page (the class banner): it follows the page's language switch.
 */
export function useRememberedLocale(): Locale {
  return useSyncExternalStore(onLocaleChange, cookieLocale, () => "en");
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
