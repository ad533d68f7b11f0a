import { describe, expect, it } from "vitest";
import { create, toBinary } from "@bufbuild/protobuf";
import { DefencesSchema, FaultKind, FaultRuleSchema } from "../gen/lab/v1/fault_pb";
import { LoadModel, MeasureCall, PayloadShape, Phase, RunConfigSchema, RunState, RunUpdateSchema, TargetResultSchema } from "../gen/lab/v1/measure_pb";
import { parsePermalink, permalinkFor, runToCsv, runToJson } from "./export";
import { encodeHistogram, newLatencyHistogram, recordMs } from "./histogram";
import { applyUpdate } from "./run-view";
import { targetFromKey } from "./targets";

const config = create(RunConfigSchema, { targets: [targetFromKey("rest")!, targetFromKey("mqtt-qos0")!], call: MeasureCall.ECHO, payload: { shape: PayloadShape.TEXT, bytes: 1000 }, load: { model: LoadModel.OPEN, ratePerSecond: 250, durationMs: 5000, warmupMs: 1000, concurrency: 16 }, seed: 77n });

describe("exports", () => {
  it("round-trips configuration, faults and defences through the permalink", () => {
    const rule = create(FaultRuleSchema, { id: "r1", kind: FaultKind.LATENCY, probability: 0.5, latencyMs: 40, seed: 9n, hits: 12n, target: { service: "UserService" } });
    const url = permalinkFor("http://localhost:3000", { config, faults: [rule], defences: create(DefencesSchema, { timeoutMs: 500, reuseConnections: false }) });
    expect(url).toMatch(/^http:\/\/localhost:3000\/playground\?measure=[A-Za-z0-9_-]+#measure$/);
    const back = parsePermalink(new URL(url).search);
    if (!back || "error" in back) throw new Error("no link");
    expect(toBinary(RunConfigSchema, back.config)).toEqual(toBinary(RunConfigSchema, config));
    expect(back.faults[0].latencyMs).toBe(40);
    expect(back.faults[0].seed).toBe(9n);
    // What the server fills in does not travel.
    expect(back.faults[0].id).toBe("");
    expect(back.faults[0].hits).toBe(0n);
    expect(back.defences?.timeoutMs).toBe(500);
    expect(parsePermalink("?other=1")).toBeUndefined();
    expect(parsePermalink("?measure=not-json")).toHaveProperty("error");
  });

  it("writes one CSV row per target with percentiles, rates, errors and bytes", () => {
    const h = newLatencyHistogram();
    recordMs(h, 1.5);
    const view = applyUpdate(
      undefined,
      create(RunUpdateSchema, {
        runId: "r",
        state: RunState.DONE,
        config,
        targets: [
          create(TargetResultSchema, { target: config.targets[0], phase: Phase.DONE, latency: { count: 10n, p50Ms: 1.5, p99Ms: 2.25, maxMs: 3 }, ok: 9n, errors: { "503": 1n }, offeredPerSecond: 250, achievedPerSecond: 249.5, hdrHistogram: encodeHistogram(h), note: 'say "hi", then' }),
          create(TargetResultSchema, { target: config.targets[1], phase: Phase.DONE }),
        ],
      }),
    );
    const lines = runToCsv(view).trim().split("\r\n");
    expect(lines).toHaveLength(3);
    const header = lines[0].split(",");
    const row = Object.fromEntries(header.map((h, i) => [h, lines[1].split(/,(?=(?:[^"]*"[^"]*")*[^"]*$)/)[i]]));
    expect(row).toMatchObject({ target: "rest", model: "open", offered_per_s: "250", achieved_per_s: "249.5", count: "10", p50_ms: "1.5", p99_ms: "2.25", errors: "503=1", note: '"say ""hi"", then"' });
    const json = JSON.parse(runToJson(view));
    expect(json.format).toBe("wirelab.measure.v1");
    expect(json.targets[0].result.hdrHistogram).toBe(encodeHistogram(h));
    expect(json.config.seed).toBe("77");
  });
});
