"use client";

import { useId } from "react";
import { clone, create } from "@bufbuild/protobuf";
import { DefencesSchema, RetryPolicySchema, type Defences, type RetryPolicy } from "@/lib/gen/lab/v1/fault_pb";
import { DEFENCE_LIMITS, defaultDefences } from "@/lib/faults/catalog";
import { NumberField } from "./NumberField";
import styles from "./faults.module.css";

export interface DefencePanelProps {
  /** The session's defences; undefined while loading. */
  defences?: Defences;
  onChange: (defences: Defences) => void;
  error?: string;
  saving?: boolean;
  /** False: the server has no defence RPCs yet. */
  available?: boolean;
}

type Scalar = Exclude<keyof Defences, "$typeName" | "$unknown" | "retry">;

/**
 * The defences of the session, grouped where they act: the client (deadline,
 * retries, idempotency keys), the gateway (deadline propagation), the queue
 * (QoS, sessions, de-duplication, dead letters) and the connections. Each
 * change is the whole Defences message, sent to LabService.SetDefences.
 */
export function DefencePanel({ defences, onChange, error, saving, available = true }: DefencePanelProps) {
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
        <h2 id={headId}>Defences</h2>
        <span className={styles.status} aria-live="polite">
          {d === undefined ? "loading…" : saving ? "saving…" : "saved"}
        </span>
        <button type="button" className={`${styles.right} ${styles.small}`} disabled={disabled} onClick={() => onChange(defaultDefences())}>
          Defaults
        </button>
      </div>
      <p className={styles.hint}>What the client, the gateway, the queue and the connections do about faults. Changes apply to your next calls.</p>
      {available === false && <p className={styles.alert}>This server has no defences yet (LabService.SetDefences is missing).</p>}
      {error && (
        <p role="alert" className={styles.alert} data-testid="defence-error">
          {error}
        </p>
      )}

      <fieldset className={styles.group} disabled={disabled}>
        <legend>Client</legend>
        <NumberField label="Timeout per call" unit="ms" zeroMeans="none: wait forever" value={d?.timeoutMs ?? 0} min={0} max={DEFENCE_LIMITS.timeoutMs} step={100} onChange={(v) => set("timeoutMs", v)} />
        <NumberField label="Max attempts" unit={retries ? "attempts" : "1 = no retries"} value={retry?.maxAttempts ?? 1} min={1} max={DEFENCE_LIMITS.maxAttempts} onChange={(v) => setRetry("maxAttempts", v)} />
        <div className={styles.subgroup} role="group" aria-label="Retry backoff">
          <div className={styles.grid2}>
            <NumberField label="First backoff" unit="ms" inputOnly value={retry?.initialBackoffMs ?? 0} min={0} max={DEFENCE_LIMITS.backoffMs} step={50} disabled={!retries} onChange={(v) => setRetry("initialBackoffMs", v)} />
            <NumberField label="Max backoff" unit="ms" inputOnly value={retry?.maxBackoffMs ?? 0} min={0} max={DEFENCE_LIMITS.backoffMs} step={50} disabled={!retries} onChange={(v) => setRetry("maxBackoffMs", v)} />
            <NumberField label="Multiplier" unit="×" inputOnly value={retry?.multiplier ?? 1} min={1} max={DEFENCE_LIMITS.multiplierMax} step={0.1} disabled={!retries} onChange={(v) => setRetry("multiplier", v)} />
            <NumberField label="Retry budget" unit="%" zeroMeans="no budget" inputOnly value={retry?.budgetPercent ?? 0} min={0} max={100} disabled={!retries} onChange={(v) => setRetry("budgetPercent", v)} />
          </div>
          <NumberField
            label="Jitter"
            unit="% of each backoff drawn at random"
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
            Idempotency keys
            <small>Creating calls carry an Idempotency-Key; a repeated key gets the stored answer instead of a second order.</small>
          </span>
        </label>
        <NumberField
          label="Keep answers for"
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
        <legend>Gateway</legend>
        <label className={styles.check}>
          <input type="radio" name={`${headId}-deadline`} checked={d?.propagateDeadline ?? true} onChange={() => set("propagateDeadline", true)} />
          <span>
            Propagate the caller&apos;s deadline
            <small>Downstream calls get the time left (grpc-timeout) and are cancelled when the caller gives up.</small>
          </span>
        </label>
        <label className={styles.check}>
          <input type="radio" name={`${headId}-deadline`} checked={d ? !d.propagateDeadline : false} onChange={() => set("propagateDeadline", false)} />
          <span>
            Start a fresh deadline <span className={styles.antipattern}>(anti-pattern)</span>
            <small>The gateway keeps working for a caller that already left.</small>
          </span>
        </label>
      </fieldset>

      <fieldset className={styles.group} disabled={disabled}>
        <legend>Queue</legend>
        <label className={styles.field}>
          QoS of OrderCreated (publish and subscriptions)
          <select className={styles.select} value={d?.eventQos ?? 1} onChange={(e) => set("eventQos", Number(e.target.value))}>
            <option value={0}>0 — at most once (may be lost)</option>
            <option value={1}>1 — at least once (may repeat)</option>
            <option value={2}>2 — exactly once (broker to client)</option>
          </select>
        </label>
        <label className={styles.check}>
          <input type="checkbox" checked={d?.persistentSession ?? false} onChange={(e) => set("persistentSession", e.target.checked)} />
          <span>
            Persistent session (CleanSession=0)
            <small>The broker keeps a consumer&apos;s unacknowledged messages across a reconnect (MQTT 3.1.1 §3.1.2.4).</small>
          </span>
        </label>
        <label className={styles.check}>
          <input type="checkbox" checked={d?.consumerDedup ?? false} onChange={(e) => set("consumerDedup", e.target.checked)} />
          <span>
            Consumer de-duplication
            <small>Consumers skip a message id they already processed.</small>
          </span>
        </label>
        <label className={styles.check}>
          <input type="checkbox" checked={d?.sharedClientId ?? false} onChange={(e) => set("sharedClientId", e.target.checked)} />
          <span>
            Two inventory instances, one client id <span className={styles.antipattern}>(anti-pattern)</span>
            <small>Each CONNECT drops the other connection (MQTT 3.1.1 §3.1.4).</small>
          </span>
        </label>
        <NumberField label="Dead-letter after" unit="failed attempts" zeroMeans="never" value={d?.dlqAfterAttempts ?? 0} min={0} max={DEFENCE_LIMITS.dlqAfterAttempts} onChange={(v) => set("dlqAfterAttempts", v)} />
      </fieldset>

      <fieldset className={styles.group} disabled={disabled}>
        <legend>Connections</legend>
        <label className={styles.check}>
          <input type="checkbox" checked={d?.reuseConnections ?? true} onChange={(e) => set("reuseConnections", e.target.checked)} />
          <span>
            Reuse HTTP connections
            <small>Off: every answer says Connection: close (RFC 9112 §9.6) and the gateway dials each call anew.</small>
          </span>
        </label>
        <NumberField label="MQTT keepalive" unit="s" zeroMeans="off" value={d?.keepaliveSeconds ?? 0} min={0} max={DEFENCE_LIMITS.keepaliveSeconds} onChange={(v) => set("keepaliveSeconds", v)} />
        <NumberField
          label="PUBACK wait before re-send"
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
