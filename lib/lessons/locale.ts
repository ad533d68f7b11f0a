import type { L10n, Locale } from "./types";

/** Every language of the lab, in the order the switch shows them. */
export const LOCALES: readonly Locale[] = ["en", "zh-CN"];

/** The language's own name, as the switch shows it. */
export const LOCALE_NAMES: L10n = { en: "English", "zh-CN": "简体中文" };

/** The cookie that remembers the learner's language (the server renders in it). */
export const LOCALE_COOKIE = "wirelab-locale";

/** A year, in seconds: how long the language choice is remembered. */
export const LOCALE_COOKIE_MAX_AGE_S = 365 * 24 * 3600;

export function isLocale(value: unknown): value is Locale {
  return value === "en" || value === "zh-CN";
}

/**
 * The language to render in: the remembered choice, else the browser's
 * Accept-Language (any `zh` → 简体中文), else English.
 */
export function negotiateLocale(cookie: string | undefined, acceptLanguage: string | null | undefined): Locale {
  if (isLocale(cookie)) return cookie;
  const first = (acceptLanguage ?? "")
    .split(",")
    .map((part) => {
      const [tag, q] = part.trim().split(";q=");
      return { tag: tag.toLowerCase(), q: q === undefined ? 1 : Number(q) };
    })
    .filter((x) => x.tag && x.q > 0)
    .sort((a, b) => b.q - a.q)[0];
  return first?.tag.startsWith("zh") ? "zh-CN" : "en";
}

/** The text of `l10n` in `locale`. */
export function tr(l10n: L10n, locale: Locale): string {
  return l10n[locale];
}
