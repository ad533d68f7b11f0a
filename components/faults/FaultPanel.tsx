"use client";

import { useId, useState } from "react";
import { FaultKind, type FaultRule } from "@/lib/gen/lab/v1/fault_pb";
import { Mode } from "@/lib/gen/lab/v1/trace_pb";
import { FAULT_KINDS, FAULT_LIMITS, FAULT_PRESETS, type FaultKindInfo } from "@/lib/faults/catalog";
import { CONSUMERS, RPC_CODES, kindWord, modeTitle, presetActive, ruleChipText, targetFields, togglePreset, validateDraft, type FaultDraft } from "@/lib/faults/rules";
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
import { faultText, type FaultTextKey } from "@/lib/faults/fault-text";
import { textIn } from "@/lib/lessons/ui-text";
import type { Locale } from "@/lib/lessons/types";
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
  /** The page's language (English by default). */
  locale?: Locale;
}

/** Settings of the numeric params: label, range, unit (a text key where the unit is a word). */
const PARAM_FIELDS: Record<NumericParam, { label: FaultTextKey; min: number; max: number; unit: string | { key: FaultTextKey }; scale?: "log"; step?: number; zeroMeans?: FaultTextKey }> = {
  latencyMs: { label: "latency", min: 0, max: FAULT_LIMITS.latencyMs, unit: "ms", step: 10 },
  jitterMs: { label: "jitterPlusMinus", min: 0, max: FAULT_LIMITS.jitterMs, unit: "ms", step: 10 },
  bytesPerSecond: { label: "bandwidth", min: FAULT_LIMITS.bytesPerSecondMin, max: FAULT_LIMITS.bytesPerSecondMax, unit: "B/s", scale: "log" },
  sliceBytes: { label: "sliceSize", min: 1, max: FAULT_LIMITS.sliceBytesMax, unit: "B", scale: "log" },
  sliceDelayMs: { label: "sliceDelay", min: 0, max: FAULT_LIMITS.sliceDelayMs, unit: "ms" },
  afterBytes: { label: "after", min: 0, max: FAULT_LIMITS.afterBytesMax, unit: { key: "responseBytes" }, scale: "log", zeroMeans: "beforeAnyByte" },
  httpStatus: { label: "httpStatusRest", min: 400, max: 599, unit: "" },
  durationMs: { label: "outage", min: 1, max: FAULT_LIMITS.durationMs, unit: "ms", step: 500 },
  window: { label: "reorderWindow", min: FAULT_LIMITS.windowMin, max: FAULT_LIMITS.windowMax, unit: { key: "messagesUnit" } },
};

const SITE_WORDS: Record<FaultKindInfo["sites"][number], FaultTextKey> = { http: "siteHttp", mqtt: "siteMqtt", consumer: "siteConsumer", broker: "siteBroker" };

/**
 * Break it on purpose: one switch per fault kind (its parameters,
 * probability and target under it), presets, the active rules and "Clear
 * faults". A row edits the first rule of its kind; every change is the whole
 * rule list sent to LabService.SetFaults.
 */
export function FaultPanel({ rules, onRulesChange, onClear, error, saving, available = true, defaultExpanded = [], initialDrafts = [], nowMs, locale = "en" }: FaultPanelProps) {
  const t = textIn(faultText, locale);
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
    const errs = validateDraft(d, locale);
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
    const errs = validateDraft(d, locale);
    if (!errs.length && full) errs.push(t("rulesFull", { max: FAULT_LIMITS.rulesPerSession }));
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
        <h2 id={headId}>{t("faults")}</h2>
        <span className={styles.status} aria-live="polite">
          {saving ? t("saving") : rules.length ? t("nOn", { n: rules.length }) : t("noneOn")}
        </span>
        <button type="button" className={`${styles.right} ${styles.small}`} onClick={onClear} disabled={disabled || rules.length === 0}>
          {t("clearFaults")}
        </button>
      </div>
      <p className={styles.hint}>{t("faultHint")}</p>
      {disabled && <p className={styles.alert}>{t("noFaultRpc")}</p>}
      {error && (
        <p role="alert" className={styles.alert} data-testid="fault-error" lang="en">
          {error}
        </p>
      )}

      <div className={styles.presets} role="group" aria-label={t("presets")}>
        {FAULT_PRESETS.map((p) => {
          const on = presetActive(rules, p);
          return (
            <button
              key={p.id}
              type="button"
              className={styles.small}
              aria-pressed={on}
              disabled={disabled || (!on && rules.length + p.rules.length > FAULT_LIMITS.rulesPerSession)}
              title={p.rules.map((r) => `${FAULT_KINDS.find((k) => k.kind === r.kind)?.title[locale] ?? r.kind} ${Math.round((r.probability ?? 0) * 100)} %`).join(t("listSep"))}
              onClick={() => onRulesChange(togglePreset(rules, p))}
            >
              {p.title[locale]}
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
              locale={locale}
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

      <section aria-label={t("activeRules")}>
        <h3 className={styles.hint}>{t("activeRulesCount", { n: rules.length, max: FAULT_LIMITS.rulesPerSession })}</h3>
        {rules.length === 0 ? (
          <p className={styles.hint}>{t("noRules")}</p>
        ) : (
          <ul className={styles.rules} data-testid="fault-rules">
            {rules.map((r, i) => (
              <li key={r.id || `new-${i}`} className={styles.rule}>
                <span className={styles.text}>
                  {ruleChipText(r, nowMs, locale)}
                  {r.label ? <span className={styles.hits}> — {r.label}</span> : null}
                </span>
                <span className={styles.hits} title={t("firedTitle")}>
                  {r.hits > 0n ? t("fired", { n: String(r.hits) }) : r.id ? t("notFired") : t("saving")}
                </span>
                <button type="button" className={styles.small} aria-label={t("removeRule", { rule: ruleChipText(r, undefined, locale) })} disabled={disabled} onClick={() => onRulesChange(withoutRule(rules, i))}>
                  {t("remove")}
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
  locale: Locale;
  onOpen: (open: boolean) => void;
  onToggle: (on: boolean) => void;
  onEdit: (change: DraftEdit) => void;
}

function KindRow({ info, draft, on, more, seed, open, errors, disabled, locale, onOpen, onToggle, onEdit }: KindRowProps) {
  const t = textIn(faultText, locale);
  const title = info.title[locale];
  const bodyId = useId();
  const fields = targetFields(info.kind, draft.mode);
  const numeric = info.params.filter((p): p is NumericParam => p !== "rpcCode");
  return (
    <li className={on ? `${styles.kind} ${styles.on}` : styles.kind} data-kind={info.name}>
      <div className={styles.kindHead}>
        <label className={styles.switch}>
          <input type="checkbox" role="switch" checked={on} disabled={disabled} onChange={(e) => onToggle(e.target.checked)} aria-describedby={`${bodyId}-meta`} />
          {title}
        </label>
        <span id={`${bodyId}-meta`} className={styles.kindMeta} title={info.reference[locale]}>
          {info.sites.map((x) => t(SITE_WORDS[x])).join(t("listSep"))} · {info.reference[locale]}
        </span>
        <button type="button" className={styles.expand} aria-expanded={open} aria-controls={bodyId} aria-label={t(open ? "hideSettings" : "showSettings", { kind: title })} onClick={() => onOpen(!open)}>
          {open ? "▾" : "▸"} {on ? `${draft.probabilityPct} %` : t("settings")}
        </button>
      </div>
      {open && (
        <div id={bodyId} className={styles.kindBody} role="group" aria-label={t("kindSettings", { kind: title })}>
          <NumberField label={t("probability")} unit={t("probabilityUnit")} locale={locale} value={draft.probabilityPct} min={0} max={100} step={1} disabled={disabled} onChange={(v) => onEdit({ field: "probabilityPct", value: v })} />
          {numeric.map((p) => {
            const f = PARAM_FIELDS[p];
            return (
              <NumberField
                key={p}
                label={t(f.label)}
                locale={locale}
                unit={typeof f.unit === "string" ? f.unit : t(f.unit.key)}
                value={draft.params[p]}
                min={f.min}
                max={f.max}
                step={f.step}
                scale={f.scale}
                zeroMeans={f.zeroMeans && t(f.zeroMeans)}
                inputOnly={p === "httpStatus"}
                disabled={disabled}
                onChange={(v) => onEdit({ field: "param", param: p, value: v })}
              />
            );
          })}
          {info.params.includes("rpcCode") && (
            <label className={styles.field}>
              {t("rpcCode")}
              <select className={styles.select} value={draft.params.rpcCode} disabled={disabled} onChange={(e) => onEdit({ field: "rpcCode", value: e.target.value })}>
                {RPC_CODES.map((c) => (
                  <option key={c}>{c}</option>
                ))}
              </select>
            </label>
          )}
          <div className={styles.grid2}>
            <label className={styles.field}>
              {t("mode")}
              <select className={styles.select} value={draft.mode} disabled={disabled} onChange={(e) => onEdit({ field: "mode", value: Number(e.target.value) as Mode })}>
                <option value={Mode.UNSPECIFIED}>{t("any")}</option>
                {info.modes.map((m) => (
                  <option key={m} value={m}>
                    {modeTitle(m, locale)}
                  </option>
                ))}
              </select>
            </label>
            {fields.consumer && (
              <label className={styles.field}>
                {t("consumer")}
                <select className={styles.select} value={draft.consumer} disabled={disabled} onChange={(e) => onEdit({ field: "consumer", value: e.target.value })}>
                  <option value="">{t("any")}</option>
                  {CONSUMERS.map((c) => (
                    <option key={c}>{c}</option>
                  ))}
                </select>
              </label>
            )}
            {fields.service && (
              <>
                <label className={styles.field}>
                  {t("service")}
                  <input className={styles.input} value={draft.service} placeholder={t("anyService")} disabled={disabled} onChange={(e) => onEdit({ field: "service", value: e.target.value })} />
                </label>
                <label className={styles.field}>
                  {t("method")}
                  <input className={styles.input} value={draft.method} placeholder={t("anyMethod")} disabled={disabled} onChange={(e) => onEdit({ field: "method", value: e.target.value })} />
                </label>
              </>
            )}
            {fields.topic && (
              <label className={styles.field}>
                {t("topicFilter")}
                <input className={styles.input} value={draft.topic} placeholder={t("anyTopic")} disabled={disabled} onChange={(e) => onEdit({ field: "topic", value: e.target.value })} />
              </label>
            )}
          </div>
          <details className={styles.more}>
            <summary>{t("labelLifetimeSeed")}</summary>
            <div className={styles.grid2}>
              <label className={styles.field}>
                {t("labelOnChip")}
                <input className={styles.input} value={draft.label} maxLength={FAULT_LIMITS.labelChars} disabled={disabled} onChange={(e) => onEdit({ field: "label", value: e.target.value })} />
              </label>
              <label className={styles.field}>
                {t("seed")}
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
              <NumberField label={t("liftsAfter")} locale={locale} unit="ms" zeroMeans={t("untilCleared")} value={draft.lifetimeMs} min={0} max={FAULT_LIMITS.durationMs} step={1000} disabled={disabled} onChange={(v) => onEdit({ field: "lifetimeMs", value: v })} />
            )}
          </details>
          {more > 0 && <p className={styles.hint}>{t("moreRules", { name: kindWord(info, locale), n: more })}</p>}
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
