import type { Metadata } from "next";
import { JoinClass } from "@/components/classroom/JoinClass";
import { requestLocale } from "@/components/lessons/request-locale";

export const metadata: Metadata = { title: "Join a class — Wirelab" };

export default async function JoinPage({ searchParams }: { searchParams: Promise<{ code?: string | string[] }> }) {
  const [{ code }, initialLocale] = await Promise.all([searchParams, requestLocale()]);
  return <JoinClass initialCode={typeof code === "string" ? code : ""} initialLocale={initialLocale} />;
}
