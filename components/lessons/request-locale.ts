import { cookies, headers } from "next/headers";
import { LOCALE_COOKIE, negotiateLocale } from "@/lib/lessons/locale";
import type { Locale } from "@/lib/lessons/types";

/** The language a server-rendered lesson page starts in: the remembered choice, else Accept-Language. */
export async function requestLocale(): Promise<Locale> {
  const [c, h] = await Promise.all([cookies(), headers()]);
  return negotiateLocale(c.get(LOCALE_COOKIE)?.value, h.get("accept-language"));
}
