import { clone, create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { DefencesSchema, FaultKind, FaultRuleSchema, FaultTargetSchema, RetryPolicySchema, type Defences, type FaultRule } from "../../lib/gen/lab/v1/fault_pb";
import { DEFAULT_DEFENCES, DEFENCE_LIMITS, FAULT_LIMITS, faultKindInfo } from "../../lib/faults/catalog";
import { codeFromName } from "../../lib/rpc/codes";
import { newSeed } from "./rng";

/** A service, or one instance of it ("UserService#2", lib/rpc/instances.ts). */
const SERVICE = /^(lab\.v1\.)?[A-Za-z]{1,40}(#[1-9])?$/;
const METHOD = /^[A-Za-z]{1,40}$/;
const TOPIC_FILTER = /^[A-Za-z0-9_.+#/-]{1,120}$/;

function refuse(message: string): never {
  throw new ConnectError(message, Code.InvalidArgument);
}

function within(field: string, value: number, min: number, max: number, limitName: string): void {
  if (!Number.isFinite(value) || value < min || value > max) {
    refuse(`${field} ${value} is outside ${min}–${max} (${limitName})`);
  }
}

/**
 * Checks a session's new rules against FAULT_LIMITS and returns them ready
 * to store: ids and seeds filled in, expiry set from duration_ms. Throws
 * invalid_argument naming the field and the limit.
 */
export function validateRules(rules: readonly FaultRule[], nowMs = Date.now()): FaultRule[] {
  if (rules.length > FAULT_LIMITS.rulesPerSession) {
    refuse(`${rules.length} rules is over the limit of ${FAULT_LIMITS.rulesPerSession} per session (FAULT_LIMITS.rulesPerSession)`);
  }
  return rules.map((given, i) => {
    const at = `rules[${i}]`;
    const r = clone(FaultRuleSchema, given);
    const info = faultKindInfo(r.kind);
    if (!info) refuse(`${at}.kind ${r.kind} is not a fault kind`);
    r.target ??= create(FaultTargetSchema);
    const t = r.target;
    if (t.mode !== 0 && !info.modes.includes(t.mode)) refuse(`${at}: ${info.name} does not apply to that mode`);
    if (t.service !== "" && !SERVICE.test(t.service)) refuse(`${at}.target.service ${JSON.stringify(t.service)} is not a service name`);
    if (t.method !== "" && !METHOD.test(t.method)) refuse(`${at}.target.method ${JSON.stringify(t.method)} is not a method name`);
    if (t.topic !== "" && (!TOPIC_FILTER.test(t.topic) || /#./.test(t.topic))) refuse(`${at}.target.topic ${JSON.stringify(t.topic)} is not a topic filter (MQTT 3.1.1 §4.7)`);
    if (t.consumer !== "" && t.consumer !== "inventory" && t.consumer !== "notification") refuse(`${at}.target.consumer must be "inventory" or "notification"`);
    within(`${at}.probability`, r.probability, 0, 1, "a probability is 0–1");
    within(`${at}.latencyMs`, r.latencyMs, 0, FAULT_LIMITS.latencyMs, "FAULT_LIMITS.latencyMs");
    within(`${at}.jitterMs`, r.jitterMs, 0, FAULT_LIMITS.jitterMs, "FAULT_LIMITS.jitterMs");
    within(`${at}.sliceDelayMs`, r.sliceDelayMs, 0, FAULT_LIMITS.sliceDelayMs, "FAULT_LIMITS.sliceDelayMs");
    within(`${at}.afterBytes`, r.afterBytes, 0, FAULT_LIMITS.afterBytesMax, "FAULT_LIMITS.afterBytesMax");
    within(`${at}.durationMs`, r.durationMs, 0, FAULT_LIMITS.durationMs, "FAULT_LIMITS.durationMs");
    if (r.label.length > FAULT_LIMITS.labelChars) refuse(`${at}.label is longer than ${FAULT_LIMITS.labelChars} characters`);
    switch (r.kind) {
      case FaultKind.BANDWIDTH:
        within(`${at}.bytesPerSecond`, r.bytesPerSecond, FAULT_LIMITS.bytesPerSecondMin, FAULT_LIMITS.bytesPerSecondMax, "FAULT_LIMITS.bytesPerSecond");
        break;
      case FaultKind.SLICER:
        within(`${at}.sliceBytes`, r.sliceBytes, 1, FAULT_LIMITS.sliceBytesMax, "FAULT_LIMITS.sliceBytesMax");
        break;
      case FaultKind.ERROR:
        if (r.httpStatus === 0 && r.rpcCode === "") r.httpStatus = 503;
        if (r.httpStatus !== 0) within(`${at}.httpStatus`, r.httpStatus, 400, 599, "an error status is 400–599");
        if (r.rpcCode !== "") {
          const code = codeFromName(r.rpcCode);
          if (code === undefined || (code as number) === 0) refuse(`${at}.rpcCode ${JSON.stringify(r.rpcCode)} is not an error code (Connect spelling, e.g. "unavailable")`);
        }
        break;
      case FaultKind.REORDER:
        if (r.window === 0) r.window = 5;
        within(`${at}.window`, r.window, FAULT_LIMITS.windowMin, FAULT_LIMITS.windowMax, "FAULT_LIMITS.window");
        break;
      case FaultKind.BROKER_DOWN:
        if (r.durationMs === 0) refuse(`${at}.durationMs: a broker outage needs a duration (1–${FAULT_LIMITS.durationMs} ms)`);
        break;
      case FaultKind.LATENCY:
      case FaultKind.SLOW_CONSUMER:
        if (r.latencyMs === 0) refuse(`${at}.latencyMs: ${info.name} needs a latency above 0 ms`);
        break;
    }
    if (r.id === "") r.id = `f${i + 1}-${info.name}`;
    if (r.seed === 0n) r.seed = newSeed();
    r.expiresUnixMs = r.durationMs > 0 ? nowMs + r.durationMs : 0;
    r.hits = 0n;
    return r;
  });
}

/** Checks defences against DEFENCE_LIMITS; unset retry fields take the defaults. */
export function validateDefences(given: Defences): Defences {
  const d = clone(DefencesSchema, given);
  d.retry ??= create(RetryPolicySchema, DEFAULT_DEFENCES.retry);
  const r = d.retry;
  within("timeoutMs", d.timeoutMs, 0, DEFENCE_LIMITS.timeoutMs, "DEFENCE_LIMITS.timeoutMs");
  within("retry.maxAttempts", r.maxAttempts, 1, DEFENCE_LIMITS.maxAttempts, "DEFENCE_LIMITS.maxAttempts");
  within("retry.initialBackoffMs", r.initialBackoffMs, 0, DEFENCE_LIMITS.backoffMs, "DEFENCE_LIMITS.backoffMs");
  within("retry.maxBackoffMs", r.maxBackoffMs, 0, DEFENCE_LIMITS.backoffMs, "DEFENCE_LIMITS.backoffMs");
  within("retry.multiplier", r.multiplier, 1, DEFENCE_LIMITS.multiplierMax, "DEFENCE_LIMITS.multiplierMax");
  within("retry.jitter", r.jitter, 0, 1, "jitter is 0–1");
  within("retry.budgetPercent", r.budgetPercent, 0, 100, "a percentage is 0–100");
  within("idempotencyTtlMs", d.idempotencyTtlMs, 1_000, DEFENCE_LIMITS.idempotencyTtlMs, "DEFENCE_LIMITS.idempotencyTtlMs");
  within("eventQos", d.eventQos, 0, 2, "MQTT QoS is 0, 1 or 2 (MQTT 3.1.1 §4.3)");
  within("dlqAfterAttempts", d.dlqAfterAttempts, 0, DEFENCE_LIMITS.dlqAfterAttempts, "DEFENCE_LIMITS.dlqAfterAttempts");
  within("keepaliveSeconds", d.keepaliveSeconds, 0, DEFENCE_LIMITS.keepaliveSeconds, "DEFENCE_LIMITS.keepaliveSeconds");
  within("publishAckTimeoutMs", d.publishAckTimeoutMs, DEFENCE_LIMITS.publishAckTimeoutMinMs, DEFENCE_LIMITS.publishAckTimeoutMaxMs, "DEFENCE_LIMITS.publishAckTimeout");
  return d;
}
