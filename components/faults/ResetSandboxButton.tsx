"use client";

import { faultText } from "@/lib/faults/fault-text";
import type { Locale } from "@/lib/lessons/types";
import styles from "./faults.module.css";

export interface ResetSandboxButtonProps {
  onReset: () => void;
  resetting?: boolean;
  disabled?: boolean;
  /** The page's language (English by default). */
  locale?: Locale;
}

/** LabService.ResetSandbox: a fresh start for the session's data, counters, faults, defences and trace. */
export function ResetSandboxButton({ onReset, resetting, disabled, locale = "en" }: ResetSandboxButtonProps) {
  return (
    <button type="button" className={styles.small} onClick={onReset} disabled={disabled || resetting} title={faultText("resetSandboxTitle", locale)}>
      {faultText(resetting ? "resetting" : "resetSandbox", locale)}
    </button>
  );
}
