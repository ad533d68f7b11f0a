import type { LabClientOptions } from "@/lib/client";
import type { SerializationResult } from "@/lib/measure";

/** The page → Web Worker messages of a browser run. Protobuf messages travel encoded. */
export type PageToWorker =
  | {
      type: "start";
      runId: string;
      session: string;
      /** lab.v1.RunConfig, normalised and checked. */
      config: Uint8Array;
      /** lab.v1.RunConditions. */
      conditions: Uint8Array;
      /** The page's own origin and broker: a browser run reaches nothing else. */
      baseUrl: string;
      mqttUrl: string;
      clientOptions: Pick<LabClientOptions, "timeoutMs" | "retry" | "idempotencyKeys">;
    }
  | { type: "cancel" }
  /** The serialization micro-benchmark of a run configuration's message. */
  | { type: "serialization"; config: Uint8Array; budgetMs: number };

export type WorkerToPage =
  | { type: "update"; update: Uint8Array }
  | { type: "done"; update: Uint8Array }
  | { type: "serialization"; result: SerializationResult }
  | { type: "error"; message: string };
