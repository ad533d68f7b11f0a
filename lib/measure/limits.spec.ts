import { describe, expect, it } from "vitest";
import { create } from "@bufbuild/protobuf";
import { Generator, LoadModel, MeasureCall, PayloadShape, RunConfigSchema } from "../gen/lab/v1/measure_pb";
import { MEASURE_LIMITS, normaliseRunConfig, plannedRunMs, runConfigProblems } from "./limits";
import { targetFromKey } from "./targets";

const rest = targetFromKey("rest")!;

describe("run limits", () => {
  it("fills defaults for the model and a seed", () => {
    const c = normaliseRunConfig(create(RunConfigSchema, { targets: [rest], load: { model: LoadModel.OPEN } }), () => 9n);
    expect(c.call).toBe(MeasureCall.GET_USER);
    expect(c.generator).toBe(Generator.SERVER);
    expect(c.load!.ratePerSecond).toBeGreaterThan(0);
    expect(c.load!.durationMs).toBeGreaterThan(0);
    expect(c.seed).toBe(9n);
    expect(runConfigProblems(c)).toEqual([]);
  });

  it("names the limit each refusal hits", () => {
    const problems = (init: Parameters<typeof create<typeof RunConfigSchema>>[1]) => runConfigProblems(normaliseRunConfig(create(RunConfigSchema, init), () => 1n));
    expect(problems({ targets: [rest], load: { model: LoadModel.OPEN, ratePerSecond: 5001, durationMs: 1000 } })[0].limit).toBe("ratePerSecond");
    expect(problems({ targets: [rest], load: { model: LoadModel.CLOSED, requests: 10, concurrency: 101 } })[0].limit).toBe("concurrency");
    expect(problems({ targets: [rest, targetFromKey("grpc")!], load: { model: LoadModel.OPEN, ratePerSecond: 10, durationMs: 25_000, warmupMs: 5_001 } })[0].limit).toBe("runMs");
    expect(problems({ targets: [rest], call: MeasureCall.ECHO, payload: { shape: PayloadShape.USERS, bytes: MEASURE_LIMITS.payloadBytes + 1 }, load: { model: LoadModel.CLOSED } })[0].limit).toBe("payloadBytes");
    expect(problems({ targets: [rest], load: { model: LoadModel.CLOSED, requests: MEASURE_LIMITS.requests } , })).toEqual([]);
    expect(problems({ targets: [rest], load: { model: LoadModel.CLOSED, requests: MEASURE_LIMITS.requests, warmupRequests: 1 } })[0].limit).toBe("requests");
    expect(problems({ targets: [], load: { model: LoadModel.CLOSED } })[0].message).toMatch(/at least one mode/);
    expect(problems({ targets: [rest, rest], load: { model: LoadModel.CLOSED } })[0].message).toMatch(/listed twice/);
    expect(problems({ targets: [targetFromKey("grpc")!], generator: Generator.BROWSER, load: { model: LoadModel.CLOSED } })[0].message).toMatch(/browsers do not expose/);
  });

  it("allows exactly the limits", () => {
    const c = normaliseRunConfig(create(RunConfigSchema, { targets: [rest], load: { model: LoadModel.OPEN, ratePerSecond: 5000, durationMs: 55_000, warmupMs: 5_000, concurrency: 100 } }), () => 1n);
    expect(plannedRunMs(c)).toBe(60_000);
    expect(runConfigProblems(c)).toEqual([]);
  });
});
