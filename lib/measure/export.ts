import { clone, fromJson, toJson, type JsonValue } from "@bufbuild/protobuf";
import { DefencesSchema, FaultRuleSchema, type Defences, type FaultRule } from "../gen/lab/v1/fault_pb";
import { IntervalBucketSchema, LoadModel, RunConditionsSchema, RunConfigSchema, TargetResultSchema, type RunConfig } from "../gen/lab/v1/measure_pb";
import type { ClaimRow } from "./claims";
import type { RunView } from "./run-view";
import type { SerializationResult } from "./serialization-bench";
import { targetInfo } from "./targets";

/**
 * A run's results as CSV (one row per target) and JSON (everything,
 * histograms in HdrHistogram's own encoding), and the permalink that
 * brings the same run back: modes, call, payload, load, seed, and the
 * faults and defences it ran under.
 */

const CSV_COLUMNS = [
  "target",
  "wire",
  "generator",
  "model",
  "offered_per_s",
  "achieved_per_s",
  "count",
  "ok",
  "errors",
  "p50_ms",
  "p90_ms",
  "p99_ms",
  "p999_ms",
  "p999_reliable",
  "max_ms",
  "mean_ms",
  "warmup_count",
  "warmup_p50_ms",
  "request_bytes",
  "response_bytes",
  "generator_cpu_pct",
  "unfinished",
  "max_send_lag_ms",
  "note",
] as const;

function csvCell(v: string | number | boolean): string {
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

const r3 = (n: number | undefined) => (n === undefined ? "" : Number(n.toFixed(3)));

/** One row per target; latencies in ms, rates per second, bytes per call. */
export function runToCsv(view: RunView): string {
  const config = view.config;
  const model = config?.load?.model === LoadModel.OPEN ? "open" : "closed";
  const generator = config?.generator === 2 ? "browser" : "server";
  const rows = view.targets.map((t) => {
    const r = t.result;
    const l = r.latency;
    const cells: Record<(typeof CSV_COLUMNS)[number], string | number | boolean> = {
      target: t.key,
      wire: targetInfo(t.key).wire,
      generator,
      model,
      offered_per_s: r3(r.offeredPerSecond),
      achieved_per_s: r3(r.achievedPerSecond),
      count: String(l?.count ?? 0n),
      ok: String(r.ok),
      errors: Object.entries(r.errors)
        .map(([k, v]) => `${k}=${v}`)
        .join(";"),
      p50_ms: r3(l?.p50Ms),
      p90_ms: r3(l?.p90Ms),
      p99_ms: r3(l?.p99Ms),
      p999_ms: r3(l?.p999Ms),
      p999_reliable: l?.p999Reliable ?? false,
      max_ms: r3(l?.maxMs),
      mean_ms: r3(l?.meanMs),
      warmup_count: String(r.warmup?.count ?? 0n),
      warmup_p50_ms: r3(r.warmup?.p50Ms),
      request_bytes: r3(r.requestBytes),
      response_bytes: r3(r.responseBytes),
      generator_cpu_pct: r3(r.generatorCpu * 100),
      unfinished: String(r.unfinished),
      max_send_lag_ms: r3(r.maxSendLagMs),
      note: r.note,
    };
    return CSV_COLUMNS.map((c) => csvCell(cells[c])).join(",");
  });
  return [CSV_COLUMNS.join(","), ...rows].join("\r\n") + "\r\n";
}

/** Everything about a run as JSON: configuration, conditions, each target's result with its histogram, the buckets, the claims. */
export function runToJson(view: RunView, extra: { claims?: ClaimRow[]; serialization?: SerializationResult; permalink?: string } = {}): string {
  const doc = {
    format: "wirelab.measure.v1",
    runId: view.runId,
    state: view.state,
    startedAt: view.startedUnixMs ? new Date(view.startedUnixMs).toISOString() : undefined,
    elapsedMs: view.elapsedMs,
    permalink: extra.permalink,
    config: view.config ? toJson(RunConfigSchema, view.config) : undefined,
    conditions: view.conditions ? toJson(RunConditionsSchema, view.conditions) : undefined,
    targets: view.targets.map((t) => ({
      key: t.key,
      result: toJson(TargetResultSchema, t.result),
      buckets: t.buckets.map((b) => toJson(IntervalBucketSchema, b)),
    })),
    claims: extra.claims?.map((c) => ({ file: c.claim.file, quote: c.claim.quote, verdict: c.verdict, measured: c.measured, text: c.text, conditions: c.conditions })),
    serialization: extra.serialization,
  };
  return JSON.stringify(doc, null, 2);
}

/** What a permalink carries. */
export interface MeasureLink {
  config: RunConfig;
  faults: FaultRule[];
  defences?: Defences;
}

const PARAM = "measure";

function toBase64Url(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromBase64Url(s: string): string {
  const bin = atob(s.replace(/-/g, "+").replace(/_/g, "/"));
  return new TextDecoder().decode(Uint8Array.from(bin, (c) => c.charCodeAt(0)));
}

/** `<origin>/playground?measure=…#measure`: the run's configuration, faults and defences, as protobuf JSON in base64url. */
export function permalinkFor(origin: string, link: MeasureLink, path = "/playground"): string {
  const doc = {
    v: 1,
    config: toJson(RunConfigSchema, link.config),
    faults: link.faults.map((r) => {
      // The server fills ids, expiry and hit counts in; the link carries what the rule is.
      const rule = clone(FaultRuleSchema, r);
      rule.id = "";
      rule.hits = 0n;
      rule.expiresUnixMs = 0;
      return toJson(FaultRuleSchema, rule);
    }),
    defences: link.defences ? toJson(DefencesSchema, link.defences) : undefined,
  };
  return `${origin}${path}?${PARAM}=${toBase64Url(JSON.stringify(doc))}#measure`;
}

/** The link in a page's query string; undefined when there is none, an error when it does not read. */
export function parsePermalink(search: string): MeasureLink | { error: string } | undefined {
  const raw = new URLSearchParams(search).get(PARAM);
  if (raw === null) return undefined;
  try {
    const doc = JSON.parse(fromBase64Url(raw)) as { v?: number; config?: JsonValue; faults?: JsonValue[]; defences?: JsonValue };
    if (doc.v !== 1 || doc.config === undefined) return { error: "this measure link is from another version of Wirelab" };
    return {
      config: fromJson(RunConfigSchema, doc.config),
      faults: (doc.faults ?? []).map((f) => fromJson(FaultRuleSchema, f)),
      defences: doc.defences === undefined ? undefined : fromJson(DefencesSchema, doc.defences),
    };
  } catch (err) {
    return { error: `this measure link does not read: ${(err as Error).message}` };
  }
}
