"use client";

import { useEffect, useState } from "react";
import type { FaultRule } from "@/lib/gen/lab/v1/fault_pb";
import { ruleChipText } from "@/lib/faults/rules";
import { faultText } from "@/lib/faults/fault-text";
import type { Locale } from "@/lib/lessons/types";
import styles from "./faults.module.css";

export interface FaultChipsProps {
  rules: readonly FaultRule[];
  className?: string;
  /** The page's language (English by default). */
  locale?: Locale;
}

/**
 * The session's active fault rules as small chips ("⚡ duplicate 30 % ·
 * events/#"), e.g. above the diagram, so a trace is never read without
 * knowing what was broken on purpose. Nothing when no rule is on.
 */
export function FaultChips({ rules, className, locale = "en" }: FaultChipsProps) {
  const expiring = rules.some((r) => r.expiresUnixMs > 0);
  const [now, setNow] = useState<number>();

  useEffect(() => {
    if (!expiring) return;
    const tick = () => setNow(Date.now());
    const t = setInterval(tick, 1000);
    const first = setTimeout(tick, 0);
    return () => {
      clearInterval(t);
      clearTimeout(first);
    };
  }, [expiring]);

  if (rules.length === 0) return null;
  return (
    <ul className={[styles.chips, className].filter(Boolean).join(" ")} aria-label={faultText("activeFaults", locale)} data-testid="fault-chips">
      {rules.map((r, i) => {
        const text = ruleChipText(r, expiring ? now : undefined, locale);
        return (
          <li key={r.id || `new-${i}`} className={styles.chip} title={[r.label, r.hits > 0n ? faultText("fired", locale, { n: String(r.hits) }) : ""].filter(Boolean).join(" · ") || undefined}>
            {text}
          </li>
        );
      })}
    </ul>
  );
}
