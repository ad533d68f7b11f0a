import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { freePort, waitForPort } from "../test/helpers/processes";

/** A lab started by the benchmark as a process of its own (API only), on free loopback ports. */
export interface Lab {
  child: ChildProcess;
  http: number;
  grpc: number;
  mqtt: number;
}

/**
 * A DATA_DIR of its own for a bench lab (two labs may not share a
 * classroom store), removed when the lab's process has gone: a run starts
 * a dozen labs, and their directories were left behind in the temp folder.
 */
export function labDataDir(prefix: string): { dir: string; removeAfter: (child: ChildProcess) => void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, removeAfter: (child) => void child.once("exit", () => rmSync(dir, { recursive: true, force: true })) };
}

/** CPU seconds (user + system) a process has used so far, from /proc (Linux); with `mainThread`, its main thread's only. */
export function cpuSeconds(pid: number | undefined, mainThread = false): number {
  try {
    const fields = readFileSync(mainThread ? `/proc/${pid}/task/${pid}/stat` : `/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

/**
 * Starts `node --import tsx server/main.ts --api-only` with the trace on or off; BENCH_CPU_PROF=dir writes V8 CPU profiles, BENCH_NODE_ARGS adds flags.
 * BENCH_AA=1 starts every lab with the trace off, whatever it is asked: an A/A run, whose on/off ratios show the bench's own noise.
 */
export async function startLab(side: "on" | "off"): Promise<Lab> {
  const trace = process.env.BENCH_AA ? "off" : side;
  const [http, grpc, mqtt] = [await freePort(), await freePort(), await freePort()];
  const prof = process.env.BENCH_CPU_PROF ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}/${side}`] : [];
  // BENCH_NODE_ARGS: extra flags for both labs' node ("--trace-gc"); their output goes to this one's stdout.
  prof.push(...(process.env.BENCH_NODE_ARGS ?? "").split(" ").filter(Boolean));
  const data = labDataDir(`wirelab-bench-${side}-`);
  const child = spawn(process.execPath, [...prof, "--import", "tsx", "server/main.ts", "--api-only"], {
    env: { ...process.env, PORT: String(http), GRPC_PORT: String(grpc), MQTT_PORT: String(mqtt), TRACE: trace, TRACE_BUFFER_EVENTS: process.env.TRACE_BUFFER_EVENTS ?? "5000", DATA_DIR: data.dir },
    stdio: ["ignore", process.env.BENCH_NODE_ARGS ? "inherit" : "ignore", "inherit"],
  });
  data.removeAfter(child);
  await waitForPort(http, 30_000);
  await waitForPort(mqtt, 30_000);
  return { child, http, grpc, mqtt };
}
