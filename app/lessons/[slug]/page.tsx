import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { LessonShell } from "@/components/lessons/LessonShell";
import { requestLocale } from "@/components/lessons/request-locale";
import { LESSON_CONTENT } from "@/lessons/content.generated";
import { LESSONS } from "@/lessons/registry.generated";

type Params = { params: Promise<{ slug: string }> };

export async function generateMetadata({ params }: Params): Promise<Metadata> {
  const { slug } = await params;
  const entry = LESSONS.find((l) => l.slug === slug);
  if (!entry) return { title: "Lesson not found — Wirelab" };
  const locale = await requestLocale();
  return { title: `${entry.number}. ${entry.lesson.title[locale]} — Wirelab`, description: entry.lesson.summary[locale] };
}

/** Every lesson at /lessons/<slug>: one generic route, the lesson comes from the registry. */
export default async function LessonPage({ params }: Params) {
  const { slug } = await params;
  const content = LESSON_CONTENT[slug];
  if (!content || !LESSONS.some((l) => l.slug === slug)) notFound();
  const locale = await requestLocale();
  const En = content.en;
  const Zh = content["zh-CN"];
  return <LessonShell slug={slug} initialLocale={locale} content={{ en: <En />, "zh-CN": <Zh /> }} />;
}
