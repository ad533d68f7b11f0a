import { create } from "@bufbuild/protobuf";
import type { LabClientOptions, ModeName } from "../client/types";
import { MeasureTargetSchema, type MeasureTarget } from "../gen/lab/v1/measure_pb";
import { Mode } from "../gen/lab/v1/trace_pb";
import { measureText } from "./measure-text";

/**
 * The ways a run can make its call — a mode plus, where the mode has a
 * choice, its codec or QoS — named by short keys that permalinks, CSV
 * columns and the page share.
 */
export type TargetKey = "rest" | "connect-json" | "connect-binary" | "grpc-web" | "grpc" | "mqtt-qos0" | "mqtt-qos1" | "mqtt-qos2";

interface TargetInfo {
  key: TargetKey;
  title: string;
  /** What crosses the wire, in English for exports (the panel shows MEASURE_TEXT["wire.<key>"] in its language). */
  wire: string;
  encoding: "json" | "protobuf";
  browser: boolean;
  target: { mode: Mode; binary?: boolean; mqttQos?: number };
}

export const TARGETS: readonly TargetInfo[] = [
  { key: "rest", title: "REST", wire: measureText("wire.rest", "en"), encoding: "json", browser: true, target: { mode: Mode.REST } },
  { key: "connect-json", title: "Connect JSON", wire: measureText("wire.connect-json", "en"), encoding: "json", browser: true, target: { mode: Mode.CONNECT } },
  { key: "connect-binary", title: "Connect binary", wire: measureText("wire.connect-binary", "en"), encoding: "protobuf", browser: true, target: { mode: Mode.CONNECT, binary: true } },
  { key: "grpc-web", title: "gRPC-web", wire: measureText("wire.grpc-web", "en"), encoding: "protobuf", browser: true, target: { mode: Mode.GRPC_WEB } },
  { key: "grpc", title: "gRPC", wire: measureText("wire.grpc", "en"), encoding: "protobuf", browser: false, target: { mode: Mode.GRPC } },
  { key: "mqtt-qos0", title: "MQTT QoS 0", wire: measureText("wire.mqtt-qos0", "en"), encoding: "protobuf", browser: true, target: { mode: Mode.MQTT, mqttQos: 0 } },
  { key: "mqtt-qos1", title: "MQTT QoS 1", wire: measureText("wire.mqtt-qos1", "en"), encoding: "protobuf", browser: true, target: { mode: Mode.MQTT, mqttQos: 1 } },
  { key: "mqtt-qos2", title: "MQTT QoS 2", wire: measureText("wire.mqtt-qos2", "en"), encoding: "protobuf", browser: true, target: { mode: Mode.MQTT, mqttQos: 2 } },
];

/** The key of a target ("connect-binary"). */
export function targetKey(t: MeasureTarget): TargetKey {
  switch (t.mode) {
    case Mode.REST:
      return "rest";
    case Mode.CONNECT:
      return t.binary ? "connect-binary" : "connect-json";
    case Mode.GRPC_WEB:
      return "grpc-web";
    case Mode.GRPC:
      return "grpc";
    default:
      return `mqtt-qos${Math.min(2, t.mqttQos)}` as TargetKey;
  }
}

export function targetInfo(t: MeasureTarget | TargetKey): TargetInfo {
  const key = typeof t === "string" ? t : targetKey(t);
  return TARGETS.find((x) => x.key === key) ?? TARGETS[0];
}

/** The target a key names; undefined for an unknown key. */
export function targetFromKey(key: string): MeasureTarget | undefined {
  const info = TARGETS.find((x) => x.key === key);
  return info && create(MeasureTargetSchema, info.target);
}

const MODE_NAMES: Partial<Record<Mode, ModeName>> = {
  [Mode.REST]: "rest",
  [Mode.CONNECT]: "connect",
  [Mode.GRPC_WEB]: "grpc-web",
  [Mode.GRPC]: "grpc",
  [Mode.MQTT]: "mqtt",
};

/** lib/client's options for a target: its mode, codec and QoS. */
export function clientOptionsFor(t: MeasureTarget): Pick<LabClientOptions, "mode" | "codec" | "mqttQos"> {
  const mode = MODE_NAMES[t.mode];
  if (!mode) throw new Error(`no client for mode ${t.mode}`);
  return { mode, codec: t.binary ? "binary" : "json", mqttQos: Math.min(2, t.mqttQos) as 0 | 1 | 2 };
}
