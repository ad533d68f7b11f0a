import { fromBinary, toBinary } from "@bufbuild/protobuf";
import { createLabClient, type LabClientOptions } from "@/lib/client";
import { RunConditionsSchema, RunConfigSchema, RunUpdateSchema } from "@/lib/gen/lab/v1/measure_pb";
import { benchSerialization, clientOptionsFor, executeRun, serializationSubject } from "@/lib/measure";
import type { PageToWorker, WorkerToPage } from "./worker-protocol";

/**
 * A browser run's Web Worker: the lab's one runner (lib/measure) with
 * lib/client's browser clients (fetch, MQTT over WebSocket). In a worker
 * the page's rendering and its trace stream cannot delay the generator's
 * sends or its clock readings. Browsers give a worker no CPU-time reading,
 * so the generator's CPU is the time the runner spent in its own code.
 */
const scope = self as unknown as { postMessage(m: WorkerToPage): void; onmessage: ((e: MessageEvent<PageToWorker>) => void) | null };
const post = (m: WorkerToPage) => scope.postMessage(m);
let abort: AbortController | undefined;

// Timers are clamped to ≥ 4 ms once nested (HTML "timer initialisation
// steps"), so the last stretch of a wait yields through a MessageChannel.
const channel = new MessageChannel();
const yields: Array<() => void> = [];
channel.port1.onmessage = () => yields.shift()?.();
const yieldNow = () =>
  new Promise<void>((resolve) => {
    yields.push(resolve);
    channel.port2.postMessage(0);
  });

function waitUntil(at: number): Promise<void> {
  const d = at - performance.now();
  if (d > 6) return new Promise((resolve) => setTimeout(resolve, d - 5));
  return yieldNow();
}

async function run(m: Extract<PageToWorker, { type: "start" }>) {
  abort = new AbortController();
  const config = fromBinary(RunConfigSchema, m.config);
  const conditions = fromBinary(RunConditionsSchema, m.conditions);
  const base: LabClientOptions = { ...m.clientOptions, mode: "rest", baseUrl: m.baseUrl, mqttUrl: m.mqttUrl, session: m.session, participant: "Load generator" };
  const final = await executeRun(config, {
    runId: m.runId,
    createClient: (t) => createLabClient({ ...base, ...clientOptionsFor(t) }),
    now: () => performance.now(),
    waitUntil,
    cpuMs: (runnerBusyMs) => runnerBusyMs,
    conditions,
    emit: (u) => post({ type: "update", update: toBinary(RunUpdateSchema, u) }),
    signal: abort.signal,
  });
  post({ type: "done", update: toBinary(RunUpdateSchema, final) });
}

scope.onmessage = (e) => {
  const m = e.data;
  if (m.type === "start") run(m).catch((err: Error) => post({ type: "error", message: err.message }));
  else if (m.type === "cancel") abort?.abort();
  else if (m.type === "serialization") {
    try {
      const config = fromBinary(RunConfigSchema, m.config);
      const result = benchSerialization(serializationSubject(config), browserName(), () => performance.now(), m.budgetMs);
      post({ type: "serialization", result });
    } catch (err) {
      post({ type: "error", message: (err as Error).message });
    }
  }
};

function browserName(): string {
  const ua = navigator.userAgent;
  const m = /(Firefox|Edg|Chrome|Safari)\/(\d+)/.exec(ua);
  return m ? `${m[1] === "Edg" ? "Edge" : m[1]} ${m[2]} (in a Web Worker)` : "this browser (in a Web Worker)";
}
