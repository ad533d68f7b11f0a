import type { Metadata } from "next";
import { JoinClass } from "@/components/classroom/JoinClass";

export const metadata: Metadata = { title: "Join a class — Wirelab" };

export default async function JoinPage({ searchParams }: { searchParams: Promise<{ code?: string | string[] }> }) {
  const { code } = await searchParams;
  return <JoinClass initialCode={typeof code === "string" ? code : ""} />;
}
