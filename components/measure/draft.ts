import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { Generator, LoadModel, MeasureCall, PayloadShape, RunConfigSchema, type RunConfig } from "@/lib/gen/lab/v1/measure_pb";
import { DEFAULT_LOAD, DEFAULT_PAYLOAD, targetFromKey, targetKey, TARGETS, type TargetKey } from "@/lib/measure";

/**
 * The Measure panel's form, as the learner edits it (seconds where people
 * think in seconds), and its conversion to and from a RunConfig.
 */
export interface Draft {
  targets: TargetKey[];
  call: MeasureCall;
  shape: PayloadShape;
  bytes: number;
  model: LoadModel;
  requests: number;
  concurrency: number;
  warmupRequests: number;
  ratePerSecond: number;
  durationS: number;
  warmupS: number;
  openConcurrency: number;
  generator: Generator;
  /** Seed of the payload's content, as typed. */
  seed: string;
}

export const DEFAULT_DRAFT: Draft = {
  targets: ["rest", "connect-binary", "grpc"],
  call: MeasureCall.GET_USER,
  shape: DEFAULT_PAYLOAD.shape,
  bytes: DEFAULT_PAYLOAD.bytes,
  model: LoadModel.CLOSED,
  requests: DEFAULT_LOAD.closed.requests,
  concurrency: DEFAULT_LOAD.closed.concurrency,
  warmupRequests: DEFAULT_LOAD.closed.warmupRequests,
  ratePerSecond: DEFAULT_LOAD.open.ratePerSecond,
  durationS: DEFAULT_LOAD.open.durationMs / 1000,
  warmupS: DEFAULT_LOAD.open.warmupMs / 1000,
  openConcurrency: DEFAULT_LOAD.open.concurrency,
  generator: Generator.SERVER,
  seed: "1",
};

/** The targets a generator can reach: browsers have no native gRPC (HTTP/2 trailers are not exposed). */
export function availableTargets(generator: Generator): TargetKey[] {
  return TARGETS.filter((t) => generator !== Generator.BROWSER || t.browser).map((t) => t.key);
}

export function draftToConfig(d: Draft): RunConfig {
  const open = d.model === LoadModel.OPEN;
  const allowed = new Set(availableTargets(d.generator));
  let seed = 1n;
  try {
    seed = BigInt(d.seed.trim() || "1");
  } catch {
    seed = 1n;
  }
  return create(RunConfigSchema, {
    targets: d.targets.filter((k) => allowed.has(k)).map((k) => targetFromKey(k)!),
    call: d.call,
    payload: { shape: d.shape, bytes: Math.round(d.bytes) },
    load: open
      ? { model: LoadModel.OPEN, ratePerSecond: Math.round(d.ratePerSecond), durationMs: Math.round(d.durationS * 1000), warmupMs: Math.round(d.warmupS * 1000), concurrency: Math.round(d.openConcurrency) }
      : { model: LoadModel.CLOSED, requests: Math.round(d.requests), concurrency: Math.round(d.concurrency), warmupRequests: Math.round(d.warmupRequests) },
    seed: BigInt.asUintN(64, seed),
    generator: d.generator,
  });
}

/** A draft from a configuration (a permalink or a lesson's preset); what it leaves out keeps `base`. */
export function configToDraft(c: RunConfig | MessageInitShape<typeof RunConfigSchema>, base: Draft = DEFAULT_DRAFT): Draft {
  const config = create(RunConfigSchema, c as MessageInitShape<typeof RunConfigSchema>);
  const d: Draft = { ...base };
  if (config.targets.length > 0) d.targets = config.targets.map(targetKey);
  if (config.call) d.call = config.call;
  if (config.payload?.shape) d.shape = config.payload.shape;
  if (config.payload?.bytes) d.bytes = config.payload.bytes;
  if (config.generator) d.generator = config.generator;
  if (config.seed) d.seed = String(config.seed);
  const l = config.load;
  if (l?.model) {
    d.model = l.model;
    if (l.model === LoadModel.OPEN) {
      d.ratePerSecond = l.ratePerSecond || d.ratePerSecond;
      d.durationS = l.durationMs ? l.durationMs / 1000 : d.durationS;
      d.warmupS = l.warmupMs / 1000;
      d.openConcurrency = l.concurrency || d.openConcurrency;
    } else {
      d.requests = l.requests || d.requests;
      d.concurrency = l.concurrency || d.concurrency;
      d.warmupRequests = l.warmupRequests;
    }
  }
  return d;
}
