import type { Metadata } from "next";
import { Playground } from "@/components/playground/Playground";

export const metadata: Metadata = { title: "Playground — Wirelab" };

export default function PlaygroundPage() {
  return <Playground />;
}
