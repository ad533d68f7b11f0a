import { clone, create } from "@bufbuild/protobuf";
import {
  Generator,
  LoadModel,
  LoadShapeSchema,
  MeasureCall,
  PayloadSchema,
  PayloadShape,
  RunConfigSchema,
  type RunConfig,
} from "../gen/lab/v1/measure_pb";
import { Mode } from "../gen/lab/v1/trace_pb";
import { targetKey } from "./targets";

/**
 * The limits of load runs, in one place: the server refuses a run over any
 * of them with a message that names it (`MEASURE_LIMITS.ratePerSecond`),
 * and the page checks the same before it starts a run in the browser.
 */
export const MEASURE_LIMITS = {
  /** A whole run — every target's warm-up and measured time — in ms. */
  runMs: 60_000,
  /** Requests per second per target (open model). */
  ratePerSecond: 5_000,
  /** Requests in flight per target. */
  concurrency: 100,
  /** Echo payload, as its larger (JSON) encoding, in bytes (64 KiB). */
  payloadBytes: 65_536,
  /** Requests per target, warm-up included (closed model): the most 60 s at 5,000/s could send. */
  requests: 300_000,
  /** Targets in one run. */
  targets: 8,
  /** Runs at a time per session, queued ones included. */
  runsPerSession: 1,
  /** Runs at a time in the whole server; later ones wait in a queue. */
  serverConcurrentRuns: 2,
  /** Runs waiting in the server's queue. */
  queueLength: 20,
  /** How long a target waits for answers still in flight after its schedule ends, in ms. */
  drainMs: 5_000,
} as const;

/** Below this many samples p99.9 rests on less than one sample above it. */
export const P999_MIN_SAMPLES = 1_000;

/** A run's settings when the learner has not chosen. */
export const DEFAULT_LOAD = {
  closed: { requests: 2_000, concurrency: 8, warmupRequests: 200 },
  open: { ratePerSecond: 200, durationMs: 10_000, warmupMs: 2_000, concurrency: 32 },
} as const;

/** The default Echo payload. */
export const DEFAULT_PAYLOAD = { shape: PayloadShape.USERS, bytes: 4_096 } as const;

/** A refusal: the field, what is wrong, and the limit's name when one was passed. */
export interface RunConfigProblem {
  field: string;
  message: string;
  limit?: keyof typeof MEASURE_LIMITS;
}

/**
 * A copy of `given` with defaults filled in where proto3 left zeros: the
 * model's load settings, the payload, a seed. Nothing out of range is
 * clamped — `runConfigProblems` reports it instead, so a refusal says what
 * was asked for.
 */
export function normaliseRunConfig(given: RunConfig, seed: () => bigint = randomSeed): RunConfig {
  const c = clone(RunConfigSchema, given);
  c.call ||= MeasureCall.GET_USER;
  c.generator ||= Generator.SERVER;
  c.load ??= create(LoadShapeSchema);
  const l = c.load;
  l.model ||= LoadModel.CLOSED;
  if (l.model === LoadModel.CLOSED) {
    l.requests ||= DEFAULT_LOAD.closed.requests;
    l.concurrency ||= DEFAULT_LOAD.closed.concurrency;
  } else {
    l.ratePerSecond ||= DEFAULT_LOAD.open.ratePerSecond;
    l.durationMs ||= DEFAULT_LOAD.open.durationMs;
    l.concurrency ||= DEFAULT_LOAD.open.concurrency;
  }
  c.payload ??= create(PayloadSchema);
  c.payload.shape ||= DEFAULT_PAYLOAD.shape;
  c.payload.bytes ||= DEFAULT_PAYLOAD.bytes;
  if (c.seed === 0n) c.seed = seed();
  return c;
}

function randomSeed(): bigint {
  const b = new Uint32Array(1);
  globalThis.crypto.getRandomValues(b);
  return BigInt(b[0] || 1);
}

/** Planned length of a run in ms: open runs exactly; closed runs at most (each target has its share of MEASURE_LIMITS.runMs). */
export function plannedRunMs(c: RunConfig): number {
  const l = c.load;
  if (!l || l.model !== LoadModel.OPEN) return MEASURE_LIMITS.runMs;
  return c.targets.length * (l.warmupMs + l.durationMs);
}

/** The time each closed-model target may take before it is stopped, in ms. */
export function closedTargetCapMs(c: RunConfig): number {
  return Math.floor(MEASURE_LIMITS.runMs / Math.max(1, c.targets.length));
}

const MODES_ALLOWED = new Set([Mode.REST, Mode.CONNECT, Mode.GRPC_WEB, Mode.GRPC, Mode.MQTT]);

/**
 * Everything wrong with a normalised run configuration, in field order;
 * empty when it may run.
 */
export function runConfigProblems(c: RunConfig): RunConfigProblem[] {
  const out: RunConfigProblem[] = [];
  const L = MEASURE_LIMITS;
  const over = (field: string, value: number, limit: keyof typeof MEASURE_LIMITS, unit: string, min = 1) => {
    const max = L[limit];
    if (!Number.isFinite(value) || value < min || value > max) {
      out.push({ field, limit, message: `${field} ${fmt(value)}${unit} is outside ${fmt(min)}–${fmt(max)}${unit} (MEASURE_LIMITS.${limit})` });
    }
  };
  if (c.targets.length === 0) out.push({ field: "targets", message: "pick at least one mode to measure" });
  if (c.targets.length > L.targets) out.push({ field: "targets", limit: "targets", message: `${c.targets.length} targets is over the limit of ${L.targets} (MEASURE_LIMITS.targets)` });
  const seen = new Set<string>();
  c.targets.forEach((t, i) => {
    if (!MODES_ALLOWED.has(t.mode)) out.push({ field: `targets[${i}].mode`, message: `targets[${i}] has no mode to measure` });
    if (t.mqttQos > 2) out.push({ field: `targets[${i}].mqttQos`, message: `targets[${i}].mqttQos ${t.mqttQos} is not an MQTT QoS (0, 1 or 2; MQTT 3.1.1 §4.3)` });
    if (t.mode === Mode.GRPC && c.generator === Generator.BROWSER) {
      out.push({ field: `targets[${i}].mode`, message: "native gRPC needs HTTP/2 trailers, which browsers do not expose: measure it from the server, or pick gRPC-web" });
    }
    const key = targetKey(t);
    if (seen.has(key)) out.push({ field: `targets[${i}]`, message: `${key} is listed twice` });
    seen.add(key);
  });
  if (!(c.call in MeasureCall) || c.call === MeasureCall.UNSPECIFIED) out.push({ field: "call", message: `call ${c.call} is not a call the lab measures` });
  if (c.call === MeasureCall.ECHO) {
    const p = c.payload;
    if (!p || !(p.shape in PayloadShape) || p.shape === PayloadShape.UNSPECIFIED) out.push({ field: "payload.shape", message: "payload.shape must be users, numbers or text" });
    over("payload.bytes", p?.bytes ?? 0, "payloadBytes", " bytes", 16);
  }
  const l = c.load;
  if (!l) return out;
  over("load.concurrency", l.concurrency, "concurrency", "");
  if (l.model === LoadModel.CLOSED) {
    over("load.requests + load.warmupRequests", l.requests + l.warmupRequests, "requests", "");
  } else if (l.model === LoadModel.OPEN) {
    over("load.ratePerSecond", l.ratePerSecond, "ratePerSecond", "/s");
    const total = plannedRunMs(c);
    if (l.durationMs < 100) out.push({ field: "load.durationMs", message: `load.durationMs ${l.durationMs} ms is under 100 ms` });
    if (total > L.runMs) {
      out.push({
        field: "load.durationMs",
        limit: "runMs",
        message: `the run would take ${fmt(total / 1000)} s (${c.targets.length} × (${fmt(l.warmupMs / 1000)} s warm-up + ${fmt(l.durationMs / 1000)} s)), over the limit of ${L.runMs / 1000} s (MEASURE_LIMITS.runMs)`,
      });
    }
    const perTarget = ((l.warmupMs + l.durationMs) / 1000) * l.ratePerSecond;
    if (perTarget > L.requests) out.push({ field: "load", limit: "requests", message: `${fmt(perTarget)} requests per target is over ${fmt(L.requests)} (MEASURE_LIMITS.requests)` });
  } else {
    out.push({ field: "load.model", message: "load.model must be closed or open" });
  }
  if (!(c.generator in Generator) || c.generator === Generator.UNSPECIFIED) out.push({ field: "generator", message: "generator must be server or browser" });
  return out;
}

function fmt(n: number): string {
  return Number.isInteger(n) ? n.toLocaleString("en-US") : n.toLocaleString("en-US", { maximumFractionDigits: 2 });
}
