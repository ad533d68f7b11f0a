import { readFileSync } from "node:fs";
import { loadavg } from "node:os";
import { parentPort, workerData } from "node:worker_threads";
import { performance } from "node:perf_hooks";
import { fromBinary, toBinary } from "@bufbuild/protobuf";
import { createNodeLabClient, type LabClientOptions } from "../../lib/client/node";
import { RunConditionsSchema, RunConfigSchema, RunUpdateSchema } from "../../lib/gen/lab/v1/measure_pb";
import { clientOptionsFor, executeRun } from "../../lib/measure";
import { nodeWaitUntil } from "./node-wait";
import type { WorkerStart, WorkerToParent, ParentToWorker } from "./worker-protocol";

/**
 * The body of a server run's worker thread: the lab's one runner
 * (lib/measure) with lib/client's Node clients against the lab's own ports
 * on loopback. A thread of its own keeps the generator off the event loop
 * that serves the requests it times, and lets its CPU be read apart.
 */

/** CPU time of this thread in ms (Linux: utime + stime of /proc/thread-self/stat, 10 ms ticks); undefined elsewhere. */
function threadCpuMs(): number | undefined {
  try {
    const fields = readFileSync("/proc/thread-self/stat", "utf8").split(") ")[1].split(" ");
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return undefined;
  }
}

const useProc = threadCpuMs() !== undefined;
const elu = () => performance.eventLoopUtilization().active;
const cpuMethod = useProc
  ? "CPU time of the run's worker thread (Linux /proc/thread-self/stat, 10 ms ticks)"
  : "busy time of the run worker's event loop (performance.eventLoopUtilization)";

const port = parentPort!;
const start = workerData as WorkerStart;
const abort = new AbortController();
port.on("message", (m: ParentToWorker) => {
  if (m.type === "cancel") abort.abort();
});

const post = (m: WorkerToParent) => port.postMessage(m);

async function main() {
  const config = fromBinary(RunConfigSchema, start.config);
  const conditions = fromBinary(RunConditionsSchema, start.conditions);
  conditions.cpuMethod = cpuMethod;
  const base: LabClientOptions = { ...start.endpoints, ...start.clientOptions, mode: "rest", session: start.session, participant: "Load generator" };
  const final = await executeRun(config, {
    runId: start.runId,
    createClient: (t) => createNodeLabClient({ ...base, ...clientOptionsFor(t) }),
    now: () => performance.now(),
    waitUntil: nodeWaitUntil,
    cpuMs: () => (useProc ? (threadCpuMs() ?? 0) : elu()),
    conditions,
    loadAverage: () => loadavg()[0],
    emit: (u) => post({ type: "update", update: toBinary(RunUpdateSchema, u) }),
    signal: abort.signal,
    pace: start.pace,
  });
  post({ type: "done", update: toBinary(RunUpdateSchema, final) });
}

main().catch((err: Error) => post({ type: "error", message: err.message }));
