"use client";

import { useId } from "react";
import { clone, create } from "@bufbuild/protobuf";
import { DefencesSchema, RetryPolicySchema, type Defences, type RetryPolicy } from "@/lib/gen/lab/v1/fault_pb";
import { DEFENCE_LIMITS, defaultDefences } from "@/lib/faults/catalog";
import { NumberField } from "./NumberField";
import { faultText } from "@/lib/faults/fault-text";
import { textIn } from "@/lib/lessons/ui-text";
import type { Locale } from "@/lib/lessons/types";
import styles from "./faults.module.css";

export interface DefencePanelProps {
  /** The session's defences; undefined while loading. */
  defences?: Defences;
  onChange: (defences: Defences) => void;
  error?: string;
  saving?: boolean;
  /** False: the server has no defence RPCs yet. */
  available?: boolean;
  /** The page's language (English by default). */
  locale?: Locale;
}

type Scalar = Exclude<keyof Defences, "$typeName" | "$unknown" | "retry">;

/**
 * The defences of the session, grouped where they act: the client (deadline,
 * retries, idempotency keys), the gateway (deadline propagation), the queue
 * (QoS, sessions, de-duplication, dead letters) and the connections. Each
 * change is the whole Defences message, sent to LabService.SetDefences.
 */
export function DefencePanel({ defences, onChange, error, saving, available = true, locale = "en" }: DefencePanelProps) {
  const t = textIn(faultText, locale);
  const headId = useId();
  const d = defences;
  const disabled = available === false || d === undefined;

  function set<K extends Scalar>(key: K, value: Defences[K]) {
    if (!d) return;
    const next = clone(DefencesSchema, d);
    next[key] = value;
    onChange(next);
  }
  function setRetry<K extends Exclude<keyof RetryPolicy, "$typeName" | "$unknown">>(key: K, value: RetryPolicy[K]) {
    if (!d) return;
    const next = clone(DefencesSchema, d);
    next.retry ??= create(RetryPolicySchema, {});
    next.retry[key] = value;
    onChange(next);
  }

  const retry = d?.retry;
  const retries = (retry?.maxAttempts ?? 1) > 1;

  return (
    <div className={styles.stack} data-testid="defence-panel">
      <div className={styles.head}>
        <h2 id={headId}>{t("defences")}</h2>
        <span className={styles.status} aria-live="polite">
          {d === undefined ? t("loading") : saving ? t("saving") : t("saved")}
        </span>
        <button type="button" className={`${styles.right} ${styles.small}`} disabled={disabled} onClick={() => onChange(defaultDefences())}>
          {t("defaults")}
        </button>
      </div>
      <p className={styles.hint}>{t("defenceHint")}</p>
      {available === false && <p className={styles.alert}>{t("noDefenceRpc")}</p>}
      {error && (
        <p role="alert" className={styles.alert} data-testid="defence-error" lang="en">
          {error}
        </p>
      )}

      <fieldset className={styles.group} disabled={disabled}>
        <legend>{t("client")}</legend>
        <NumberField label={t("timeoutPerCall")} locale={locale} unit="ms" zeroMeans={t("waitForever")} value={d?.timeoutMs ?? 0} min={0} max={DEFENCE_LIMITS.timeoutMs} step={100} onChange={(v) => set("timeoutMs", v)} />
        <NumberField label={t("maxAttempts")} locale={locale} unit={retries ? t("attempts") : t("noRetries")} value={retry?.maxAttempts ?? 1} min={1} max={DEFENCE_LIMITS.maxAttempts} onChange={(v) => setRetry("maxAttempts", v)} />
        <div className={styles.subgroup} role="group" aria-label={t("retryBackoff")}>
          <div className={styles.grid2}>
            <NumberField label={t("firstBackoff")} unit="ms" inputOnly value={retry?.initialBackoffMs ?? 0} min={0} max={DEFENCE_LIMITS.backoffMs} step={50} disabled={!retries} onChange={(v) => setRetry("initialBackoffMs", v)} />
            <NumberField label={t("maxBackoff")} unit="ms" inputOnly value={retry?.maxBackoffMs ?? 0} min={0} max={DEFENCE_LIMITS.backoffMs} step={50} disabled={!retries} onChange={(v) => setRetry("maxBackoffMs", v)} />
            <NumberField label={t("multiplier")} unit="×" inputOnly value={retry?.multiplier ?? 1} min={1} max={DEFENCE_LIMITS.multiplierMax} step={0.1} disabled={!retries} onChange={(v) => setRetry("multiplier", v)} />
            <NumberField label={t("retryBudget")} unit="%" zeroMeans={t("noBudget")} inputOnly value={retry?.budgetPercent ?? 0} min={0} max={100} disabled={!retries} onChange={(v) => setRetry("budgetPercent", v)} />
          </div>
          <NumberField
            label={t("jitter")}
            locale={locale}
            unit={t("jitterUnit")}
            value={Math.round((retry?.jitter ?? 0) * 100)}
            min={0}
            max={100}
            step={5}
            disabled={!retries}
            onChange={(v) => setRetry("jitter", v / 100)}
          />
        </div>
        <label className={styles.check}>
          <input type="checkbox" checked={d?.idempotencyKeys ?? false} onChange={(e) => set("idempotencyKeys", e.target.checked)} />
          <span>
            {t("idempotencyKeys")}
            <small>{t("idempotencyKeysHelp")}</small>
          </span>
        </label>
        <NumberField
          label={t("keepAnswers")}
          locale={locale}
          unit="s"
          scale="log"
          value={Math.round((d?.idempotencyTtlMs ?? 0) / 1000)}
          min={1}
          max={DEFENCE_LIMITS.idempotencyTtlMs / 1000}
          disabled={!d?.idempotencyKeys}
          onChange={(v) => set("idempotencyTtlMs", Math.round(v * 1000))}
        />
      </fieldset>

      <fieldset className={styles.group} disabled={disabled}>
        <legend>{t("gateway")}</legend>
        <label className={styles.check}>
          <input type="radio" name={`${headId}-deadline`} checked={d?.propagateDeadline ?? true} onChange={() => set("propagateDeadline", true)} />
          <span>
            {t("propagateDeadline")}
            <small>{t("propagateDeadlineHelp")}</small>
          </span>
        </label>
        <label className={styles.check}>
          <input type="radio" name={`${headId}-deadline`} checked={d ? !d.propagateDeadline : false} onChange={() => set("propagateDeadline", false)} />
          <span>
            {t("freshDeadline")} <span className={styles.antipattern}>{t("antiPattern")}</span>
            <small>{t("freshDeadlineHelp")}</small>
          </span>
        </label>
      </fieldset>

      <fieldset className={styles.group} disabled={disabled}>
        <legend>{t("queue")}</legend>
        <label className={styles.field}>
          {t("eventQos")}
          <select className={styles.select} value={d?.eventQos ?? 1} onChange={(e) => set("eventQos", Number(e.target.value))}>
            <option value={0}>{t("qos0")}</option>
            <option value={1}>{t("qos1")}</option>
            <option value={2}>{t("qos2")}</option>
          </select>
        </label>
        <label className={styles.check}>
          <input type="checkbox" checked={d?.persistentSession ?? false} onChange={(e) => set("persistentSession", e.target.checked)} />
          <span>
            {t("persistentSession")}
            <small>{t("persistentSessionHelp")}</small>
          </span>
        </label>
        <label className={styles.check}>
          <input type="checkbox" checked={d?.consumerDedup ?? false} onChange={(e) => set("consumerDedup", e.target.checked)} />
          <span>
            {t("consumerDedup")}
            <small>{t("consumerDedupHelp")}</small>
          </span>
        </label>
        <label className={styles.check}>
          <input type="checkbox" checked={d?.sharedClientId ?? false} onChange={(e) => set("sharedClientId", e.target.checked)} />
          <span>
            {t("sharedClientId")} <span className={styles.antipattern}>{t("antiPattern")}</span>
            <small>{t("sharedClientIdHelp")}</small>
          </span>
        </label>
        <NumberField label={t("deadLetterAfter")} locale={locale} unit={t("failedAttempts")} zeroMeans={t("never")} value={d?.dlqAfterAttempts ?? 0} min={0} max={DEFENCE_LIMITS.dlqAfterAttempts} onChange={(v) => set("dlqAfterAttempts", v)} />
      </fieldset>

      <fieldset className={styles.group} disabled={disabled}>
        <legend>{t("connections")}</legend>
        <label className={styles.check}>
          <input type="checkbox" checked={d?.reuseConnections ?? true} onChange={(e) => set("reuseConnections", e.target.checked)} />
          <span>
            {t("reuseConnections")}
            <small>{t("reuseConnectionsHelp")}</small>
          </span>
        </label>
        <NumberField label={t("keepalive")} locale={locale} unit="s" zeroMeans={t("off")} value={d?.keepaliveSeconds ?? 0} min={0} max={DEFENCE_LIMITS.keepaliveSeconds} onChange={(v) => set("keepaliveSeconds", v)} />
        <NumberField
          label={t("pubackWait")}
          locale={locale}
          unit="ms"
          value={d?.publishAckTimeoutMs ?? DEFENCE_LIMITS.publishAckTimeoutMinMs}
          min={DEFENCE_LIMITS.publishAckTimeoutMinMs}
          max={DEFENCE_LIMITS.publishAckTimeoutMaxMs}
          step={100}
          onChange={(v) => set("publishAckTimeoutMs", v)}
        />
      </fieldset>
    </div>
  );
}
