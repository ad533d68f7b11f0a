import { LoadModel, MeasureCall, type RunConditions, type RunConfig } from "../gen/lab/v1/measure_pb";
import { encodedSizes, makeEchoRequest } from "./payload";
import type { RunView, TargetView } from "./run-view";
import type { TargetKey } from "./targets";
import type { SerializationResult } from "./serialization-bench";

/**
 * The seeds' quantitative claims, quoted exactly with their file, and what
 * this machine just measured next to each. Nothing here is a result: every
 * number comes from the run (or the serialization micro-benchmark) that
 * the learner made, and a claim whose measurement is missing says what to
 * run.
 */
export interface SeedClaim {
  id: "size" | "qps" | "latency" | "serialization" | "performance";
  /** The seed file under ../shared/seeds/ and its article's title. */
  file: string;
  article: string;
  /** The exact words of the seed. */
  quote: string;
  /** The claim in plain English. */
  meaning: string;
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
    meaning: "A message encoded as protobuf is about 35 % of its JSON size.",
    range: [30, 40],
    unit: "%",
    larger: "weaker",
  },
  {
    id: "qps",
    ...SEED_002,
    quote: "实测 QPS 提升 3–5 倍",
    meaning: "Measured: gRPC serves 3–5 times the queries per second of HTTP/JSON.",
    range: [3, 5],
    unit: "×",
    larger: "stronger",
  },
  {
    id: "latency",
    ...SEED_002,
    quote: "延迟降 40%~60%",
    meaning: "gRPC's latency is 40–60 % lower than HTTP/JSON's.",
    range: [40, 60],
    unit: "%",
    larger: "stronger",
  },
  {
    id: "serialization",
    ...SEED_000,
    quote: "1. **高性能**：二进制序列化，比 JSON 快 3-10 倍",
    meaning: "High performance: binary serialization is 3–10 times faster than JSON.",
    range: [3, 10],
    unit: "×",
    larger: "stronger",
  },
  {
    id: "performance",
    ...SEED_000,
    quote: "| **性能** | 中等 | 高（5-10倍于 HTTP） | 高（批量处理） |",
    meaning: "Performance: HTTP REST medium; gRPC high, 5–10 times HTTP's.",
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
export function conditionsText(config: RunConfig | undefined, conditions: RunConditions | undefined): string {
  if (!config) return "";
  const call = config.call === MeasureCall.ECHO ? `Echo of ${fmt(config.payload?.bytes ?? 0, 0)} B (JSON)` : config.call === MeasureCall.LIST_USERS ? "ListUsers" : "GetUser";
  const l = config.load;
  const load =
    l?.model === LoadModel.OPEN ? `open model, ${fmt(l.ratePerSecond, 0)}/s, ≤ ${l.concurrency} in flight` : `closed model, ${l?.concurrency ?? 0} in flight`;
  const reuse = conditions?.defences ? (conditions.defences.reuseConnections ? "connections reused" : "a new connection per call (reuse off)") : "";
  const faults = conditions?.faults.length ? `${conditions.faults.length} fault rule${conditions.faults.length > 1 ? "s" : ""} on` : "no faults";
  return [conditions?.serverAddress ?? "", call, load, reuse, faults, conditions?.generatorHost.split(" · ")[0] ?? "", busyText(conditions)].filter(Boolean).join(" · ");
}

/** A warning when other work competed for the machine during a run; "" when it did not or nobody knows. */
export function busyText(conditions: RunConditions | undefined): string {
  if (!conditions || conditions.cpuCores === 0) return "";
  const load = Math.max(conditions.loadBefore, conditions.loadAfter);
  if (load <= conditions.cpuCores) return "";
  return `machine busy (load ${conditions.loadBefore.toFixed(1)} → ${conditions.loadAfter.toFixed(1)} on ${conditions.cpuCores} CPUs): modes measured one after another may have met different conditions`;
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
 * Every seed claim next to what `view` (and, for serialization, `serialization`) measured.
 * Ratios come from the run's own targets: the JSON side is REST (else
 * Connect JSON), the protobuf side gRPC (else gRPC-web, Connect binary,
 * MQTT), and the row says which pair it used.
 */
export function evaluateClaims(view: RunView | undefined, serialization?: SerializationResult): ClaimRow[] {
  const cond = conditionsText(view?.config, view?.conditions);
  const json = pick(view, JSON_SIDE, measuredCalls);
  const proto = pick(view, PROTO_SIDE, measuredCalls);
  const pair = json && proto ? `${proto.title} vs ${json.title}` : "";
  const needPair = "Not measured yet: run a JSON mode (REST or Connect JSON) and a protobuf mode (gRPC, gRPC-web or Connect binary) together.";
  const closed = view?.config?.load?.model !== LoadModel.OPEN;
  return SEED_CLAIMS.map((claim) => {
    switch (claim.id) {
      case "size": {
        const sizes = sizeComparison(view, json, proto);
        if (!sizes) {
          return notMeasured(
            claim,
            "Not measured yet: run REST (or Connect JSON) with Connect binary, MQTT or gRPC, whose bodies carry the bare message — or measure Echo, whose payload's encodings are known exactly.",
          );
        }
        const pct = (sizes.protobuf / sizes.json) * 100;
        return judge(
          claim,
          pct,
          (v) =>
            `${v === "holds" ? "Holds here" : v === "stronger" ? "Protobuf is even smaller here" : "Protobuf saves less here"}: ${fmt(sizes.protobuf, 0)} B of protobuf is ${fmt(pct, 0)} % of ${fmt(sizes.json, 0)} B of JSON.`,
          `${sizes.source} · ${cond}`,
          false,
        );
      }
      case "qps":
      case "performance": {
        if (!json || !proto) return notMeasured(claim, needPair);
        if (!closed) {
          return notMeasured(claim, "Not comparable in an open run: both modes are offered the same rate. Throughput shows the difference in a closed run (N requests at concurrency C), where each mode goes as fast as it can.");
        }
        const ratio = proto.result.achievedPerSecond / json.result.achievedPerSecond;
        const what = claim.id === "qps" ? "queries per second" : "throughput";
        return judge(
          claim,
          ratio,
          (v) =>
            v === "opposite"
              ? `The opposite here: ${proto.title} did ${fmt(ratio)}× the ${what} of ${json.title} — slower.`
              : `${v === "holds" ? "Holds here" : v === "weaker" ? "A smaller gain here" : "A larger gain here"}: ${proto.title} did ${fmt(ratio)}× the ${what} of ${json.title} (${fmt(proto.result.achievedPerSecond, 0)}/s vs ${fmt(json.result.achievedPerSecond, 0)}/s).`,
          `${pair} · ${cond}`,
          ratio < 1,
        );
      }
      case "latency": {
        if (!json || !proto) return notMeasured(claim, needPair);
        const p50 = (1 - proto.result.latency!.p50Ms / json.result.latency!.p50Ms) * 100;
        const p99 = (1 - proto.result.latency!.p99Ms / json.result.latency!.p99Ms) * 100;
        return judge(
          claim,
          p50,
          (v) =>
            v === "opposite"
              ? `The opposite here: ${proto.title}'s median latency is ${fmt(-p50, 0)} % higher than ${json.title}'s (p99: ${p99 >= 0 ? `${fmt(p99, 0)} % lower` : `${fmt(-p99, 0)} % higher`}).`
              : `${v === "holds" ? "Holds here" : v === "weaker" ? "A smaller drop here" : "A larger drop here"}: ${proto.title}'s median latency is ${fmt(p50, 0)} % lower than ${json.title}'s (${fmt(proto.result.latency!.p50Ms, 3)} vs ${fmt(json.result.latency!.p50Ms, 3)} ms; p99 ${fmt(p99, 0)} % lower).`,
          `${pair} · ${cond}`,
          p50 < 0,
        );
      }
      case "serialization": {
        if (!serialization) return notMeasured(claim, "Not measured yet: run the serialization micro-benchmark below.");
        const ratio = serialization.speedup;
        return judge(
          claim,
          ratio,
          (v) =>
            v === "opposite"
              ? `The opposite here: protobuf-es encodes and decodes this message at ${fmt(ratio)}× the rate of JSON.stringify/JSON.parse — JSON is faster in this JavaScript engine.`
              : `${v === "holds" ? "Holds here" : v === "weaker" ? "A smaller gain here" : "A larger gain here"}: protobuf round trips ran at ${fmt(ratio)}× the rate of JSON's.`,
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
function sizeComparison(view: RunView | undefined, json: TargetView | undefined, proto: TargetView | undefined): { json: number; protobuf: number; source: string } | undefined {
  const config = view?.config;
  if (config?.call === MeasureCall.ECHO && config.payload) {
    const s = encodedSizes(makeEchoRequest(config.payload.shape, config.payload.bytes, config.seed));
    return { json: s.restJson, protobuf: s.protobuf, source: "the Echo payload's exact encodings (REST's JSON vs protobuf)" };
  }
  if (!json || !proto) return undefined;
  // A stream is enveloped in Connect too; over MQTT each message is a bare payload.
  const stream = config?.call === MeasureCall.LIST_USERS;
  const unframed = pick(view, stream ? ["mqtt-qos0", "mqtt-qos1", "mqtt-qos2"] : ["connect-binary", "mqtt-qos0", "mqtt-qos1", "mqtt-qos2"], measuredCalls);
  const framed = stream ? undefined : pick(view, ["grpc"], measuredCalls);
  const jsonBytes = json.result.responseBytes;
  if (unframed) return { json: jsonBytes, protobuf: unframed.result.responseBytes, source: `mean response body per call, ${unframed.title} vs ${json.title}` };
  if (framed) return { json: jsonBytes, protobuf: framed.result.responseBytes - 5, source: `mean response body per call, gRPC (less its 5-byte prefix) vs ${json.title}` };
  return undefined;
}
