"use client";

import { useId, useState } from "react";
import { faultText } from "@/lib/faults/fault-text";
import type { Locale } from "@/lib/lessons/types";
import styles from "./faults.module.css";

export interface NumberFieldProps {
  label: string;
  /** The page's language, for the slider's accessible name ("<label> (slider)"). */
  locale?: Locale;
  value: number;
  onChange: (value: number) => void;
  min: number;
  max: number;
  step?: number;
  unit?: string;
  /** "log" for ranges over several orders of magnitude (bandwidth, TTL). */
  scale?: "linear" | "log";
  /** No slider, only the number input. */
  inputOnly?: boolean;
  disabled?: boolean;
  hint?: string;
  /** Shown as the value's meaning when it is 0 ("none", "never"). */
  zeroMeans?: string;
}

const LOG_STEPS = 1000;

function toSlider(v: number, min: number, max: number, scale: "linear" | "log"): number {
  if (scale === "linear") return v;
  const lo = Math.log(Math.max(1, min));
  const hi = Math.log(Math.max(1, max));
  return Math.round(((Math.log(Math.max(1, v)) - lo) / (hi - lo)) * LOG_STEPS);
}

function fromSlider(p: number, min: number, max: number, scale: "linear" | "log"): number {
  if (scale === "linear") return p;
  const lo = Math.log(Math.max(1, min));
  const hi = Math.log(Math.max(1, max));
  const v = Math.exp(lo + (p / LOG_STEPS) * (hi - lo));
  // Two significant digits: 1 000, 1 500, 25 000 rather than 24 871.
  const mag = 10 ** Math.max(0, Math.floor(Math.log10(v)) - 1);
  return p <= 0 ? min : Math.min(max, Math.round(v / mag) * mag);
}

/**
 * A number with a slider and a typed input side by side. The typed text is
 * kept as typed while it is not a number yet ("", "-"), so clearing the
 * field to type a new value does not snap it to 0; out-of-range values are
 * passed on, for the caller to explain.
 */
export function NumberField({ label, locale = "en", value, onChange, min, max, step = 1, unit, scale = "linear", inputOnly, disabled, hint, zeroMeans }: NumberFieldProps) {
  const id = useId();
  const [typing, setTyping] = useState<string | null>(null);
  const invalid = !Number.isFinite(value) || value < min || value > max;
  return (
    <div className={styles.field}>
      <span>
        <label htmlFor={id}>{label}</label>
        <span className={styles.unit}>
          {value === 0 && zeroMeans ? zeroMeans : unit}
        </span>
      </span>
      <span className={styles.numberRow}>
        {!inputOnly && (
          <input
            type="range"
            aria-label={faultText("slider", locale, { label })}
            min={scale === "log" ? 0 : min}
            max={scale === "log" ? LOG_STEPS : max}
            step={scale === "log" ? 1 : step}
            value={toSlider(Math.min(max, Math.max(min, value)), min, max, scale)}
            disabled={disabled}
            onChange={(e) => {
              setTyping(null);
              onChange(fromSlider(Number(e.target.value), min, max, scale));
            }}
          />
        )}
        <input
          id={id}
          className={styles.input}
          type="number"
          inputMode="decimal"
          min={min}
          max={max}
          step={step}
          value={typing ?? String(value)}
          aria-invalid={invalid}
          aria-describedby={hint ? `${id}-hint` : undefined}
          disabled={disabled}
          onChange={(e) => {
            const text = e.target.value;
            const n = Number(text);
            if (text.trim() !== "" && Number.isFinite(n)) {
              setTyping(null);
              onChange(n);
            } else setTyping(text);
          }}
          onBlur={() => setTyping(null)}
        />
      </span>
      {hint && (
        <span id={`${id}-hint`} className={styles.hint}>
          {hint}
        </span>
      )}
    </div>
  );
}
