import { describe, expect, it } from "vitest";
import { create } from "@bufbuild/protobuf";
import { IntervalBucketSchema, Phase, RunConfigSchema, RunState, RunUpdateSchema, TargetResultSchema } from "../gen/lab/v1/measure_pb";
import { encodeHistogram, newLatencyHistogram, recordMs } from "./histogram";
import { applyUpdate } from "./run-view";
import { targetFromKey } from "./targets";

describe("run view", () => {
  const config = create(RunConfigSchema, { targets: [targetFromKey("grpc")!, targetFromKey("rest")!] });

  it("keeps every bucket, the latest results, and a curve per histogram", () => {
    const h = newLatencyHistogram();
    for (let i = 1; i <= 100; i++) recordMs(h, i);
    let v = applyUpdate(undefined, create(RunUpdateSchema, { runId: "a", state: RunState.QUEUED, queuePosition: 2, config }));
    expect(v.queuePosition).toBe(2);
    v = applyUpdate(v, create(RunUpdateSchema, { runId: "a", state: RunState.RUNNING, progress: 0.2, targets: [create(TargetResultSchema, { target: config.targets[0], phase: Phase.MEASURING })], buckets: [create(IntervalBucketSchema, { target: 0, completed: 5 })] }));
    v = applyUpdate(v, create(RunUpdateSchema, { runId: "a", state: RunState.RUNNING, progress: 0.4, targets: [create(TargetResultSchema, { target: config.targets[0], phase: Phase.DONE, hdrHistogram: encodeHistogram(h) })], buckets: [create(IntervalBucketSchema, { target: 0, startMs: 250, completed: 7 })] }));
    expect(v.queuePosition).toBe(0);
    expect(v.targets[0].key).toBe("grpc");
    expect(v.targets[0].buckets.map((b) => b.completed)).toEqual([5, 7]);
    expect(v.targets[0].curve.at(-1)!.percentile).toBe(100);
    // A last update without targets (a cancel) keeps what was measured.
    v = applyUpdate(v, create(RunUpdateSchema, { runId: "a", state: RunState.CANCELLED }));
    expect(v.state).toBe(RunState.CANCELLED);
    expect(v.targets[0].buckets).toHaveLength(2);
    expect(v.config?.targets).toHaveLength(2);
  });

  it("starts afresh for another run", () => {
    const v = applyUpdate(undefined, create(RunUpdateSchema, { runId: "a", state: RunState.RUNNING, config, targets: [create(TargetResultSchema, { target: config.targets[0] })] }));
    const w = applyUpdate(v, create(RunUpdateSchema, { runId: "b", state: RunState.RUNNING }));
    expect(w.targets).toHaveLength(0);
  });
});
