"use client";

import { useState } from "react";
import type { Locale } from "@/lib/lessons/types";
import { playgroundText } from "./playground-text";

export function CopyButton({ text, locale }: { text: string; locale: Locale }) {
  const [copied, setCopied] = useState(false);
  return (
    <button
      onClick={async () => {
        try {
          await navigator.clipboard.writeText(text);
          setCopied(true);
          setTimeout(() => setCopied(false), 1500);
        } catch {
          setCopied(false);
        }
      }}
    >
      {copied ? playgroundText("copied", locale) : playgroundText("copy", locale)}
    </button>
  );
}
