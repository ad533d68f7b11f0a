import { describe, expect, it } from "vitest";
import { Generator, LoadModel, MeasureCall } from "@/lib/gen/lab/v1/measure_pb";
import { targetKey } from "@/lib/measure";
import { configToDraft, DEFAULT_DRAFT, draftToConfig } from "./draft";

describe("measure form", () => {
  it("converts to a configuration and back", () => {
    const d = { ...DEFAULT_DRAFT, model: LoadModel.OPEN, ratePerSecond: 300, durationS: 7.5, warmupS: 1, openConcurrency: 20, call: MeasureCall.ECHO, bytes: 2048, seed: "42" };
    const c = draftToConfig(d);
    expect(c.load).toMatchObject({ model: LoadModel.OPEN, ratePerSecond: 300, durationMs: 7500, warmupMs: 1000, concurrency: 20 });
    expect(c.seed).toBe(42n);
    expect(configToDraft(c)).toMatchObject({ model: LoadModel.OPEN, ratePerSecond: 300, durationS: 7.5, bytes: 2048, seed: "42", targets: d.targets });
  });

  it("leaves native gRPC out of a browser run", () => {
    const c = draftToConfig({ ...DEFAULT_DRAFT, targets: ["rest", "grpc"], generator: Generator.BROWSER });
    expect(c.targets.map(targetKey)).toEqual(["rest"]);
  });
});
