import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { FaultKind, FaultRuleSchema } from "../../lib/gen/lab/v1/fault_pb";
import { validateRules } from "../faults/validate";
import { Sandbox } from "../sandbox/sandbox";
import { drillRules, syncDrill } from "./drills";

const drill = (id: string, preset: string, minutes: number, now = Date.now()) => ({ id, preset, title: preset, startedAtMs: now, untilMs: now + minutes * 60_000 });

describe("drills", () => {
  it("turns a preset into rules that live until the drill ends (a broker outage lasts the whole drill)", () => {
    const d = drill("d1", "broker-outage", 2);
    const [rule] = drillRules(d);
    expect(rule).toMatchObject({ id: "drill-d1-1", kind: FaultKind.BROKER_DOWN, durationMs: 120_000, expiresUnixMs: d.untilMs, label: "drill: broker outage" });
  });

  it("adds and lifts a drill beside the student's own rules, which keep their ids and hits", () => {
    const box = new Sandbox("drillbox01");
    box.faults.set(validateRules([create(FaultRuleSchema, { kind: FaultKind.LATENCY, latencyMs: 100, probability: 1, label: "mine" })]));
    const changes: string[][] = [];
    box.faults.onChange = (rules) => changes.push(rules.map((r) => r.id));
    const d = drill("d2", "flaky-network", 1);
    expect(syncDrill(box, d)).toBe(true);
    expect(box.faults.list().map((r) => r.id)).toEqual(["drill-d2-1", "drill-d2-2", "f1-latency"]);
    // Already in place: nothing is set again (the rules' random sequences go on).
    expect(syncDrill(box, d)).toBe(false);
    // The student replaced every rule (the panel sends all): the drill comes back, theirs stay.
    box.faults.set(validateRules([create(FaultRuleSchema, { kind: FaultKind.ERROR, httpStatus: 500, probability: 0.5 })]));
    expect(syncDrill(box, d)).toBe(true);
    expect(box.faults.list().map((r) => r.id)).toEqual(["drill-d2-1", "drill-d2-2", "f1-error"]);
    expect(syncDrill(box, null)).toBe(true);
    expect(box.faults.list().map((r) => r.id)).toEqual(["f1-error"]);
    expect(changes.at(-1)).toEqual(["f1-error"]);
  });

  it("lifts itself when its time is up", () => {
    const box = new Sandbox("drillbox02");
    const d = drill("d3", "slow-service", 1, Date.now() - 120_000);
    expect(syncDrill(box, d)).toBe(false);
    expect(box.faults.list()).toEqual([]);
  });
});
