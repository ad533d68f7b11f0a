import { create } from "@bufbuild/protobuf";
import { FaultKind, FaultRuleSchema, type FaultRule } from "../gen/lab/v1/fault_pb";
import { Mode } from "../gen/lab/v1/trace_pb";
import { textIn } from "../lessons/ui-text";
import type { Locale } from "../lessons/types";
import { FAULT_LIMITS, faultKindInfo, type FaultKindInfo, type FaultParam, type FaultPreset } from "./catalog";
import { faultText, type FaultTextKey } from "./fault-text";

/**
 * The fault panel's editable form of one rule, and the pure conversions
 * between it and a FaultRule: what the learner typed → the rule sent to
 * LabService.SetFaults, and a stored rule → the form that shows it. No DOM,
 * no React.
 */

/** The params of a rule as the panel edits them: the FaultRule fields the catalogue names. */
export type FaultParams = Pick<FaultRule, FaultParam>;

export interface FaultDraft {
  kind: FaultKind;
  /** 0–100, a percentage (the rule stores 0–1). */
  probabilityPct: number;
  /** Mode.UNSPECIFIED: any mode where the kind applies. */
  mode: Mode;
  service: string;
  method: string;
  topic: string;
  consumer: string;
  params: FaultParams;
  /** For kinds other than BROKER_DOWN: how long the rule lives, in ms; 0 = until cleared. */
  lifetimeMs: number;
  label: string;
  /** 0: the server picks one. */
  seed: bigint;
}

export const DEFAULT_PARAMS: FaultParams = {
  latencyMs: 500,
  jitterMs: 0,
  bytesPerSecond: 1_000,
  sliceBytes: 16,
  sliceDelayMs: 50,
  afterBytes: 0,
  httpStatus: 503,
  rpcCode: "unavailable",
  durationMs: 10_000,
  window: 5,
};

/** Connect's spellings of the RPC codes an error fault may answer with. */
export const RPC_CODES: readonly string[] = [
  "canceled",
  "unknown",
  "invalid_argument",
  "deadline_exceeded",
  "not_found",
  "already_exists",
  "permission_denied",
  "resource_exhausted",
  "failed_precondition",
  "aborted",
  "out_of_range",
  "unimplemented",
  "internal",
  "unavailable",
  "data_loss",
  "unauthenticated",
];

/** The consumers a consumer fault can target (empty = any). */
export const CONSUMERS: readonly string[] = ["inventory", "notification"];

/** A fresh draft of a kind: 100 %, any target, the kind's usual parameters. */
export function defaultDraft(kind: FaultKind): FaultDraft {
  const params = { ...DEFAULT_PARAMS };
  if (kind === FaultKind.SLOW_CONSUMER) params.latencyMs = 1_000;
  return {
    kind,
    probabilityPct: 100,
    mode: Mode.UNSPECIFIED,
    service: "",
    method: "",
    topic: "",
    consumer: "",
    params,
    lifetimeMs: 0,
    label: "",
    seed: 0n,
  };
}

/** Which target fields a kind reads, from where it acts (catalog `sites`). */
export function targetFields(kind: FaultKind, mode: Mode): { service: boolean; topic: boolean; consumer: boolean } {
  const sites = faultKindInfo(kind)?.sites ?? [];
  return {
    service: sites.includes("http"),
    topic: sites.includes("mqtt") && (mode === Mode.UNSPECIFIED || mode === Mode.MQTT),
    consumer: sites.includes("consumer"),
  };
}

const round = (n: number) => Math.round(Number.isFinite(n) ? n : 0);

/** The rule a draft describes; only the params the kind reads are set. Keeps `id` so SetFaults updates in place. */
export function ruleFromDraft(d: FaultDraft, id = ""): FaultRule {
  const info = faultKindInfo(d.kind);
  const uses = (p: FaultParam) => info?.params.includes(p) ?? false;
  const fields = targetFields(d.kind, d.mode);
  const num = (p: Exclude<FaultParam, "rpcCode">) => (uses(p) ? Math.max(0, round(d.params[p])) : 0);
  const pct = Math.min(100, Math.max(0, Number.isFinite(d.probabilityPct) ? d.probabilityPct : 0));
  const target = {
    mode: d.mode,
    service: fields.service ? d.service.trim() : "",
    method: fields.service ? d.method.trim() : "",
    topic: fields.topic ? d.topic.trim() : "",
    consumer: fields.consumer ? d.consumer.trim() : "",
  };
  const anywhere = target.mode === Mode.UNSPECIFIED && !target.service && !target.method && !target.topic && !target.consumer;
  return create(FaultRuleSchema, {
    id,
    kind: d.kind,
    // No target: the rule matches anything.
    target: anywhere ? undefined : target,
    // Two decimals of a percent are plenty, and keep 0.3 from becoming 0.30000000000000004.
    probability: Math.round(pct * 100) / 10_000,
    seed: d.seed,
    latencyMs: num("latencyMs"),
    jitterMs: num("jitterMs"),
    bytesPerSecond: num("bytesPerSecond"),
    sliceBytes: num("sliceBytes"),
    sliceDelayMs: num("sliceDelayMs"),
    afterBytes: num("afterBytes"),
    httpStatus: num("httpStatus"),
    rpcCode: uses("rpcCode") ? d.params.rpcCode : "",
    durationMs: uses("durationMs") ? num("durationMs") : Math.max(0, round(d.lifetimeMs)),
    window: num("window"),
    label: d.label.trim(),
  });
}

/** The draft that shows a stored rule (params the kind does not read keep their defaults). */
export function draftFromRule(r: FaultRule): FaultDraft {
  const d = defaultDraft(r.kind);
  const info = faultKindInfo(r.kind);
  const uses = (p: FaultParam) => info?.params.includes(p) ?? false;
  const params = { ...d.params };
  for (const p of info?.params ?? []) {
    if (p === "rpcCode") params.rpcCode = r.rpcCode || params.rpcCode;
    else params[p] = r[p];
  }
  return {
    ...d,
    probabilityPct: Math.round(r.probability * 10_000) / 100,
    mode: r.target?.mode ?? Mode.UNSPECIFIED,
    service: r.target?.service ?? "",
    method: r.target?.method ?? "",
    topic: r.target?.topic ?? "",
    consumer: r.target?.consumer ?? "",
    params,
    lifetimeMs: uses("durationMs") ? 0 : r.durationMs,
    label: r.label,
    seed: r.seed,
  };
}

/**
 * What is wrong with a draft, in words, before the server is asked (the
 * server checks the same limits and has the last word).
 */
export function validateDraft(d: FaultDraft, locale: Locale = "en"): string[] {
  const t = textIn(faultText, locale);
  const info = faultKindInfo(d.kind);
  if (!info) return [t("unknownKind", { kind: d.kind })];
  const errs: string[] = [];
  const range = (what: FaultTextKey, v: number, min: number, max: number, unit = "") => {
    if (!Number.isFinite(v) || v < min || v > max) errs.push(t("outOfRange", { what: t(what), min: min.toLocaleString("en"), max: max.toLocaleString("en"), unit }));
  };
  range("probability", d.probabilityPct, 0, 100, " %");
  const p = d.params;
  for (const param of info.params) {
    switch (param) {
      case "latencyMs":
        range("latency", p.latencyMs, 0, FAULT_LIMITS.latencyMs, " ms");
        break;
      case "jitterMs":
        range("jitter", p.jitterMs, 0, FAULT_LIMITS.jitterMs, " ms");
        break;
      case "bytesPerSecond":
        range("bandwidth", p.bytesPerSecond, FAULT_LIMITS.bytesPerSecondMin, FAULT_LIMITS.bytesPerSecondMax, " B/s");
        break;
      case "sliceBytes":
        range("sliceSize", p.sliceBytes, 1, FAULT_LIMITS.sliceBytesMax, " B");
        break;
      case "sliceDelayMs":
        range("sliceDelayName", p.sliceDelayMs, 0, FAULT_LIMITS.sliceDelayMs, " ms");
        break;
      case "afterBytes":
        range("afterBytesName", p.afterBytes, 0, FAULT_LIMITS.afterBytesMax, " B");
        break;
      case "httpStatus":
        range("httpStatusName", p.httpStatus, 400, 599);
        break;
      case "rpcCode":
        if (!RPC_CODES.includes(p.rpcCode)) errs.push(t("rpcCodeOneOf", { codes: RPC_CODES.join(", ") }));
        break;
      case "durationMs":
        range("durationName", p.durationMs, 1, FAULT_LIMITS.durationMs, " ms");
        break;
      case "window":
        range("windowName", p.window, FAULT_LIMITS.windowMin, FAULT_LIMITS.windowMax, ` ${t("messagesUnit")}`);
        break;
    }
  }
  if (!info.params.includes("durationMs")) range("lifetimeName", d.lifetimeMs, 0, FAULT_LIMITS.durationMs, " ms");
  if (d.mode !== Mode.UNSPECIFIED && !info.modes.includes(d.mode)) errs.push(t("notThisMode", { kind: info.title[locale] }));
  if (d.label.trim().length > FAULT_LIMITS.labelChars) errs.push(t("labelTooLong", { max: FAULT_LIMITS.labelChars }));
  if (/[+#]/.test(d.topic) && !validTopicFilter(d.topic.trim())) errs.push(t("badTopicFilter"));
  return errs;
}

/** MQTT 3.1.1 §4.7.1 wildcard placement. */
function validTopicFilter(f: string): boolean {
  const levels = f.split("/");
  return levels.every((l, i) => (l.includes("#") ? l === "#" && i === levels.length - 1 : !l.includes("+") || l === "+"));
}

const MODE_SHORT: Partial<Record<Mode, string>> = {
  [Mode.REST]: "REST",
  [Mode.CONNECT]: "Connect",
  [Mode.GRPC_WEB]: "gRPC-web",
  [Mode.GRPC]: "gRPC",
  [Mode.MQTT]: "MQTT",
};

/** The name of a mode as a target ("any" for unspecified). */
export function modeTitle(mode: Mode, locale: Locale = "en"): string {
  return MODE_SHORT[mode] ?? faultText("any", locale);
}

function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}

/** The parameters of a rule in a few words ("150±100 ms", "503 / unavailable"). */
export function paramsText(r: FaultRule, locale: Locale = "en"): string {
  const t = textIn(faultText, locale);
  switch (r.kind) {
    case FaultKind.LATENCY:
      return r.jitterMs ? `${r.latencyMs}±${r.jitterMs} ms` : `${r.latencyMs} ms`;
    case FaultKind.SLOW_CONSUMER:
      return t("perMessage", { n: r.latencyMs });
    case FaultKind.BANDWIDTH:
      return r.bytesPerSecond >= 10_000 ? `${Math.round(r.bytesPerSecond / 1000)} kB/s` : `${r.bytesPerSecond} B/s`;
    case FaultKind.SLICER:
      return `${r.sliceBytes} B / ${r.sliceDelayMs} ms`;
    case FaultKind.RESET:
    case FaultKind.LIMIT_DATA:
      return r.afterBytes ? t("afterBytes", { n: r.afterBytes }) : "";
    case FaultKind.ERROR:
      return [r.httpStatus || "", r.rpcCode].filter(Boolean).join(" / ");
    case FaultKind.BROKER_DOWN:
      return seconds(r.durationMs);
    case FaultKind.REORDER:
      return t("window", { n: r.window });
    default:
      return "";
  }
}

/** Where a rule applies in a few words ("events/#", "UserService.GetUser · REST"); empty when anywhere. */
export function targetText(r: FaultRule, locale: Locale = "en"): string {
  const t = r.target;
  if (!t) return "";
  const parts: string[] = [];
  const svc = [t.service, t.method].filter(Boolean).join(".");
  if (svc) parts.push(svc);
  if (t.topic) parts.push(t.topic);
  if (t.consumer) parts.push(t.consumer);
  if (t.mode !== Mode.UNSPECIFIED) parts.push(modeTitle(t.mode, locale));
  return parts.join(" · ");
}

function percent(p: number): string {
  const pct = Math.round(p * 1000) / 10;
  return `${pct} %`;
}

/** A kind in running text: its short name in English ("duplicate", as in URLs and presets), its title in Chinese (重复投递). */
export function kindWord(info: FaultKindInfo, locale: Locale): string {
  return locale === "en" ? info.name : info.title[locale];
}

/**
 * A rule on one line, for a chip: "⚡ duplicate 30 % · events/#" (in
 * Chinese the kind's title, "⚡ 重复投递 30 % · events/#").
 * `nowMs` adds the time left of a rule that lifts itself.
 */
export function ruleChipText(r: FaultRule, nowMs?: number, locale: Locale = "en"): string {
  const info = faultKindInfo(r.kind);
  const name = info ? kindWord(info, locale) : `kind ${r.kind}`;
  const head = [name, paramsText(r, locale), percent(r.probability)].filter(Boolean).join(" ");
  const parts = [`⚡ ${head}`];
  const where = targetText(r, locale);
  if (where) parts.push(where);
  if (nowMs !== undefined && r.expiresUnixMs > 0) {
    const left = Math.max(0, Math.ceil((r.expiresUnixMs - nowMs) / 1000));
    parts.push(faultText("secondsLeft", locale, { n: left }));
  }
  return parts.join(" · ");
}

function isPresetRule(r: FaultRule, preset: FaultPreset): boolean {
  return preset.rules.some((p) => p.kind === r.kind && (p.label ?? "") === r.label);
}

/** Whether every rule of a preset is on (matched by kind and label). */
export function presetActive(rules: readonly FaultRule[], preset: FaultPreset): boolean {
  return preset.rules.every((p) => rules.some((r) => r.kind === p.kind && r.label === (p.label ?? "")));
}

/**
 * The rules after pressing a preset's button: its rules added (replacing any
 * of them already there), or all of them removed when the preset is on.
 */
export function togglePreset(rules: readonly FaultRule[], preset: FaultPreset): FaultRule[] {
  const others = rules.filter((r) => !isPresetRule(r, preset));
  if (presetActive(rules, preset)) return others;
  return [...others, ...preset.rules.map((r) => create(FaultRuleSchema, r))];
}
