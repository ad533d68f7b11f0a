import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { freePort, waitForPort } from "./processes";

export interface LabProcess {
  child: ChildProcess;
  httpUrl: string;
  ports: { http: number; grpc: number; mqtt: number };
  /** Output so far (stdout and stderr). */
  output(): string;
  /** Stops it: SIGTERM (clean) or SIGKILL (a crash). */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/**
 * The lab as its own process (`server/main.ts`, by default `--api-only`), for
 * tests that crash it with SIGKILL and start it again on the same DATA_DIR.
 */
export async function startLabProcess(env: Record<string, string>, opts: { ports?: LabProcess["ports"]; pages?: boolean } = {}): Promise<LabProcess> {
  const ports = opts.ports ?? { http: await freePort(), grpc: await freePort(), mqtt: await freePort() };
  const args = ["--import", "tsx", path.resolve("server/main.ts"), ...(opts.pages ? [] : ["--api-only"])];
  const child = spawn(process.execPath, args, {
    env: { ...process.env, NODE_ENV: "production", PORT: String(ports.http), GRPC_PORT: String(ports.grpc), MQTT_PORT: String(ports.mqtt), ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (out += d));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  try {
    await Promise.race([
      waitForPort(ports.http, 120_000),
      exited.then(() => {
        throw new Error(`the lab exited at start:\n${out}`);
      }),
    ]);
    // Listening is not ready: wait for /healthz (pages prepared, when there are pages).
    for (let i = 0; i < 600; i++) {
      const ok = await fetch(`http://127.0.0.1:${ports.http}/healthz`).then((r) => r.status === 200, () => false);
      if (ok) break;
      await new Promise((r) => setTimeout(r, 100));
    }
  } catch (err) {
    child.kill("SIGKILL");
    throw err;
  }
  return {
    child,
    ports,
    httpUrl: `http://127.0.0.1:${ports.http}`,
    output: () => out,
    async stop(signal = "SIGTERM") {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill(signal);
      await exited;
    },
  };
}
