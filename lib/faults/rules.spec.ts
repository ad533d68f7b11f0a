import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { FaultKind, FaultRuleSchema } from "../gen/lab/v1/fault_pb";
import { Mode } from "../gen/lab/v1/trace_pb";
import { FAULT_PRESETS, presetRules } from "./catalog";
import { defaultDraft, draftFromRule, presetActive, ruleChipText, ruleFromDraft, targetText, togglePreset, validateDraft } from "./rules";

describe("ruleFromDraft", () => {
  it("sets only the params the kind reads, and the probability as 0–1", () => {
    const d = { ...defaultDraft(FaultKind.LATENCY), probabilityPct: 30, params: { ...defaultDraft(FaultKind.LATENCY).params, latencyMs: 150, jitterMs: 100 } };
    const r = ruleFromDraft(d);
    expect(r).toMatchObject({ kind: FaultKind.LATENCY, probability: 0.3, latencyMs: 150, jitterMs: 100, httpStatus: 0, rpcCode: "", bytesPerSecond: 0, durationMs: 0, window: 0 });
  });

  it("keeps only the target fields the kind reads", () => {
    const d = { ...defaultDraft(FaultKind.CONSUMER_CRASH), service: "UserService", topic: "events/#", consumer: "inventory" };
    expect(ruleFromDraft(d).target).toMatchObject({ mode: Mode.UNSPECIFIED, service: "", method: "", topic: "", consumer: "inventory" });
    const dup = { ...defaultDraft(FaultKind.DUPLICATE), mode: Mode.REST, topic: "events/#", service: " OrderService " };
    expect(ruleFromDraft(dup).target).toMatchObject({ mode: Mode.REST, service: "OrderService", topic: "" });
  });

  it("uses durationMs as the outage for BROKER_DOWN and as the lifetime otherwise", () => {
    expect(ruleFromDraft({ ...defaultDraft(FaultKind.BROKER_DOWN), lifetimeMs: 5 }).durationMs).toBe(10_000);
    expect(ruleFromDraft({ ...defaultDraft(FaultKind.ERROR), lifetimeMs: 60_000 }).durationMs).toBe(60_000);
  });

  it("round-trips through draftFromRule", () => {
    for (const r of FAULT_PRESETS.flatMap((p) => presetRules(p.id))) {
      const back = ruleFromDraft(draftFromRule(r), r.id);
      expect(back).toEqual(r);
    }
  });
});

describe("validateDraft", () => {
  it("accepts the defaults of every kind", () => {
    for (const k of Object.values(FaultKind).filter((v): v is FaultKind => typeof v === "number" && v !== FaultKind.UNSPECIFIED)) {
      expect(validateDraft(defaultDraft(k)), FaultKind[k]).toEqual([]);
    }
  });

  it("names the limit a value breaks", () => {
    const d = defaultDraft(FaultKind.LATENCY);
    expect(validateDraft({ ...d, params: { ...d.params, latencyMs: 40_000 } })).toEqual(["Latency must be between 0 and 30,000 ms."]);
    expect(validateDraft({ ...d, probabilityPct: 120 })).toEqual(["Probability must be between 0 and 100 %."]);
    expect(validateDraft({ ...defaultDraft(FaultKind.MESSAGE_LOSS), mode: Mode.REST })).toEqual(["QoS 0 message loss does not apply to this mode."]);
    expect(validateDraft({ ...defaultDraft(FaultKind.DUPLICATE), topic: "events/#/x" })).toHaveLength(1);
    expect(validateDraft({ ...defaultDraft(FaultKind.DUPLICATE), topic: "events/+/x" })).toEqual([]);
  });
});

describe("chips", () => {
  it("reads a rule on one line", () => {
    const dup = create(FaultRuleSchema, { kind: FaultKind.DUPLICATE, probability: 0.3, target: { mode: Mode.MQTT, topic: "events/#" } });
    expect(ruleChipText(dup)).toBe("⚡ duplicate 30 % · events/# · MQTT");
    const lat = create(FaultRuleSchema, { kind: FaultKind.LATENCY, probability: 1, latencyMs: 150, jitterMs: 100 });
    expect(ruleChipText(lat)).toBe("⚡ latency 150±100 ms 100 %");
    const err = create(FaultRuleSchema, { kind: FaultKind.ERROR, probability: 0.05, httpStatus: 503, rpcCode: "unavailable", target: { service: "UserService", method: "GetUser" } });
    expect(ruleChipText(err)).toBe("⚡ error 503 / unavailable 5 % · UserService.GetUser");
    const down = create(FaultRuleSchema, { kind: FaultKind.BROKER_DOWN, probability: 1, durationMs: 10_000, expiresUnixMs: 1_000_000 });
    expect(ruleChipText(down, 992_500)).toBe("⚡ broker_down 10 s 100 % · 8 s left");
    expect(targetText(create(FaultRuleSchema, {}))).toBe("");
  });
});

describe("presets", () => {
  it("toggles a preset's rules on and off, leaving other rules alone", () => {
    const lossy = FAULT_PRESETS.find((p) => p.id === "lossy-queue")!;
    const mine = create(FaultRuleSchema, { id: "r1", kind: FaultKind.LATENCY, probability: 1, latencyMs: 50 });
    const on = togglePreset([mine], lossy);
    expect(on.map((r) => r.kind)).toEqual([FaultKind.LATENCY, FaultKind.DUPLICATE, FaultKind.MESSAGE_LOSS]);
    expect(presetActive(on, lossy)).toBe(true);
    expect(togglePreset(on, lossy)).toEqual([mine]);
  });
});
