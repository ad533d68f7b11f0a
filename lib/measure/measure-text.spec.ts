import { describe, expect, it } from "vitest";
import { create } from "@bufbuild/protobuf";
import { LoadModel, MeasureCall, Phase, PayloadShape, RunConfigSchema, RunState, RunUpdateSchema, TargetResultSchema } from "../gen/lab/v1/measure_pb";
import { LOCALES } from "../lessons/locale";
import { evaluateClaims, SEED_CLAIMS } from "./claims";
import { MEASURE_TEXT, measureText, type MeasureTextKey } from "./measure-text";
import { applyUpdate } from "./run-view";
import { targetFromKey } from "./targets";

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
/** Chinese characters or Chinese (full-width) punctuation. */
const CJK = /[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]/;
/** Texts that are only names and symbols, the same in both languages. */
const NAMES_ONLY: readonly MeasureTextKey[] = ["ratioSeries"];

describe("the measure panel's texts", () => {
  const keys = Object.keys(MEASURE_TEXT) as MeasureTextKey[];

  it("has every key in both languages, with the same placeholders", () => {
    for (const key of keys) {
      for (const locale of LOCALES) expect(MEASURE_TEXT[key][locale].trim(), `${key} ${locale}`).not.toBe("");
      expect(placeholders(MEASURE_TEXT[key]["zh-CN"]), key).toEqual(placeholders(MEASURE_TEXT[key].en));
    }
  });

  it("is Chinese in Chinese, not a copy of the English", () => {
    for (const key of keys) {
      if (NAMES_ONLY.includes(key)) continue;
      expect(MEASURE_TEXT[key]["zh-CN"], key).not.toBe(MEASURE_TEXT[key].en);
      expect(MEASURE_TEXT[key]["zh-CN"], key).toMatch(CJK);
    }
  });

  it("says what every seed claim means", () => {
    for (const c of SEED_CLAIMS) for (const locale of LOCALES) expect(measureText(`claim.${c.id}`, locale)).not.toBe("");
  });

  it("fills placeholders and keeps numbers as they are", () => {
    expect(measureText("sizeRatio", "zh-CN", { pct: 35 })).toBe("protobuf 是 JSON 的 35 %");
    expect(measureText("queuePosition", "en", { n: 2 })).toBe("position 2 in the queue");
  });
});

describe("claims vs. measured in Chinese", () => {
  it("judges in Chinese, numbers and mode names unchanged", () => {
    const config = create(RunConfigSchema, { targets: [targetFromKey("rest")!, targetFromKey("grpc")!], call: MeasureCall.GET_USER, load: { model: LoadModel.CLOSED, concurrency: 8 }, payload: { shape: PayloadShape.USERS, bytes: 4096 }, seed: 1n });
    const view = applyUpdate(
      undefined,
      create(RunUpdateSchema, {
        runId: "r",
        state: RunState.DONE,
        config,
        targets: [
          create(TargetResultSchema, { target: targetFromKey("rest"), phase: Phase.DONE, latency: { count: 1000n, p50Ms: 2, p99Ms: 8 }, achievedPerSecond: 1000, responseBytes: 56 }),
          create(TargetResultSchema, { target: targetFromKey("grpc"), phase: Phase.DONE, latency: { count: 1000n, p50Ms: 1, p99Ms: 2 }, achievedPerSecond: 4000, responseBytes: 40 }),
        ],
      }),
    );
    const by = Object.fromEntries(evaluateClaims(view, undefined, "zh-CN").map((r) => [r.claim.id, r]));
    expect(by.qps.verdict).toBe("holds");
    expect(by.qps.text).toBe("在本机成立：gRPC 的每秒请求数（QPS）是 REST 的 4.0×（4,000/s 对 1,000/s）。");
    expect(by.latency.text).toContain("中位数延迟比 REST 低 50 %（1.0 ms 对 2.0 ms；p99 低 75 %）");
    expect(by.size.text).toMatch(/^在本机 protobuf 省得更少/);
    expect(by.qps.conditions).toContain("闭环模型");
    expect(by.serialization.text).toBe(measureText("needSerialization", "zh-CN"));
  });
});
