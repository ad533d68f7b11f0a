import type { Metadata } from "next";
import { LessonsHome } from "@/components/lessons/LessonsHome";
import { requestLocale } from "@/components/lessons/request-locale";

export const metadata: Metadata = { title: "Lessons — Wirelab" };

export default async function LessonsPage() {
  return <LessonsHome initialLocale={await requestLocale()} heading="lessons" />;
}
