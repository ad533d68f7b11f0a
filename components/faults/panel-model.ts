import { clone, toJsonString } from "@bufbuild/protobuf";
import { FaultKind, FaultRuleSchema, type FaultRule } from "@/lib/gen/lab/v1/fault_pb";
import { Mode } from "@/lib/gen/lab/v1/trace_pb";
import { FAULT_KINDS, type FaultParam } from "@/lib/faults/catalog";
import { defaultDraft, draftFromRule, ruleFromDraft, targetFields, type FaultDraft } from "@/lib/faults/rules";

/**
 * The fault panel's state, pure: one draft per kind (what its row shows),
 * the edits its inputs make, and how a row's draft becomes the session's
 * rules. The panel component only wires inputs to these.
 */

export type NumericParam = Exclude<FaultParam, "rpcCode">;

/** One input's change, exactly as the row's inputs report it. */
export type DraftEdit =
  | { field: "probabilityPct"; value: number }
  | { field: "mode"; value: Mode }
  | { field: "service" | "method" | "topic" | "consumer" | "label"; value: string }
  | { field: "lifetimeMs"; value: number }
  | { field: "seed"; value: bigint }
  | { field: "param"; param: NumericParam; value: number }
  | { field: "rpcCode"; value: string };

export function applyEdit(d: FaultDraft, e: DraftEdit): FaultDraft {
  switch (e.field) {
    case "param":
      return { ...d, params: { ...d.params, [e.param]: e.value } };
    case "rpcCode":
      return { ...d, params: { ...d.params, rpcCode: e.value } };
    case "mode": {
      // A topic means nothing once the mode cannot carry MQTT.
      const next = { ...d, mode: e.value };
      return targetFields(d.kind, e.value).topic ? next : { ...next, topic: "" };
    }
    default:
      return { ...d, [e.field]: e.value };
  }
}

/** What a rule says, without what the server assigns (id, seed, hits, expiry): equal keys, same rule. */
export function ruleKey(r: FaultRule): string {
  const c = clone(FaultRuleSchema, r);
  c.id = "";
  c.seed = 0n;
  c.hits = 0n;
  c.expiresUnixMs = 0;
  return toJsonString(FaultRuleSchema, c);
}

export function firstRuleOf(rules: readonly FaultRule[], kind: FaultKind): FaultRule | undefined {
  return rules.find((r) => r.kind === kind);
}

/** The rule a row's draft makes, keeping the id and (unless the learner set one) the seed of the rule it edits. */
export function rowRule(d: FaultDraft, existing: FaultRule | undefined): FaultRule {
  const r = ruleFromDraft(d, existing?.id ?? "");
  if (d.seed === 0n && existing) r.seed = existing.seed;
  return r;
}

/** The rules with the kind's first rule replaced by the draft's, or the draft's rule appended. */
export function withKindRule(rules: readonly FaultRule[], d: FaultDraft): FaultRule[] {
  const i = rules.findIndex((r) => r.kind === d.kind);
  if (i < 0) return [...rules, rowRule(d, undefined)];
  return rules.map((r, j) => (j === i ? rowRule(d, r) : r));
}

/** The rules without any rule of the kind (the row's switch turned off). */
export function withoutKind(rules: readonly FaultRule[], kind: FaultKind): FaultRule[] {
  return rules.filter((r) => r.kind !== kind);
}

export function withoutRule(rules: readonly FaultRule[], index: number): FaultRule[] {
  return rules.filter((_, j) => j !== index);
}

export interface DraftState {
  drafts: Record<number, FaultDraft>;
  /** The ruleKey each row last showed or sent, per kind. */
  seen: Record<number, string>;
  /** The rules the drafts were last synced with. */
  rules: readonly FaultRule[] | null;
}

export function initialDraftState(): DraftState {
  const drafts: Record<number, FaultDraft> = {};
  for (const k of FAULT_KINDS) drafts[k.kind] = defaultDraft(k.kind);
  return { drafts, seen: {}, rules: null };
}

/**
 * Rows follow rules that changed elsewhere (loaded, a preset, the server's
 * normalised answer, a refusal put back); a row's own change, already in
 * `seen`, leaves its draft as typed.
 */
export function syncDrafts(s: DraftState, rules: readonly FaultRule[]): DraftState {
  let drafts = s.drafts;
  let seen = s.seen;
  for (const k of FAULT_KINDS) {
    const r = firstRuleOf(rules, k.kind);
    if (!r) continue;
    const key = ruleKey(r);
    if (seen[k.kind] === key) continue;
    if (drafts === s.drafts) drafts = { ...drafts };
    if (seen === s.seen) seen = { ...seen };
    drafts[k.kind] = draftFromRule(r);
    seen[k.kind] = key;
  }
  return { drafts, seen, rules };
}

/** The state after a row's draft changed, and whether `commit` sent it. */
export function withDraft(s: DraftState, d: FaultDraft, committed: boolean): DraftState {
  const drafts = { ...s.drafts, [d.kind]: d };
  if (!committed) return { ...s, drafts };
  return { ...s, drafts, seen: { ...s.seen, [d.kind]: ruleKey(rowRule(d, undefined)) } };
}
