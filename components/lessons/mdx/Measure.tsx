"use client";

import type { MessageInitShape } from "@bufbuild/protobuf";
import { MeasurePanel } from "@/components/measure/MeasurePanel";
import { Generator, LoadModel, MeasureCall, PayloadShape, type RunConfigSchema } from "@/lib/gen/lab/v1/measure_pb";
import { measureText } from "@/lib/measure";
import { targetFromKey } from "@/lib/measure/targets";
import { useLesson } from "../lesson-context";
import css from "../lessons.module.css";

export interface MeasureProps {
  /** What to measure: "GetUser", "ListUsers" or "Echo". */
  call?: string;
  /**
   * Targets by key: "rest", "connect" (JSON) or "connect-json",
   * "connect-binary", "grpc-web", "grpc", "mqtt" (QoS 1) or "mqtt-qos0/1/2".
   */
  modes?: readonly string[];
  load?: {
    model?: "closed" | "open";
    requests?: number;
    concurrency?: number;
    ratePerSecond?: number;
    durationMs?: number;
    warmupRequests?: number;
    warmupMs?: number;
  };
  payload?: { shape?: "users" | "numbers" | "text"; bytes?: number };
  generator?: "browser" | "server";
}

const CALLS: Record<string, MeasureCall> = {
  GetUser: MeasureCall.GET_USER,
  ListUsers: MeasureCall.LIST_USERS,
  Echo: MeasureCall.ECHO,
};

const SHAPES: Record<string, PayloadShape> = { users: PayloadShape.USERS, numbers: PayloadShape.NUMBERS, text: PayloadShape.TEXT };

/** The measure panel's starting configuration for a lesson's props (the learner can still change it). */
export function measurePreset(p: MeasureProps): MessageInitShape<typeof RunConfigSchema> {
  const key = (m: string) => (m === "connect" ? "connect-json" : m === "mqtt" ? "mqtt-qos1" : m);
  const targets = (p.modes ?? ["rest", "connect"]).map((m) => targetFromKey(key(m))).filter((t) => t !== undefined);
  return {
    targets,
    call: CALLS[p.call ?? "GetUser"] ?? MeasureCall.GET_USER,
    payload: p.payload ? { shape: SHAPES[p.payload.shape ?? "users"], bytes: p.payload.bytes ?? 1024 } : undefined,
    load: p.load ? { ...p.load, model: p.load.model === "open" ? LoadModel.OPEN : LoadModel.CLOSED } : undefined,
    generator: p.generator === "server" ? Generator.SERVER : p.generator === "browser" ? Generator.BROWSER : undefined,
  };
}

/**
 * `<Measure call="GetUser" modes={["rest","connect"]} load={{ model: "closed", requests: 500, concurrency: 4 }} />`
 * — the measure panel (components/measure) in a lesson, preset to the run
 * the lesson asks for.
 */
export function Measure(props: MeasureProps) {
  const { locale } = useLesson();
  return (
    <div className={css.widget} data-widget="measure" data-call={props.call} data-modes={props.modes?.join(",")}>
      <MeasurePanel preset={measurePreset(props)} title={`📏 ${measureText("title", locale)}`} locale={locale} />
    </div>
  );
}
