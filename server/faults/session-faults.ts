import { clone } from "@bufbuild/protobuf";
import { FaultKind, FaultRuleSchema, type FaultRule } from "../../lib/gen/lab/v1/fault_pb";
import { Mode } from "../../lib/gen/lab/v1/trace_pb";
import { faultKindInfo, type FaultSite } from "../../lib/faults/catalog";
import { parseServiceTarget } from "../../lib/rpc/instances";
import { seededRandom } from "./rng";
import { topicMatches } from "./topic-filter";

/** A place where a fault may strike: one hop, delivery or consumer step. */
export interface FaultPoint {
  site: FaultSite;
  mode: Mode;
  /** The REST edge (browser → gateway); rules without a mode act at the services instead. */
  edge?: boolean;
  service?: string;
  /** The service instance addressed (/instance/<n>/…), if any (lib/rpc/instances.ts). */
  instance?: number;
  method?: string;
  /** MQTT topic relative to the session's prefix ("events/order.created"). */
  topic?: string;
  consumer?: string;
}

interface Active {
  rule: FaultRule;
  draw: () => number;
}

function matches(rule: FaultRule, p: FaultPoint): boolean {
  const info = faultKindInfo(rule.kind);
  if (!info || !info.sites.includes(p.site)) return false;
  const t = rule.target;
  if (t === undefined) return !p.edge && info.modes.includes(p.mode);
  if (t.mode === Mode.UNSPECIFIED) {
    if (p.edge || !info.modes.includes(p.mode)) return false;
  } else if (t.mode !== p.mode) return false;
  if (t.service !== "") {
    // "UserService" matches every instance of it; "UserService#2" only the second.
    const { service, instance } = parseServiceTarget(t.service);
    if (p.service === undefined || !(p.service === service || p.service.endsWith(`.${service}`))) return false;
    if (instance !== undefined && p.instance !== instance) return false;
  }
  if (t.method !== "" && p.method !== t.method) return false;
  if (t.topic !== "" && (p.topic === undefined || !topicMatches(t.topic, p.topic))) return false;
  if (t.consumer !== "" && p.consumer !== t.consumer) return false;
  return true;
}

/**
 * One session's fault rules. Each rule draws from its own seeded sequence,
 * so the same seed and the same calls hit the same hops again.
 */
export class SessionFaults {
  private active: Active[] = [];
  /** Called after the rules change (the broker watches for outages). */
  onChange: ((rules: readonly FaultRule[]) => void) | undefined;
  /** Called each time a rule fires. */
  onHit: ((rule: FaultRule) => void) | undefined;

  set(rules: readonly FaultRule[]): void {
    this.active = rules.map((rule) => ({ rule: clone(FaultRuleSchema, rule), draw: seededRandom(rule.seed) }));
    this.onChange?.(this.list());
  }

  clear(): void {
    this.set([]);
  }

  /** The live rules, with their hit counts; expired ones are dropped. */
  list(): FaultRule[] {
    this.expire();
    return this.active.map((a) => clone(FaultRuleSchema, a.rule));
  }

  get size(): number {
    return this.active.length;
  }

  /**
   * The first rule of one of `kinds` that matches `point` and fires on its
   * own draw, counted as a hit; undefined when none does.
   */
  fire(kinds: readonly FaultKind[], point: FaultPoint): FaultRule | undefined {
    if (this.active.length === 0) return undefined;
    this.expire();
    for (const a of this.active) {
      if (!kinds.includes(a.rule.kind) || !matches(a.rule, point)) continue;
      const p = a.rule.probability;
      if (p <= 0) continue;
      if (p < 1 && a.draw() >= p) continue;
      a.rule.hits++;
      this.onHit?.(a.rule);
      return a.rule;
    }
    return undefined;
  }

  /** A rule of `kind` that matches, without drawing (state-like faults: a broker outage). */
  find(kind: FaultKind, point?: FaultPoint): FaultRule | undefined {
    this.expire();
    return this.active.find((a) => a.rule.kind === kind && (point === undefined || matches(a.rule, point)))?.rule;
  }

  /** A number in [0, 1) from the rule's own sequence (jitter, reorder shuffles). */
  draw(rule: FaultRule): number {
    return this.active.find((a) => a.rule.id === rule.id)?.draw() ?? Math.random();
  }

  private expire(): void {
    const now = Date.now();
    const before = this.active.length;
    this.active = this.active.filter((a) => a.rule.expiresUnixMs === 0 || a.rule.expiresUnixMs > now);
    if (this.active.length !== before) this.onChange?.(this.active.map((a) => a.rule));
  }
}
