"use client";

import Link from "next/link";
import { ui } from "@/lib/lessons/ui-text";
import { useLesson } from "../lesson-context";
import css from "../lessons.module.css";

export interface MeasureProps {
  /** What to measure, for the measure panel when it arrives ("GetUser"). */
  call?: string;
  modes?: readonly string[];
}

/**
 * `<Measure call="GetUser" modes={["rest","connect"]} />` — PLACEHOLDER SLOT.
 *
 * The measure panel (components/measure/MeasurePanel: latency percentiles,
 * constant-rate runs, size charts) is being built on another branch. Until
 * it lands this renders a link to the playground's measure panel; when it
 * does, render <MeasurePanel …/> here with these props, and every lesson
 * that embeds <Measure> gets it without touching its MDX.
 */
export function Measure({ call, modes }: MeasureProps) {
  const { locale } = useLesson();
  return (
    <div className={`${css.widget} ${css.measureSlot}`} data-widget="measure" data-call={call} data-modes={modes?.join(",")}>
      <p className={css.widgetTitle}>📏 {ui("measureTitle", locale)}</p>
      <p>
        {ui("measureSoon", locale)} <Link href="/playground#measure">{ui("measureLink", locale)}</Link>
      </p>
    </div>
  );
}
