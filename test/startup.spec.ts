import { spawn } from "node:child_process";
import net from "node:net";
import path from "node:path";
import mqttPacket from "mqtt-packet";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../server/config";
import { freePort, run, waitForPort } from "./helpers/processes";

const tsx = path.resolve("node_modules/tsx/dist/cli.mjs");
const main = path.resolve("server/main.ts");

function startArgs(env: Record<string, string>) {
  return run(process.execPath, [tsx, main, "--api-only"], { env, timeoutMs: 30_000 });
}

describe("configuration", () => {
  it("reads defaults", () => {
    const cfg = loadConfig({});
    expect([cfg.PORT, cfg.GRPC_PORT, cfg.MQTT_PORT, cfg.MAX_BODY_BYTES]).toEqual([3000, 3001, 1883, 65536]);
    // A student's load run in a room: half their call budget unless set.
    expect([cfg.STUDENT_CALLS_PER_SECOND, cfg.STUDENT_RUN_RATE_PER_SECOND, cfg.HELD_REFUSALS_PER_STUDENT]).toEqual([100, 50, 32]);
    expect(loadConfig({ STUDENT_CALLS_PER_SECOND: "5" }).STUDENT_RUN_RATE_PER_SECOND).toBe(2);
  });

  it.each([
    [{ PORT: "eighty" }, /invalid PORT="eighty"/],
    [{ GRPC_PORT: "70000" }, /invalid GRPC_PORT="70000"/],
    [{ MQTT_URL: "http://x" }, /invalid MQTT_URL="http:\/\/x".*mqtt:\/\/host:1883/],
    [{ PORT: "4000", GRPC_PORT: "4000" }, /PORT and GRPC_PORT are both 4000/],
    [{ STUDENT_RUN_RATE_PER_SECOND: "200" }, /STUDENT_RUN_RATE_PER_SECOND=200 is over STUDENT_CALLS_PER_SECOND=100/],
  ])("refuses %j with one line naming the variable", (env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
  });
});

describe("start-up and shutdown", () => {
  it("stops with one clear line when a setting is bad", async () => {
    const r = await startArgs({ PORT: "-1" });
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/^wirelab: invalid PORT="-1": .*Set PORT to a valid value/);
  });

  it("stops with one clear line when a port is taken", async () => {
    const blocker = net.createServer();
    const port = await freePort();
    await new Promise<void>((resolve) => blocker.listen(port, "127.0.0.1", () => resolve()));
    try {
      const r = await startArgs({ PORT: "0", GRPC_PORT: String(port), MQTT_PORT: "0" });
      expect(r.code).toBe(1);
      expect(r.stderr.trim()).toBe(`wirelab: port ${port} (GRPC_PORT) is already in use; stop what holds it or start with GRPC_PORT=<another port>.`);
    } finally {
      blocker.close();
    }
  });

  it("shuts down cleanly on SIGTERM", async () => {
    const port = await freePort();
    // `node --import tsx`, not the tsx CLI: the CLI is a second process that
    // relays signals and, under load, can kill its child before the child's
    // own handlers are known to it.
    const child = spawn(process.execPath, ["--import", "tsx", main, "--api-only"], {
      env: { ...process.env, PORT: String(port), GRPC_PORT: "0", MQTT_PORT: "0" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    await waitForPort(port, 20_000);
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(out).toContain("wirelab ready");
    expect(out).toContain("SIGTERM, shutting down");
  });

  it("a learner's MQTT client that connects while the lab is still starting waits and is let in", async () => {
    // The MQTT port opens before the session pipelines exist; a client in that window once took the process down.
    const [port, mqttPort] = [await freePort(), await freePort()];
    const child = spawn(process.execPath, ["--import", "tsx", main, "--api-only"], {
      env: { ...process.env, PORT: String(port), GRPC_PORT: "0", MQTT_PORT: String(mqttPort) },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let err = "";
    child.stderr.on("data", (d) => (err += d));
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    try {
      const connect = mqttPacket.generate({ cmd: "connect", clientId: "early-bird", username: "earlybird1", protocolId: "MQTT", protocolVersion: 4, clean: true, keepalive: 30 });
      // Knock every few ms, and log in the moment the port answers.
      const connack = await new Promise<Buffer>((resolve, reject) => {
        const deadline = Date.now() + 20_000;
        const attempt = () => {
          const sock = net.connect(mqttPort, "127.0.0.1");
          sock.once("connect", () => sock.write(connect));
          sock.once("data", (d) => {
            sock.destroy();
            resolve(d);
          });
          sock.once("error", () => (Date.now() > deadline ? reject(new Error("MQTT port never opened")) : setTimeout(attempt, 2)));
        };
        attempt();
      });
      // CONNACK (type 2), return code 0 (MQTT 3.1.1 §3.2.2.3).
      expect(connack[0] >> 4).toBe(2);
      expect(connack[3]).toBe(0);
      await waitForPort(port, 20_000);
      expect(child.exitCode).toBeNull();
      expect(err).not.toContain("TypeError");
    } finally {
      child.kill("SIGTERM");
      await exited;
    }
  });
});
