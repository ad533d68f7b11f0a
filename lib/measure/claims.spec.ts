import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { create } from "@bufbuild/protobuf";
import { LoadModel, MeasureCall, Phase, PayloadShape, RunConditionsSchema, RunConfigSchema, RunState, RunUpdateSchema, TargetResultSchema } from "../gen/lab/v1/measure_pb";
import { busyText, evaluateClaims, quoteText, SEED_CLAIMS } from "./claims";
import { applyUpdate } from "./run-view";
import { targetFromKey, type TargetKey } from "./targets";

const SEEDS = new URL("../../../shared/seeds/", import.meta.url);

function viewOf(model: LoadModel, results: Array<{ key: TargetKey; p50: number; p99: number; rate: number; response: number }>, call = MeasureCall.GET_USER) {
  const config = create(RunConfigSchema, { targets: results.map((r) => targetFromKey(r.key)!), call, load: { model, concurrency: 8 }, payload: { shape: PayloadShape.USERS, bytes: 4096 }, seed: 1n });
  return applyUpdate(
    undefined,
    create(RunUpdateSchema, {
      runId: "r",
      state: RunState.DONE,
      config,
      targets: results.map((r) =>
        create(TargetResultSchema, {
          target: targetFromKey(r.key),
          phase: Phase.DONE,
          latency: { count: 1000n, p50Ms: r.p50, p99Ms: r.p99 },
          achievedPerSecond: r.rate,
          responseBytes: r.response,
        }),
      ),
    }),
  );
}

describe("claims vs. measured", () => {
  it("quotes every claim exactly as its seed file has it", () => {
    if (!existsSync(SEEDS)) return; // the seeds live beside the repository, not in it
    for (const c of SEED_CLAIMS) expect(readFileSync(new URL(c.file, SEEDS), "utf8")).toContain(c.quote);
  });

  it("says what to run when nothing was measured, and never invents a number", () => {
    for (const row of evaluateClaims(undefined)) {
      expect(row.verdict).toBe("not-measured");
      expect(row.measured).toBeUndefined();
    }
  });

  it("judges throughput, latency and size from the run's own targets", () => {
    const rows = evaluateClaims(
      viewOf(LoadModel.CLOSED, [
        { key: "rest", p50: 2, p99: 8, rate: 1000, response: 56 },
        { key: "grpc", p50: 1, p99: 2, rate: 4000, response: 40 },
      ]),
    );
    const by = Object.fromEntries(rows.map((r) => [r.claim.id, r]));
    expect(by.qps.verdict).toBe("holds");
    expect(by.qps.measured).toBe(4);
    expect(by.performance.verdict).toBe("weaker");
    expect(by.latency.measured).toBe(50);
    expect(by.latency.verdict).toBe("holds");
    // gRPC's body less its 5-byte prefix: 35 of 56 bytes.
    expect(by.size.measured).toBeCloseTo(62.5, 5);
    expect(by.size.verdict).toBe("weaker");
    expect(by.size.text).toMatch(/saves less/);
    expect(by.qps.conditions).toContain("closed model");
  });

  it("calls a slower protobuf mode the opposite of the claim", () => {
    const rows = evaluateClaims(
      viewOf(LoadModel.CLOSED, [
        { key: "connect-json", p50: 1, p99: 2, rate: 2000, response: 60 },
        { key: "connect-binary", p50: 1.5, p99: 3, rate: 1500, response: 15 },
      ]),
    );
    const by = Object.fromEntries(rows.map((r) => [r.claim.id, r]));
    expect(by.qps.verdict).toBe("opposite");
    expect(by.latency.verdict).toBe("opposite");
    expect(by.size.verdict).toBe("stronger");
  });

  it("does not compare throughput of an open run, where both modes get the same rate", () => {
    const rows = evaluateClaims(viewOf(LoadModel.OPEN, [{ key: "rest", p50: 2, p99: 8, rate: 100, response: 56 }, { key: "grpc", p50: 1, p99: 2, rate: 100, response: 40 }]));
    expect(rows.find((r) => r.claim.id === "qps")!.verdict).toBe("not-measured");
    expect(rows.find((r) => r.claim.id === "latency")!.verdict).toBe("holds");
  });

  it("warns when other work competed for the machine", () => {
    expect(busyText(create(RunConditionsSchema, { cpuCores: 2, loadBefore: 0.5, loadAfter: 1.9 }))).toBe("");
    expect(busyText(create(RunConditionsSchema, { cpuCores: 2, loadBefore: 6.2, loadAfter: 9 }))).toMatch(/machine busy \(load 6\.2 → 9\.0 on 2 CPUs\)/);
    expect(busyText(create(RunConditionsSchema, { cpuCores: 0, loadAfter: 9 }))).toBe("");
  });

  it("judges serialization from the micro-benchmark", () => {
    const row = evaluateClaims(undefined, { message: "m", engine: "e", codecs: [], speedup: 0.4 }).find((r) => r.claim.id === "serialization")!;
    expect(row.verdict).toBe("opposite");
    expect(row.measured).toBe(0.4);
  });

  it("takes Echo's exact encodings for the size claim", () => {
    const rows = evaluateClaims(viewOf(LoadModel.CLOSED, [{ key: "rest", p50: 2, p99: 8, rate: 1000, response: 4000 }, { key: "grpc-web", p50: 1, p99: 2, rate: 4000, response: 2700 }], MeasureCall.ECHO));
    const size = rows.find((r) => r.claim.id === "size")!;
    expect(size.conditions).toContain("exact encodings");
    expect(size.measured).toBeGreaterThan(40);
    expect(size.measured).toBeLessThan(90);
  });
});

describe("quoteText", () => {
  it("shows a seed's Markdown quote as prose: no bold marks, list numbers or table pipes", () => {
    expect(quoteText("1. **高性能**：二进制序列化，比 JSON 快 3-10 倍")).toBe("高性能：二进制序列化，比 JSON 快 3-10 倍");
    expect(quoteText("| **性能** | 中等 | 高（5-10倍于 HTTP） | 高（批量处理） |")).toBe("性能 · 中等 · 高（5-10倍于 HTTP） · 高（批量处理）");
    expect(quoteText("延迟降 40%~60%")).toBe("延迟降 40%~60%");
  });
});
