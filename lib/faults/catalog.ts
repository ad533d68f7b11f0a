import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { DefencesSchema, FaultKind, FaultRuleSchema, type Defences, type FaultRule } from "../gen/lab/v1/fault_pb";
import { Mode } from "../gen/lab/v1/trace_pb";
import type { L10n } from "../lessons/types";

/**
 * The one catalogue of fault kinds, their limits, the defences' defaults
 * and the presets. The server validates against it, the fault panel draws
 * from it, lessons and classroom drills name presets from it.
 */

/** Server-enforced limits of fault rules and defences, named in every refusal. */
export const FAULT_LIMITS = {
  rulesPerSession: 16,
  latencyMs: 30_000,
  jitterMs: 30_000,
  bytesPerSecondMin: 100,
  bytesPerSecondMax: 100_000_000,
  sliceBytesMax: 65_536,
  sliceDelayMs: 1_000,
  afterBytesMax: 1_048_576,
  durationMs: 600_000,
  windowMin: 2,
  windowMax: 100,
  labelChars: 40,
  /** A hang holds its connection at most this long, then resets it. */
  hangMaxMs: 300_000,
} as const;

export const DEFENCE_LIMITS = {
  timeoutMs: 60_000,
  maxAttempts: 10,
  backoffMs: 30_000,
  multiplierMax: 10,
  idempotencyTtlMs: 86_400_000,
  dlqAfterAttempts: 100,
  keepaliveSeconds: 3_600,
  publishAckTimeoutMinMs: 100,
  publishAckTimeoutMaxMs: 60_000,
} as const;

export type FaultParam =
  | "latencyMs"
  | "jitterMs"
  | "bytesPerSecond"
  | "sliceBytes"
  | "sliceDelayMs"
  | "afterBytes"
  | "httpStatus"
  | "rpcCode"
  | "durationMs"
  | "window";

/** Where a kind acts: at HTTP/RPC hops, on MQTT deliveries, on a consumer, or the broker. */
export type FaultSite = "http" | "mqtt" | "consumer" | "broker";

export interface FaultKindInfo {
  kind: FaultKind;
  /** Short name used in URLs, presets and trace events ("latency"). */
  name: string;
  title: { en: string; "zh-CN": string };
  /** Parameters the kind reads; the panel shows these. */
  params: FaultParam[];
  sites: FaultSite[];
  /** Modes where the kind applies (MQTT includes MQTT request/reply). */
  modes: Mode[];
  /** The reference it follows (Toxiproxy toxic or spec clause), with a word on what it does where the name does not say. */
  reference: L10n;
}

const HTTP_MODES = [Mode.REST, Mode.CONNECT, Mode.GRPC_WEB, Mode.GRPC];
const ALL_MODES = [...HTTP_MODES, Mode.MQTT];

export const FAULT_KINDS: readonly FaultKindInfo[] = [
  { kind: FaultKind.LATENCY, name: "latency", title: { en: "Latency", "zh-CN": "延迟" }, params: ["latencyMs", "jitterMs"], sites: ["http", "mqtt"], modes: ALL_MODES, reference: { en: "Toxiproxy latency", "zh-CN": "Toxiproxy latency" } },
  { kind: FaultKind.BANDWIDTH, name: "bandwidth", title: { en: "Bandwidth limit", "zh-CN": "带宽限制" }, params: ["bytesPerSecond"], sites: ["http", "mqtt"], modes: ALL_MODES, reference: { en: "Toxiproxy bandwidth", "zh-CN": "Toxiproxy bandwidth" } },
  { kind: FaultKind.SLICER, name: "slicer", title: { en: "Sliced writes", "zh-CN": "分片写入" }, params: ["sliceBytes", "sliceDelayMs"], sites: ["http", "mqtt"], modes: ALL_MODES, reference: { en: "Toxiproxy slicer", "zh-CN": "Toxiproxy slicer" } },
  { kind: FaultKind.HANG, name: "hang", title: { en: "Hang (no answer)", "zh-CN": "挂起（不应答）" }, params: [], sites: ["http"], modes: ALL_MODES, reference: { en: "Toxiproxy timeout", "zh-CN": "Toxiproxy timeout" } },
  { kind: FaultKind.RESET, name: "reset", title: { en: "Connection reset", "zh-CN": "连接重置" }, params: ["afterBytes"], sites: ["http", "mqtt"], modes: ALL_MODES, reference: { en: "Toxiproxy reset_peer; HTTP/2 RST_STREAM (RFC 9113 §6.4)", "zh-CN": "Toxiproxy reset_peer; HTTP/2 RST_STREAM (RFC 9113 §6.4)" } },
  { kind: FaultKind.LIMIT_DATA, name: "limit_data", title: { en: "Close after N bytes", "zh-CN": "N 字节后关闭" }, params: ["afterBytes"], sites: ["http"], modes: HTTP_MODES, reference: { en: "Toxiproxy limit_data", "zh-CN": "Toxiproxy limit_data" } },
  { kind: FaultKind.ERROR, name: "error", title: { en: "Error answer", "zh-CN": "返回错误" }, params: ["httpStatus", "rpcCode"], sites: ["http", "consumer"], modes: ALL_MODES, reference: { en: "RFC 9110 §15; Connect/gRPC status codes", "zh-CN": "RFC 9110 §15；Connect/gRPC 状态码" } },
  { kind: FaultKind.LOST_RESPONSE, name: "lost_response", title: { en: "Lost response", "zh-CN": "响应丢失" }, params: [], sites: ["http"], modes: ALL_MODES, reference: { en: "the server acted; the answer never arrives", "zh-CN": "服务端已执行，应答却没有到达" } },
  { kind: FaultKind.DUPLICATE, name: "duplicate", title: { en: "Duplicate delivery", "zh-CN": "重复投递" }, params: [], sites: ["http", "mqtt"], modes: ALL_MODES, reference: { en: "MQTT 3.1.1 §4.3.2 (at least once), §3.3.1.1 DUP", "zh-CN": "MQTT 3.1.1 §4.3.2（至少一次），§3.3.1.1 DUP" } },
  { kind: FaultKind.MESSAGE_LOSS, name: "message_loss", title: { en: "QoS 0 message loss", "zh-CN": "QoS 0 消息丢失" }, params: [], sites: ["mqtt"], modes: [Mode.MQTT], reference: { en: "MQTT 3.1.1 §4.3.1 (at most once)", "zh-CN": "MQTT 3.1.1 §4.3.1（最多一次）" } },
  { kind: FaultKind.PUBACK_LOSS, name: "puback_loss", title: { en: "PUBACK lost", "zh-CN": "PUBACK 丢失" }, params: [], sites: ["mqtt"], modes: [Mode.MQTT], reference: { en: "MQTT 3.1.1 §4.3.2, §4.4 re-send", "zh-CN": "MQTT 3.1.1 §4.3.2，§4.4 重发" } },
  { kind: FaultKind.REORDER, name: "reorder", title: { en: "Reordering", "zh-CN": "乱序" }, params: ["window"], sites: ["mqtt"], modes: [Mode.MQTT], reference: { en: "MQTT 3.1.1 §4.6 (ordering per topic)", "zh-CN": "MQTT 3.1.1 §4.6（同一主题内保序）" } },
  { kind: FaultKind.CONSUMER_CRASH, name: "consumer_crash", title: { en: "Consumer crash before ack", "zh-CN": "消费者确认前崩溃" }, params: [], sites: ["consumer"], modes: [Mode.MQTT], reference: { en: "MQTT 3.1.1 §4.4 redelivery with CleanSession=0", "zh-CN": "MQTT 3.1.1 §4.4 CleanSession=0 时重新投递" } },
  { kind: FaultKind.BROKER_DOWN, name: "broker_down", title: { en: "Broker outage", "zh-CN": "Broker 宕机" }, params: ["durationMs"], sites: ["broker"], modes: [Mode.MQTT], reference: { en: "CONNACK 3 Server unavailable (MQTT 3.1.1 §3.2.2.3)", "zh-CN": "CONNACK 3 Server unavailable（MQTT 3.1.1 §3.2.2.3）" } },
  { kind: FaultKind.SLOW_CONSUMER, name: "slow_consumer", title: { en: "Slow consumer", "zh-CN": "慢消费者" }, params: ["latencyMs"], sites: ["consumer"], modes: [Mode.MQTT], reference: { en: "backlog builds at the broker and in the socket", "zh-CN": "积压堆在 Broker 和套接字里" } },
];

export function faultKindInfo(kind: FaultKind): FaultKindInfo | undefined {
  return FAULT_KINDS.find((k) => k.kind === kind);
}

export function faultKindByName(name: string): FaultKindInfo | undefined {
  return FAULT_KINDS.find((k) => k.name === name);
}

/** What a fresh sandbox starts with: a realistic service, no defences beyond the defaults of the tools. */
export const DEFAULT_DEFENCES: MessageInitShape<typeof DefencesSchema> = {
  timeoutMs: 10_000,
  propagateDeadline: true,
  retry: { maxAttempts: 1, initialBackoffMs: 100, maxBackoffMs: 2_000, multiplier: 2, jitter: 1, budgetPercent: 20 },
  idempotencyKeys: false,
  idempotencyTtlMs: 600_000,
  eventQos: 1,
  persistentSession: true,
  sharedClientId: false,
  consumerDedup: false,
  dlqAfterAttempts: 0,
  reuseConnections: true,
  keepaliveSeconds: 30,
  publishAckTimeoutMs: 2_000,
};

export function defaultDefences(): Defences {
  return create(DefencesSchema, DEFAULT_DEFENCES);
}

type RuleInit = MessageInitShape<typeof FaultRuleSchema>;

export interface FaultPreset {
  id: string;
  title: { en: string; "zh-CN": string };
  rules: RuleInit[];
}

/** Named sets of rules: the fault panel's presets, lessons' and classroom drills' starting points. */
export const FAULT_PRESETS: readonly FaultPreset[] = [
  {
    id: "flaky-network",
    title: { en: "Flaky network", "zh-CN": "不稳定的网络" },
    rules: [
      { kind: FaultKind.LATENCY, probability: 1, latencyMs: 150, jitterMs: 100, label: "flaky network" },
      { kind: FaultKind.RESET, probability: 0.1, label: "flaky network" },
    ],
  },
  {
    id: "lossy-queue",
    title: { en: "Lossy queue", "zh-CN": "不可靠的队列" },
    rules: [
      { kind: FaultKind.DUPLICATE, target: { mode: Mode.MQTT, topic: "events/#" }, probability: 0.3, label: "lossy queue" },
      { kind: FaultKind.MESSAGE_LOSS, target: { mode: Mode.MQTT, topic: "events/#" }, probability: 0.2, label: "lossy queue" },
    ],
  },
  {
    id: "slow-service",
    title: { en: "Slow service", "zh-CN": "慢服务" },
    rules: [{ kind: FaultKind.LATENCY, target: { service: "UserService" }, probability: 1, latencyMs: 2_000, label: "slow service" }],
  },
  {
    id: "broker-outage",
    title: { en: "Broker outage (10 s)", "zh-CN": "Broker 宕机（10 秒）" },
    rules: [{ kind: FaultKind.BROKER_DOWN, probability: 1, durationMs: 10_000, label: "broker outage" }],
  },
];

export function presetRules(id: string): FaultRule[] {
  const preset = FAULT_PRESETS.find((p) => p.id === id);
  if (!preset) throw new Error(`no fault preset ${JSON.stringify(id)}; presets: ${FAULT_PRESETS.map((p) => p.id).join(", ")}`);
  return preset.rules.map((r) => create(FaultRuleSchema, r));
}
