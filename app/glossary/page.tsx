import type { Metadata } from "next";
import { GlossaryList } from "@/components/lessons/GlossaryList";
import { requestLocale } from "@/components/lessons/request-locale";

export const metadata: Metadata = { title: "Glossary — Wirelab" };

export default async function GlossaryPage() {
  return <GlossaryList initialLocale={await requestLocale()} />;
}
