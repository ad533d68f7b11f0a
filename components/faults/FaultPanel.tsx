"use client";

import { useId, useState } from "react";
import { FaultKind, type FaultRule } from "@/lib/gen/lab/v1/fault_pb";
import { Mode } from "@/lib/gen/lab/v1/trace_pb";
import { FAULT_KINDS, FAULT_LIMITS, FAULT_PRESETS, type FaultKindInfo } from "@/lib/faults/catalog";
import { CONSUMERS, RPC_CODES, modeTitle, presetActive, ruleChipText, targetFields, togglePreset, validateDraft, type FaultDraft } from "@/lib/faults/rules";
import { NumberField } from "./NumberField";
import {
  applyEdit,
  firstRuleOf,
  initialDraftState,
  syncDrafts,
  withDraft,
  withKindRule,
  withoutKind,
  withoutRule,
  type DraftEdit,
  type DraftState,
  type NumericParam,
} from "./panel-model";
import styles from "./faults.module.css";

export interface FaultPanelProps {
  /** The session's rules (as shown: possibly not yet confirmed). */
  rules: readonly FaultRule[];
  /** Replace the session's rules; `debounce` for a field being edited. */
  onRulesChange: (rules: FaultRule[], opts?: { debounce?: boolean }) => void;
  onClear: () => void;
  /** The server's refusal or a failed call, in words. */
  error?: string;
  saving?: boolean;
  /** False: the server has no fault RPCs; the panel explains and disables itself. */
  available?: boolean;
  /** Kinds whose rows start open. */
  defaultExpanded?: readonly FaultKind[];
  /** Start with these drafts (tests, lessons). */
  initialDrafts?: readonly FaultDraft[];
  /** Time for the "s left" of self-lifting rules. */
  nowMs?: number;
}

/** Settings of the numeric params: label, range, unit. */
const PARAM_FIELDS: Record<NumericParam, { label: string; min: number; max: number; unit: string; scale?: "log"; step?: number; zeroMeans?: string }> = {
  latencyMs: { label: "Latency", min: 0, max: FAULT_LIMITS.latencyMs, unit: "ms", step: 10 },
  jitterMs: { label: "Jitter ±", min: 0, max: FAULT_LIMITS.jitterMs, unit: "ms", step: 10 },
  bytesPerSecond: { label: "Bandwidth", min: FAULT_LIMITS.bytesPerSecondMin, max: FAULT_LIMITS.bytesPerSecondMax, unit: "B/s", scale: "log" },
  sliceBytes: { label: "Slice size", min: 1, max: FAULT_LIMITS.sliceBytesMax, unit: "B", scale: "log" },
  sliceDelayMs: { label: "Delay between slices", min: 0, max: FAULT_LIMITS.sliceDelayMs, unit: "ms" },
  afterBytes: { label: "After", min: 0, max: FAULT_LIMITS.afterBytesMax, unit: "response bytes", scale: "log", zeroMeans: "before any byte" },
  httpStatus: { label: "HTTP status (REST)", min: 400, max: 599, unit: "" },
  durationMs: { label: "Outage", min: 1, max: FAULT_LIMITS.durationMs, unit: "ms", step: 500 },
  window: { label: "Reorder window", min: FAULT_LIMITS.windowMin, max: FAULT_LIMITS.windowMax, unit: "messages" },
};

const SITE_WORDS: Record<string, string> = { http: "HTTP/RPC", mqtt: "MQTT", consumer: "consumer", broker: "broker" };

/**
 * Break it on purpose: one switch per fault kind (its parameters,
 * probability and target under it), presets, the active rules and "Clear
 * faults". A row edits the first rule of its kind; every change is the whole
 * rule list sent to LabService.SetFaults.
 */
export function FaultPanel({ rules, onRulesChange, onClear, error, saving, available = true, defaultExpanded = [], initialDrafts = [], nowMs }: FaultPanelProps) {
  const [state, setState] = useState<DraftState>(() => {
    const s = initialDraftState();
    for (const d of initialDrafts) s.drafts[d.kind] = d;
    return s;
  });
  const [expanded, setExpanded] = useState<ReadonlySet<FaultKind>>(() => new Set(defaultExpanded));
  const [rowErrors, setRowErrors] = useState<Partial<Record<FaultKind, string[]>>>({});
  const headId = useId();

  // Rows follow rules changed elsewhere (adjusting state while rendering, not in an effect).
  let s = state;
  if (state.rules !== rules) {
    s = syncDrafts(state, rules);
    setState(s);
  }

  const disabled = available === false;
  const full = rules.length >= FAULT_LIMITS.rulesPerSession;

  function showErrors(kind: FaultKind, errs: string[]) {
    setRowErrors((e) => ({ ...e, [kind]: errs.length ? errs : undefined }));
  }

  function edit(kind: FaultKind, change: DraftEdit) {
    const d = applyEdit(s.drafts[kind], change);
    const errs = validateDraft(d);
    showErrors(kind, errs);
    const on = firstRuleOf(rules, kind) !== undefined;
    const commit = on && errs.length === 0;
    setState(withDraft(s, d, commit));
    if (commit) onRulesChange(withKindRule(rules, d), { debounce: true });
  }

  function toggle(kind: FaultKind, on: boolean) {
    if (!on) {
      onRulesChange(withoutKind(rules, kind));
      return;
    }
    const d = s.drafts[kind];
    const errs = validateDraft(d);
    if (!errs.length && full) errs.push(`At most ${FAULT_LIMITS.rulesPerSession} rules per session: remove one first.`);
    showErrors(kind, errs);
    if (errs.length) {
      setExpanded((x) => new Set(x).add(kind));
      return;
    }
    setState(withDraft(s, d, true));
    setExpanded((x) => new Set(x).add(kind));
    onRulesChange(withKindRule(rules, d));
  }

  return (
    <div className={styles.stack} data-testid="fault-panel">
      <div className={styles.head}>
        <h2 id={headId}>Faults</h2>
        <span className={styles.status} aria-live="polite">
          {saving ? "saving…" : rules.length ? `${rules.length} on` : "none on"}
        </span>
        <button type="button" className={`${styles.right} ${styles.small}`} onClick={onClear} disabled={disabled || rules.length === 0}>
          Clear faults
        </button>
      </div>
      <p className={styles.hint}>Only your session is affected. Probability 100 % hits every matching hop; seeds make a run repeatable.</p>
      {disabled && <p className={styles.alert}>This server has no fault injection yet (LabService.SetFaults is missing).</p>}
      {error && (
        <p role="alert" className={styles.alert} data-testid="fault-error">
          {error}
        </p>
      )}

      <div className={styles.presets} role="group" aria-label="Presets">
        {FAULT_PRESETS.map((p) => {
          const on = presetActive(rules, p);
          return (
            <button
              key={p.id}
              type="button"
              className={styles.small}
              aria-pressed={on}
              disabled={disabled || (!on && rules.length + p.rules.length > FAULT_LIMITS.rulesPerSession)}
              title={p.rules.map((r) => `${FAULT_KINDS.find((k) => k.kind === r.kind)?.name ?? r.kind} ${Math.round((r.probability ?? 0) * 100)} %`).join(", ")}
              onClick={() => onRulesChange(togglePreset(rules, p))}
            >
              {p.title.en}
            </button>
          );
        })}
      </div>

      <ul className={styles.kinds} aria-labelledby={headId}>
        {FAULT_KINDS.map((info) => {
          const rule = firstRuleOf(rules, info.kind);
          const more = rules.filter((r) => r.kind === info.kind).length - 1;
          return (
            <KindRow
              key={info.kind}
              info={info}
              draft={s.drafts[info.kind]}
              on={rule !== undefined}
              more={more}
              seed={rule?.seed}
              open={expanded.has(info.kind)}
              errors={rowErrors[info.kind]}
              disabled={disabled}
              onOpen={(open) =>
                setExpanded((x) => {
                  const n = new Set(x);
                  if (open) n.add(info.kind);
                  else n.delete(info.kind);
                  return n;
                })
              }
              onToggle={(on) => toggle(info.kind, on)}
              onEdit={(change) => edit(info.kind, change)}
            />
          );
        })}
      </ul>

      <section aria-label="Active rules">
        <h3 className={styles.hint}>Active rules ({rules.length}/{FAULT_LIMITS.rulesPerSession})</h3>
        {rules.length === 0 ? (
          <p className={styles.hint}>No fault is on: the services behave.</p>
        ) : (
          <ul className={styles.rules} data-testid="fault-rules">
            {rules.map((r, i) => (
              <li key={r.id || `new-${i}`} className={styles.rule}>
                <span className={styles.text}>
                  {ruleChipText(r, nowMs)}
                  {r.label ? <span className={styles.hits}> — {r.label}</span> : null}
                </span>
                <span className={styles.hits} title="How many times the rule fired since it was set">
                  {r.hits > 0n ? `fired ${r.hits}×` : r.id ? "not fired yet" : "saving…"}
                </span>
                <button type="button" className={styles.small} aria-label={`Remove ${ruleChipText(r)}`} disabled={disabled} onClick={() => onRulesChange(withoutRule(rules, i))}>
                  Remove
                </button>
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}

interface KindRowProps {
  info: FaultKindInfo;
  draft: FaultDraft;
  on: boolean;
  /** Other rules of the same kind (from presets), listed under Active rules. */
  more: number;
  seed?: bigint;
  open: boolean;
  errors?: string[];
  disabled: boolean;
  onOpen: (open: boolean) => void;
  onToggle: (on: boolean) => void;
  onEdit: (change: DraftEdit) => void;
}

function KindRow({ info, draft, on, more, seed, open, errors, disabled, onOpen, onToggle, onEdit }: KindRowProps) {
  const bodyId = useId();
  const fields = targetFields(info.kind, draft.mode);
  const numeric = info.params.filter((p): p is NumericParam => p !== "rpcCode");
  return (
    <li className={on ? `${styles.kind} ${styles.on}` : styles.kind} data-kind={info.name}>
      <div className={styles.kindHead}>
        <label className={styles.switch}>
          <input type="checkbox" role="switch" checked={on} disabled={disabled} onChange={(e) => onToggle(e.target.checked)} aria-describedby={`${bodyId}-meta`} />
          {info.title.en}
        </label>
        <span id={`${bodyId}-meta`} className={styles.kindMeta} title={info.reference}>
          {info.sites.map((x) => SITE_WORDS[x] ?? x).join(", ")} · {info.reference}
        </span>
        <button type="button" className={styles.expand} aria-expanded={open} aria-controls={bodyId} aria-label={`${open ? "Hide" : "Show"} settings of ${info.title.en}`} onClick={() => onOpen(!open)}>
          {open ? "▾" : "▸"} {on ? `${draft.probabilityPct} %` : "settings"}
        </button>
      </div>
      {open && (
        <div id={bodyId} className={styles.kindBody} role="group" aria-label={`${info.title.en} settings`}>
          <NumberField label="Probability" unit="% of matching hops" value={draft.probabilityPct} min={0} max={100} step={1} disabled={disabled} onChange={(v) => onEdit({ field: "probabilityPct", value: v })} />
          {numeric.map((p) => {
            const f = PARAM_FIELDS[p];
            return (
              <NumberField
                key={p}
                label={f.label}
                unit={f.unit}
                value={draft.params[p]}
                min={f.min}
                max={f.max}
                step={f.step}
                scale={f.scale}
                zeroMeans={f.zeroMeans}
                inputOnly={p === "httpStatus"}
                disabled={disabled}
                onChange={(v) => onEdit({ field: "param", param: p, value: v })}
              />
            );
          })}
          {info.params.includes("rpcCode") && (
            <label className={styles.field}>
              RPC code (Connect, gRPC, MQTT request/reply)
              <select className={styles.select} value={draft.params.rpcCode} disabled={disabled} onChange={(e) => onEdit({ field: "rpcCode", value: e.target.value })}>
                {RPC_CODES.map((c) => (
                  <option key={c}>{c}</option>
                ))}
              </select>
            </label>
          )}
          <div className={styles.grid2}>
            <label className={styles.field}>
              Mode
              <select className={styles.select} value={draft.mode} disabled={disabled} onChange={(e) => onEdit({ field: "mode", value: Number(e.target.value) as Mode })}>
                <option value={Mode.UNSPECIFIED}>any</option>
                {info.modes.map((m) => (
                  <option key={m} value={m}>
                    {modeTitle(m)}
                  </option>
                ))}
              </select>
            </label>
            {fields.consumer && (
              <label className={styles.field}>
                Consumer
                <select className={styles.select} value={draft.consumer} disabled={disabled} onChange={(e) => onEdit({ field: "consumer", value: e.target.value })}>
                  <option value="">any</option>
                  {CONSUMERS.map((c) => (
                    <option key={c}>{c}</option>
                  ))}
                </select>
              </label>
            )}
            {fields.service && (
              <>
                <label className={styles.field}>
                  Service
                  <input className={styles.input} value={draft.service} placeholder="any, e.g. UserService" disabled={disabled} onChange={(e) => onEdit({ field: "service", value: e.target.value })} />
                </label>
                <label className={styles.field}>
                  Method
                  <input className={styles.input} value={draft.method} placeholder="any, e.g. GetUser" disabled={disabled} onChange={(e) => onEdit({ field: "method", value: e.target.value })} />
                </label>
              </>
            )}
            {fields.topic && (
              <label className={styles.field}>
                Topic filter
                <input className={styles.input} value={draft.topic} placeholder="any, e.g. events/#" disabled={disabled} onChange={(e) => onEdit({ field: "topic", value: e.target.value })} />
              </label>
            )}
          </div>
          <details className={styles.more}>
            <summary>Label, lifetime, seed</summary>
            <div className={styles.grid2}>
              <label className={styles.field}>
                Label (on the chip)
                <input className={styles.input} value={draft.label} maxLength={FAULT_LIMITS.labelChars} disabled={disabled} onChange={(e) => onEdit({ field: "label", value: e.target.value })} />
              </label>
              <label className={styles.field}>
                Seed (0 = the server picks)
                <input
                  className={styles.input}
                  inputMode="numeric"
                  value={draft.seed === 0n && seed ? "" : String(draft.seed)}
                  placeholder={seed ? String(seed) : "0"}
                  disabled={disabled}
                  onChange={(e) => {
                    const t = e.target.value.trim();
                    if (t === "" || /^\d{1,19}$/.test(t)) onEdit({ field: "seed", value: t === "" ? 0n : BigInt(t) });
                  }}
                />
              </label>
            </div>
            {!info.params.includes("durationMs") && (
              <NumberField label="Lifts itself after" unit="ms" zeroMeans="until cleared" value={draft.lifetimeMs} min={0} max={FAULT_LIMITS.durationMs} step={1000} disabled={disabled} onChange={(v) => onEdit({ field: "lifetimeMs", value: v })} />
            )}
          </details>
          {more > 0 && <p className={styles.hint}>This row edits the first {info.name} rule; {more} more under Active rules.</p>}
          {errors && errors.length > 0 && (
            <ul className={styles.errors} role="alert">
              {errors.map((e) => (
                <li key={e}>{e}</li>
              ))}
            </ul>
          )}
        </div>
      )}
    </li>
  );
}
