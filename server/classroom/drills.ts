import { clone } from "@bufbuild/protobuf";
import type { DrillInfo } from "../../lib/classroom/contract";
import { FAULT_LIMITS, presetRules } from "../../lib/faults/catalog";
import { FaultKind, FaultRuleSchema, type FaultRule } from "../../lib/gen/lab/v1/fault_pb";
import { validateRules } from "../faults/validate";
import type { Sandbox } from "../sandbox/sandbox";

/** Rules a drill puts into a sandbox have ids starting with this; the student's own rules never do. */
export const DRILL_RULE_PREFIX = "drill-";

const cache = new Map<string, FaultRule[]>();

/**
 * The fault rules of a drill: the preset's rules, living until the drill's
 * end (a broker outage lasts the whole drill), with ids `drill-<drill>-<n>`
 * and labels "drill: …". Built once per drill, so every student of the
 * room gets the same rules and seeds: the same calls hit the same hops.
 */
export function drillRules(drill: DrillInfo): FaultRule[] {
  let rules = cache.get(drill.id);
  if (!rules) {
    const lengthMs = Math.min(FAULT_LIMITS.durationMs, Math.max(1, drill.untilMs - drill.startedAtMs));
    const raw = presetRules(drill.preset).map((r) => {
      r.durationMs = lengthMs;
      return r;
    });
    rules = validateRules(raw, drill.startedAtMs).map((r, i) => {
      r.id = `${DRILL_RULE_PREFIX}${drill.id}-${i + 1}`;
      r.expiresUnixMs = drill.untilMs;
      r.label = `drill: ${r.label || FaultKind[r.kind].toLowerCase()}`.slice(0, FAULT_LIMITS.labelChars);
      return r;
    });
    if (cache.size > 100) cache.clear();
    cache.set(drill.id, rules);
  }
  return rules.map((r) => clone(FaultRuleSchema, r));
}

/**
 * Makes a sandbox's drill rules what the room's drill says (none when
 * `drill` is null), leaving the student's own rules as they are. The drill's
 * rules go first, so where a drill rule and the student's own both match a
 * hop, the drill's fires. Does nothing (and so does not restart the rules'
 * random sequences) when the sandbox already has exactly those rules.
 * Returns whether it changed the sandbox.
 */
export function syncDrill(box: Sandbox, drill: DrillInfo | null, nowMs = Date.now()): boolean {
  const rules = box.faults.list();
  const have = rules.filter((r) => r.id.startsWith(DRILL_RULE_PREFIX));
  const want = drill && drill.untilMs > nowMs ? drillRules(drill) : [];
  if (have.length === want.length && have.every((r, i) => r.id === want[i].id && r.expiresUnixMs === want[i].expiresUnixMs)) return false;
  const own = rules.filter((r) => !r.id.startsWith(DRILL_RULE_PREFIX));
  box.faults.set([...want, ...own]);
  return true;
}
