"use client";

import Link from "next/link";
import { modeTitle } from "@/lib/lessons/actions";
import { ui, type UiKey } from "@/lib/lessons/ui-text";
import { useLesson } from "../lesson-context";
import css from "../lessons.module.css";

/** A closed-model run: N requests, C in flight, the first W left out. */
export interface ClosedLoad {
  model: "closed";
  requests: number;
  concurrency?: number;
  warmupRequests?: number;
}

/** An open-model run: R requests per second for D ms on a fixed schedule (corrected for coordinated omission). */
export interface OpenLoad {
  model: "open";
  ratePerSecond: number;
  durationMs: number;
  concurrency?: number;
  warmupMs?: number;
}

export interface MeasureProps {
  /** What to measure: "GetUser", "ListUsers" or "Echo" (the measure panel's MeasureCall). */
  call?: string;
  /**
   * Measured one after another: modes ("rest", "connect", "mqtt") or the
   * measure panel's target keys ("connect-json", "connect-binary",
   * "grpc-web", "grpc", "mqtt-qos0" … "mqtt-qos2").
   */
  modes?: readonly string[];
  /** Echo's payload: what it is made of and the size of its JSON encoding, in bytes. */
  payload?: { shape: "users" | "numbers" | "text"; bytes: number };
  load?: ClosedLoad | OpenLoad;
  /** Where the load comes from: the lab server (service → service over loopback) or this browser. */
  generator?: "server" | "browser";
}

const TARGET_TITLES: Readonly<Record<string, string>> = {
  "connect-json": "Connect JSON",
  "connect-binary": "Connect protobuf",
  "mqtt-qos0": "MQTT QoS 0",
  "mqtt-qos1": "MQTT QoS 1",
  "mqtt-qos2": "MQTT QoS 2",
};

/**
 * `<Measure call="Echo" modes={["rest", "grpc"]} payload={{ shape: "users", bytes: 16384 }} load={{ model: "open", ratePerSecond: 200, durationMs: 10000 }} generator="server" />`
 * — PLACEHOLDER SLOT.
 *
 * The measure panel (components/measure/MeasurePanel: HdrHistogram
 * percentiles, closed and open runs, the seeds' claims against this
 * machine) is being built on another branch. Until it lands this shows
 * the run the step asks for, in words, and links to the playground; when
 * it does, render <MeasurePanel preset={…}/> here from these props (they
 * map one to one onto its RunConfig: targets, call, payload, load,
 * generator), and every lesson that embeds <Measure> gets it without
 * touching its MDX.
 */
export function Measure({ call, modes, payload, load, generator }: MeasureProps) {
  const { locale } = useLesson();
  const zh = locale === "zh-CN";
  const targets = modes?.map((m) => TARGET_TITLES[m] ?? modeTitle(m)).join(zh ? "、" : ", ");
  const loadText =
    load === undefined
      ? undefined
      : load.model === "closed"
        ? ui("measureClosed", locale, { n: load.requests, c: load.concurrency ?? 1, w: load.warmupRequests ?? 0 })
        : ui("measureOpen", locale, { rate: load.ratePerSecond, s: load.durationMs / 1000, c: load.concurrency ?? 1, w: (load.warmupMs ?? 0) / 1000 });
  const rows: Array<[string, string | undefined]> = [
    [ui("measureCall", locale), call],
    [ui("measureTargets", locale), targets],
    [ui("measurePayload", locale), payload && ui("measurePayloadText", locale, { bytes: payload.bytes.toLocaleString("en"), shape: ui(`payload_${payload.shape}` as UiKey, locale) })],
    [ui("measureLoad", locale), loadText],
    [ui("measureGenerator", locale), generator && ui(generator === "server" ? "generatorServer" : "generatorBrowser", locale)],
  ];
  const plan = rows.filter((r): r is [string, string] => r[1] !== undefined);
  return (
    <div className={`${css.widget} ${css.measureSlot}`} data-widget="measure" data-call={call} data-modes={modes?.join(",")} data-load={load ? JSON.stringify(load) : undefined}>
      <p className={css.widgetTitle}>📏 {ui("measureTitle", locale)}</p>
      {plan.length > 0 && (
        <>
          <p>{ui("measurePlanned", locale)}</p>
          <dl className={css.measurePlan}>
            {plan.map(([k, v]) => (
              <div key={k} style={{ display: "contents" }}>
                <dt>{k}</dt>
                <dd>{v}</dd>
              </div>
            ))}
          </dl>
        </>
      )}
      <p>
        {ui("measureSoon", locale)} <Link href="/playground#measure">{ui("measureLink", locale)}</Link>
      </p>
    </div>
  );
}
