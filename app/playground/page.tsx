import type { Metadata } from "next";
import { Playground } from "@/components/playground/Playground";
import { requestLocale } from "@/components/lessons/request-locale";

export const metadata: Metadata = { title: "Playground — Wirelab" };

export default async function PlaygroundPage() {
  return <Playground initialLocale={await requestLocale()} />;
}
