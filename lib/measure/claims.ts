import { LoadModel, MeasureCall, type RunConditions, type RunConfig } from "../gen/lab/v1/measure_pb";
import type { Locale } from "../lessons/types";
import { measureText, measureTextFor } from "./measure-text";
import { encodedSizes, makeEchoRequest } from "./payload";
import type { RunView, TargetView } from "./run-view";
import type { TargetKey } from "./targets";
import type { SerializationResult } from "./serialization-bench";

/**
 * The seeds' quantitative claims, quoted exactly with their file, and what
 * this machine just measured next to each. Nothing here is a result: every
 * number comes from the run (or the serialization micro-benchmark) that
 * the learner made, and a claim whose measurement is missing says what to
 * run. The sentences are in the page's language (MEASURE_TEXT); what each
 * claim means is MEASURE_TEXT["claim.<id>"].
 */
export interface SeedClaim {
  id: "size" | "qps" | "latency" | "serialization" | "performance";
  /** The seed file under ../shared/seeds/ and its article's title. */
  file: string;
  article: string;
  /** The exact words of the seed. */
  quote: string;
  /** The claimed range of the measure, inclusive, and how it reads ("×", "%"). */
  range: [number, number];
  unit: "×" | "%";
  /** Whether a larger measure means a larger effect than claimed (a smaller size ratio is a larger saving). */
  larger: "stronger" | "weaker";
}

const SEED_000 = { file: "000_3f52ea81786e5cc1.txt", article: "微服务间的通信方式：HTTP vs RPC vs 消息队列" };
const SEED_002 = { file: "002_86622f42736fc5a1.txt", article: "Golang微服务之间如何通信_Golang服务通信方式对比 (php中文网)" };

export const SEED_CLAIMS: readonly SeedClaim[] = [
  {
    id: "size",
    ...SEED_002,
    quote: "Protobuf 序列化体积只有 JSON 的约 35%",
    range: [30, 40],
    unit: "%",
    larger: "weaker",
  },
  {
    id: "qps",
    ...SEED_002,
    quote: "实测 QPS 提升 3–5 倍",
    range: [3, 5],
    unit: "×",
    larger: "stronger",
  },
  {
    id: "latency",
    ...SEED_002,
    quote: "延迟降 40%~60%",
    range: [40, 60],
    unit: "%",
    larger: "stronger",
  },
  {
    id: "serialization",
    ...SEED_000,
    quote: "1. **高性能**：二进制序列化，比 JSON 快 3-10 倍",
    range: [3, 10],
    unit: "×",
    larger: "stronger",
  },
  {
    id: "performance",
    ...SEED_000,
    quote: "| **性能** | 中等 | 高（5-10倍于 HTTP） | 高（批量处理） |",
    range: [5, 10],
    unit: "×",
    larger: "stronger",
  },
];

export type Verdict = "holds" | "weaker" | "stronger" | "opposite" | "not-measured";

export interface ClaimRow {
  claim: SeedClaim;
  verdict: Verdict;
  /** The measured value in the claim's unit; undefined when not measured. */
  measured?: number;
  /** The verdict in a plain sentence. */
  text: string;
  /** What was compared and under which conditions. */
  conditions: string;
}

/** The JSON and protobuf side a comparison takes from a run: REST and gRPC when both ran, else the closest pair. */
const JSON_SIDE: readonly TargetKey[] = ["rest", "connect-json"];
const PROTO_SIDE: readonly TargetKey[] = ["grpc", "grpc-web", "connect-binary", "mqtt-qos0", "mqtt-qos1", "mqtt-qos2"];

function pick(view: RunView | undefined, keys: readonly TargetKey[], usable: (t: TargetView) => boolean): TargetView | undefined {
  for (const k of keys) {
    const t = view?.targets.find((x) => x.key === k && usable(x));
    if (t) return t;
  }
  return undefined;
}

const measuredCalls = (t: TargetView) => Number(t.result.latency?.count ?? 0n) > 0;

function fmt(n: number, digits = 2): string {
  return n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: n < 10 && digits > 0 ? Math.min(digits, 1) : 0 });
}

/** The run's conditions in one line: where, what, how. */
export function conditionsText(config: RunConfig | undefined, conditions: RunConditions | undefined, locale: Locale = "en"): string {
  if (!config) return "";
  const t = measureTextFor(locale);
  const call = config.call === MeasureCall.ECHO ? t("condEcho", { bytes: fmt(config.payload?.bytes ?? 0, 0) }) : config.call === MeasureCall.LIST_USERS ? "ListUsers" : "GetUser";
  const l = config.load;
  const load = l?.model === LoadModel.OPEN ? t("condOpen", { rate: fmt(l.ratePerSecond, 0), c: l.concurrency }) : t("condClosed", { c: l?.concurrency ?? 0 });
  const reuse = conditions?.defences ? t(conditions.defences.reuseConnections ? "condReuse" : "condNoReuse") : "";
  const n = conditions?.faults.length ?? 0;
  const faults = n ? t(n > 1 ? "condFaults" : "condFault", { n }) : t("condNoFaults");
  return [conditions?.serverAddress ?? "", call, load, reuse, faults, conditions?.generatorHost.split(" · ")[0] ?? "", busyText(conditions, locale)].filter(Boolean).join(" · ");
}

/** A warning when other work competed for the machine during a run; "" when it did not or nobody knows. */
export function busyText(conditions: RunConditions | undefined, locale: Locale = "en"): string {
  if (!conditions || conditions.cpuCores === 0) return "";
  const load = Math.max(conditions.loadBefore, conditions.loadAfter);
  if (load <= conditions.cpuCores) return "";
  return measureText("machineBusy", locale, { before: conditions.loadBefore.toFixed(1), after: conditions.loadAfter.toFixed(1), cores: conditions.cpuCores });
}

function judge(claim: SeedClaim, measured: number, text: (v: Verdict) => string, conditions: string, opposite: boolean): ClaimRow {
  const [lo, hi] = claim.range;
  const above: Verdict = claim.larger;
  const below: Verdict = claim.larger === "stronger" ? "weaker" : "stronger";
  const verdict: Verdict = opposite ? "opposite" : measured < lo ? below : measured > hi ? above : "holds";
  return { claim, verdict, measured, text: text(verdict), conditions };
}

const notMeasured = (claim: SeedClaim, text: string): ClaimRow => ({ claim, verdict: "not-measured", text, conditions: "" });

/**
 * Every seed claim next to what `view` (and, for serialization, `serialization`) measured,
 * its sentences in `locale`.
 * Ratios come from the run's own targets: the JSON side is REST (else
 * Connect JSON), the protobuf side gRPC (else gRPC-web, Connect binary,
 * MQTT), and the row says which pair it used.
 */
export function evaluateClaims(view: RunView | undefined, serialization?: SerializationResult, locale: Locale = "en"): ClaimRow[] {
  const t = measureTextFor(locale);
  /** The verdict's lead: "Holds here", or how it differs ("A smaller gain here"). */
  const lead = (v: Verdict, kind: "size" | "gain" | "drop") => (v === "holds" ? t("lead.holds") : t(`lead.${kind}.${v === "stronger" ? "stronger" : "weaker"}`));
  const cond = conditionsText(view?.config, view?.conditions, locale);
  const json = pick(view, JSON_SIDE, measuredCalls);
  const proto = pick(view, PROTO_SIDE, measuredCalls);
  const pair = json && proto ? t("pairVs", { proto: proto.title, json: json.title }) : "";
  const closed = view?.config?.load?.model !== LoadModel.OPEN;
  return SEED_CLAIMS.map((claim) => {
    switch (claim.id) {
      case "size": {
        const sizes = sizeComparison(view, json, proto, locale);
        if (!sizes) return notMeasured(claim, t("needSizes"));
        const pct = (sizes.protobuf / sizes.json) * 100;
        return judge(claim, pct, (v) => t("sizeVerdict", { lead: lead(v, "size"), protobuf: fmt(sizes.protobuf, 0), pct: fmt(pct, 0), json: fmt(sizes.json, 0) }), `${sizes.source} · ${cond}`, false);
      }
      case "qps":
      case "performance": {
        if (!json || !proto) return notMeasured(claim, t("needPair"));
        if (!closed) return notMeasured(claim, t("needClosed"));
        const ratio = proto.result.achievedPerSecond / json.result.achievedPerSecond;
        const vars = { proto: proto.title, json: json.title, ratio: fmt(ratio), what: t(claim.id === "qps" ? "queriesPerSecond" : "throughput") };
        return judge(
          claim,
          ratio,
          (v) =>
            v === "opposite"
              ? t("rateOpposite", vars)
              : t("rateVerdict", { ...vars, lead: lead(v, "gain"), protoRate: fmt(proto.result.achievedPerSecond, 0), jsonRate: fmt(json.result.achievedPerSecond, 0) }),
          `${pair} · ${cond}`,
          ratio < 1,
        );
      }
      case "latency": {
        if (!json || !proto) return notMeasured(claim, t("needPair"));
        const p50 = (1 - proto.result.latency!.p50Ms / json.result.latency!.p50Ms) * 100;
        const p99 = (1 - proto.result.latency!.p99Ms / json.result.latency!.p99Ms) * 100;
        const p99Text = p99 >= 0 ? t("pctLower", { pct: fmt(p99, 0) }) : t("pctHigher", { pct: fmt(-p99, 0) });
        return judge(
          claim,
          p50,
          (v) =>
            v === "opposite"
              ? t("latencyOpposite", { proto: proto.title, json: json.title, pct: fmt(-p50, 0), p99: p99Text })
              : t("latencyVerdict", {
                  lead: lead(v, "drop"),
                  proto: proto.title,
                  json: json.title,
                  pct: fmt(p50, 0),
                  protoMs: fmt(proto.result.latency!.p50Ms, 3),
                  jsonMs: fmt(json.result.latency!.p50Ms, 3),
                  p99: p99Text,
                }),
          `${pair} · ${cond}`,
          p50 < 0,
        );
      }
      case "serialization": {
        if (!serialization) return notMeasured(claim, t("needSerialization"));
        const ratio = serialization.speedup;
        return judge(
          claim,
          ratio,
          (v) => (v === "opposite" ? t("serializationOpposite", { ratio: fmt(ratio) }) : t("serializationVerdict", { lead: lead(v, "gain"), ratio: fmt(ratio) })),
          `${serialization.message} · ${serialization.engine}`,
          ratio < 1,
        );
      }
    }
  });
}

/**
 * Bytes of one message as JSON and as protobuf: for Echo the payload's
 * exact encodings (REST's JSON shape vs protobuf); for the other calls the
 * response bodies the run measured, taking a protobuf mode without framing
 * (Connect binary, MQTT) when one ran, else gRPC less its 5-byte prefix.
 */
function sizeComparison(view: RunView | undefined, json: TargetView | undefined, proto: TargetView | undefined, locale: Locale): { json: number; protobuf: number; source: string } | undefined {
  const config = view?.config;
  if (config?.call === MeasureCall.ECHO && config.payload) {
    const s = encodedSizes(makeEchoRequest(config.payload.shape, config.payload.bytes, config.seed));
    return { json: s.restJson, protobuf: s.protobuf, source: measureText("echoExactSizes", locale) };
  }
  if (!json || !proto) return undefined;
  // A stream is enveloped in Connect too; over MQTT each message is a bare payload.
  const stream = config?.call === MeasureCall.LIST_USERS;
  const unframed = pick(view, stream ? ["mqtt-qos0", "mqtt-qos1", "mqtt-qos2"] : ["connect-binary", "mqtt-qos0", "mqtt-qos1", "mqtt-qos2"], measuredCalls);
  const framed = stream ? undefined : pick(view, ["grpc"], measuredCalls);
  const jsonBytes = json.result.responseBytes;
  if (unframed) return { json: jsonBytes, protobuf: unframed.result.responseBytes, source: measureText("meanResponseBody", locale, { proto: unframed.title, json: json.title }) };
  if (framed) return { json: jsonBytes, protobuf: framed.result.responseBytes - 5, source: measureText("meanResponseBodyGrpc", locale, { json: json.title }) };
  return undefined;
}

/**
 * A claim's quote as prose: the seeds are Markdown, and a quote keeps their
 * exact text (so a test can find it in the file), but the page shows it
 * without the markup — no `**`, no list number, a table row's cells joined
 * by " · ".
 */
export function quoteText(quote: string): string {
  let t = quote.replace(/\*\*/g, "").trim();
  if (t.startsWith("|")) {
    t = t
      .split("|")
      .map((c) => c.trim())
      .filter((c) => c !== "")
      .join(" · ");
  }
  return t.replace(/^\d+\.\s+/, "");
}
