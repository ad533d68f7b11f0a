import type { LabClientOptions } from "../../lib/client/types";

/** What a run worker starts with (its workerData). Protobuf messages travel encoded. */
export interface WorkerStart {
  /** The worker's TypeScript body, loaded by run-worker.mjs. */
  entry: string;
  runId: string;
  session: string;
  /** lab.v1.RunConfig, normalised and checked. */
  config: Uint8Array;
  /** lab.v1.RunConditions (the worker adds its CPU method). */
  conditions: Uint8Array;
  /** The lab's own ports on loopback: the only place a run can reach. */
  endpoints: Pick<LabClientOptions, "baseUrl" | "grpcUrl" | "mqttUrl">;
  /** The session's defences as client options (deadline, retries, idempotency keys). */
  clientOptions: Pick<LabClientOptions, "timeoutMs" | "retry" | "idempotencyKeys">;
  /** A ceiling on the run's rate (a classroom's per-student limit): closed-model sends are paced to it. */
  pace?: RunPace;
}

/** The fastest a run may send, and the limit that says so. */
export interface RunPace {
  perSecond: number;
  /** "STUDENT_RUN_RATE_PER_SECOND" */
  limit: string;
}

export type ParentToWorker = { type: "cancel" };

export type WorkerToParent =
  /** lab.v1.RunUpdate, encoded. */
  | { type: "update"; update: Uint8Array }
  | { type: "done"; update: Uint8Array }
  | { type: "error"; message: string };
