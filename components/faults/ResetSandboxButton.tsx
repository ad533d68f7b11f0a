"use client";

import styles from "./faults.module.css";

export interface ResetSandboxButtonProps {
  onReset: () => void;
  resetting?: boolean;
  disabled?: boolean;
}

/** LabService.ResetSandbox: a fresh start for the session's data, counters, faults, defences and trace. */
export function ResetSandboxButton({ onReset, resetting, disabled }: ResetSandboxButtonProps) {
  return (
    <button type="button" className={styles.small} onClick={onReset} disabled={disabled || resetting} title="Resets the session's data, counters, faults, defences and trace">
      {resetting ? "Resetting…" : "Reset sandbox"}
    </button>
  );
}
