"use client";

import { useId } from "react";
import { NumberField } from "@/components/faults";
import { Generator, LoadModel, MeasureCall, PayloadShape } from "@/lib/gen/lab/v1/measure_pb";
import type { Locale } from "@/lib/lessons/types";
import { MEASURE_LIMITS, measureTextFor, TARGETS, type MeasureTextKey } from "@/lib/measure";
import { availableTargets, type Draft } from "./draft";
import { TARGET_COLORS } from "./format";
import { SHAPE_TEXT } from "./PayloadSizes";
import css from "./measure.module.css";

export interface ConfigFormProps {
  draft: Draft;
  onChange: (d: Draft) => void;
  disabled?: boolean;
  locale?: Locale;
}

const CALLS: Array<{ call: MeasureCall; title: MeasureTextKey }> = [
  { call: MeasureCall.GET_USER, title: "call.getUser" },
  { call: MeasureCall.LIST_USERS, title: "call.listUsers" },
  { call: MeasureCall.ECHO, title: "call.echo" },
];

/** The run's settings: modes, where the generator runs, the call and its payload, the load. Limits are MEASURE_LIMITS'. */
export function ConfigForm({ draft: d, onChange, disabled, locale = "en" }: ConfigFormProps) {
  const t = measureTextFor(locale);
  const set = (p: Partial<Draft>) => onChange({ ...d, ...p });
  const allowed = new Set(availableTargets(d.generator));
  const L = MEASURE_LIMITS;
  // Radio groups are named per form: a lesson shows a Measure panel in several steps, and inputs sharing a
  // name form one group across the page (the HTML standard's radio button group), so checking one panel's radio cleared the others'.
  const id = useId();
  return (
    <div className={css.config}>
      <fieldset className={css.group} disabled={disabled}>
        <legend>{t("generatorLegend")}</legend>
        <label className={css.radio}>
          <input type="radio" name={`${id}-generator`} checked={d.generator === Generator.SERVER} onChange={() => set({ generator: Generator.SERVER })} />
          <span>
            {t("generatorServer")} <span className="muted">{t("generatorServerNote")}</span>
          </span>
        </label>
        <label className={css.radio}>
          <input type="radio" name={`${id}-generator`} checked={d.generator === Generator.BROWSER} onChange={() => set({ generator: Generator.BROWSER })} />
          <span>
            {t("generatorBrowser")} <span className="muted">{t("generatorBrowserNote")}</span>
          </span>
        </label>
      </fieldset>

      <fieldset className={css.group} disabled={disabled}>
        <legend>{t("modesLegend")}</legend>
        <div className={css.chips}>
          {TARGETS.map((target) => {
            const on = d.targets.includes(target.key) && allowed.has(target.key);
            const reachable = allowed.has(target.key);
            return (
              <button
                key={target.key}
                type="button"
                aria-pressed={on}
                disabled={!reachable}
                className={on ? `${css.chip} ${css.chipOn}` : css.chip}
                title={reachable ? t(`wire.${target.key}`) : t("grpcNotInBrowser")}
                onClick={() => set({ targets: on ? d.targets.filter((k) => k !== target.key) : [...d.targets, target.key] })}
              >
                <span className={css.swatch} style={{ background: TARGET_COLORS[target.key] }} aria-hidden />
                {target.title}
              </button>
            );
          })}
        </div>
      </fieldset>

      <fieldset className={css.group} disabled={disabled}>
        <legend>{t("callLegend")}</legend>
        <label className={css.inline}>
          <select aria-label={t("callLabel")} value={d.call} onChange={(e) => set({ call: Number(e.target.value) as MeasureCall })}>
            {CALLS.map((c) => (
              <option key={c.call} value={c.call}>
                {t(c.title)}
              </option>
            ))}
          </select>
        </label>
        {d.call === MeasureCall.ECHO && (
          <>
            <label className={css.inline}>
              {t("payload")}
              <select aria-label={t("payloadShape")} value={d.shape} onChange={(e) => set({ shape: Number(e.target.value) as PayloadShape })}>
                {([PayloadShape.USERS, PayloadShape.NUMBERS, PayloadShape.TEXT] as const).map((s) => (
                  <option key={s} value={s}>
                    {t(SHAPE_TEXT[s])}
                  </option>
                ))}
              </select>
            </label>
            <NumberField label={t("payloadBytes")} locale={locale} value={d.bytes} onChange={(v) => set({ bytes: v })} min={16} max={L.payloadBytes} scale="log" unit={t("bytesUnit")} />
          </>
        )}
      </fieldset>

      <fieldset className={css.group} disabled={disabled}>
        <legend>{t("loadLegend")}</legend>
        <label className={css.radio}>
          <input type="radio" name={`${id}-model`} checked={d.model === LoadModel.CLOSED} onChange={() => set({ model: LoadModel.CLOSED })} />
          <span>
            {t("closedModel")} <span className="muted">{t("closedModelNoteShort")}</span>
          </span>
        </label>
        <label className={css.radio}>
          <input type="radio" name={`${id}-model`} checked={d.model === LoadModel.OPEN} onChange={() => set({ model: LoadModel.OPEN })} />
          <span>
            {t("openModel")} <span className="muted">{t("openModelNoteShort")}</span>
          </span>
        </label>
        {d.model === LoadModel.CLOSED ? (
          <div className={css.fields}>
            <NumberField label={t("requestsN")} value={d.requests} onChange={(v) => set({ requests: v })} min={1} max={L.requests} scale="log" inputOnly />
            <NumberField label={t("concurrencyC")} value={d.concurrency} onChange={(v) => set({ concurrency: v })} min={1} max={L.concurrency} inputOnly />
            <NumberField label={t("warmupRequests")} value={d.warmupRequests} onChange={(v) => set({ warmupRequests: v })} min={0} max={L.requests} inputOnly hint={t("warmupRequestsHint")} />
          </div>
        ) : (
          <div className={css.fields}>
            <NumberField label={t("rateR")} value={d.ratePerSecond} onChange={(v) => set({ ratePerSecond: v })} min={1} max={L.ratePerSecond} unit="/s" inputOnly />
            <NumberField label={t("durationD")} value={d.durationS} onChange={(v) => set({ durationS: v })} min={0.1} max={L.runMs / 1000} step={0.5} unit="s" inputOnly />
            <NumberField label={t("warmup")} value={d.warmupS} onChange={(v) => set({ warmupS: v })} min={0} max={L.runMs / 1000} step={0.5} unit="s" inputOnly hint={t("warmupHint")} />
            <NumberField label={t("mostInFlight")} value={d.openConcurrency} onChange={(v) => set({ openConcurrency: v })} min={1} max={L.concurrency} inputOnly hint={t("mostInFlightHint")} />
          </div>
        )}
        <label className={css.inline}>
          {t("seed")}
          <input className={css.seed} aria-label={t("seedLabel")} value={d.seed} onChange={(e) => set({ seed: e.target.value.replace(/[^0-9]/g, "").slice(0, 19) })} inputMode="numeric" />
        </label>
      </fieldset>
    </div>
  );
}
