"use client";

import { NumberField } from "@/components/faults";
import { Generator, LoadModel, MeasureCall, PayloadShape } from "@/lib/gen/lab/v1/measure_pb";
import { MEASURE_LIMITS, TARGETS } from "@/lib/measure";
import { availableTargets, type Draft } from "./draft";
import { TARGET_COLORS } from "./format";
import { SHAPE_TITLE } from "./PayloadSizes";
import css from "./measure.module.css";

export interface ConfigFormProps {
  draft: Draft;
  onChange: (d: Draft) => void;
  disabled?: boolean;
}

const CALLS: Array<{ call: MeasureCall; title: string }> = [
  { call: MeasureCall.GET_USER, title: "GetUser (small, fixed)" },
  { call: MeasureCall.LIST_USERS, title: "ListUsers (a stream)" },
  { call: MeasureCall.ECHO, title: "Echo (a payload you size)" },
];

/** The run's settings: modes, where the generator runs, the call and its payload, the load. Limits are MEASURE_LIMITS'. */
export function ConfigForm({ draft: d, onChange, disabled }: ConfigFormProps) {
  const set = (p: Partial<Draft>) => onChange({ ...d, ...p });
  const allowed = new Set(availableTargets(d.generator));
  const L = MEASURE_LIMITS;
  return (
    <div className={css.config}>
      <fieldset className={css.group} disabled={disabled}>
        <legend>Where the load comes from</legend>
        <label className={css.radio}>
          <input type="radio" name="measure-generator" checked={d.generator === Generator.SERVER} onChange={() => set({ generator: Generator.SERVER })} />
          The lab server <span className="muted">(service → service, loopback)</span>
        </label>
        <label className={css.radio}>
          <input type="radio" name="measure-generator" checked={d.generator === Generator.BROWSER} onChange={() => set({ generator: Generator.BROWSER })} />
          This browser <span className="muted">(browser → service, a Web Worker)</span>
        </label>
      </fieldset>

      <fieldset className={css.group} disabled={disabled}>
        <legend>Modes, measured one after another</legend>
        <div className={css.chips}>
          {TARGETS.map((t) => {
            const on = d.targets.includes(t.key) && allowed.has(t.key);
            const reachable = allowed.has(t.key);
            return (
              <button
                key={t.key}
                type="button"
                aria-pressed={on}
                disabled={!reachable}
                className={on ? `${css.chip} ${css.chipOn}` : css.chip}
                title={reachable ? t.wire : "browsers do not expose HTTP/2 trailers: native gRPC only from the server"}
                onClick={() => set({ targets: on ? d.targets.filter((k) => k !== t.key) : [...d.targets, t.key] })}
              >
                <span className={css.swatch} style={{ background: TARGET_COLORS[t.key] }} aria-hidden />
                {t.title}
              </button>
            );
          })}
        </div>
      </fieldset>

      <fieldset className={css.group} disabled={disabled}>
        <legend>Call</legend>
        <label className={css.inline}>
          <select aria-label="What to measure" value={d.call} onChange={(e) => set({ call: Number(e.target.value) as MeasureCall })}>
            {CALLS.map((c) => (
              <option key={c.call} value={c.call}>
                {c.title}
              </option>
            ))}
          </select>
        </label>
        {d.call === MeasureCall.ECHO && (
          <>
            <label className={css.inline}>
              Payload
              <select aria-label="Payload shape" value={d.shape} onChange={(e) => set({ shape: Number(e.target.value) as PayloadShape })}>
                {[PayloadShape.USERS, PayloadShape.NUMBERS, PayloadShape.TEXT].map((s) => (
                  <option key={s} value={s}>
                    {SHAPE_TITLE[s]}
                  </option>
                ))}
              </select>
            </label>
            <NumberField label="Payload size (as JSON)" value={d.bytes} onChange={(v) => set({ bytes: v })} min={16} max={L.payloadBytes} scale="log" unit="bytes" />
          </>
        )}
      </fieldset>

      <fieldset className={css.group} disabled={disabled}>
        <legend>Load</legend>
        <label className={css.radio}>
          <input type="radio" name="measure-model" checked={d.model === LoadModel.CLOSED} onChange={() => set({ model: LoadModel.CLOSED })} />
          N requests at concurrency C <span className="muted">(closed model, like autocannon without -R)</span>
        </label>
        <label className={css.radio}>
          <input type="radio" name="measure-model" checked={d.model === LoadModel.OPEN} onChange={() => set({ model: LoadModel.OPEN })} />
          R requests/s for D seconds <span className="muted">(open model, like wrk2: latency from each request&apos;s intended send time)</span>
        </label>
        {d.model === LoadModel.CLOSED ? (
          <div className={css.fields}>
            <NumberField label="Requests (N)" value={d.requests} onChange={(v) => set({ requests: v })} min={1} max={L.requests} scale="log" inputOnly />
            <NumberField label="Concurrency (C)" value={d.concurrency} onChange={(v) => set({ concurrency: v })} min={1} max={L.concurrency} inputOnly />
            <NumberField label="Warm-up requests" value={d.warmupRequests} onChange={(v) => set({ warmupRequests: v })} min={0} max={L.requests} inputOnly hint="sent first, left out" />
          </div>
        ) : (
          <div className={css.fields}>
            <NumberField label="Rate (R)" value={d.ratePerSecond} onChange={(v) => set({ ratePerSecond: v })} min={1} max={L.ratePerSecond} unit="/s" inputOnly />
            <NumberField label="Duration (D)" value={d.durationS} onChange={(v) => set({ durationS: v })} min={0.1} max={L.runMs / 1000} step={0.5} unit="s" inputOnly />
            <NumberField label="Warm-up" value={d.warmupS} onChange={(v) => set({ warmupS: v })} min={0} max={L.runMs / 1000} step={0.5} unit="s" inputOnly hint="at the rate, left out" />
            <NumberField label="Most in flight" value={d.openConcurrency} onChange={(v) => set({ openConcurrency: v })} min={1} max={L.concurrency} inputOnly hint="like connections" />
          </div>
        )}
        <label className={css.inline}>
          Seed
          <input className={css.seed} aria-label="Seed of the payload" value={d.seed} onChange={(e) => set({ seed: e.target.value.replace(/[^0-9]/g, "").slice(0, 19) })} inputMode="numeric" />
        </label>
      </fieldset>
    </div>
  );
}
