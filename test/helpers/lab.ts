import { loadConfig } from "../../server/config";
import { startLabServer, type LabServer } from "../../server/lab-server";

/** Starts a whole lab (no web UI) on free loopback ports for a test. */
export async function startTestLab(env: Record<string, string> = {}): Promise<LabServer & { httpUrl: string; grpcUrl: string; mqttUrl: string }> {
  const cfg = loadConfig({ PORT: "0", GRPC_PORT: "0", MQTT_PORT: "0", NODE_ENV: "test", ...env });
  const lab = await startLabServer(cfg);
  return Object.assign(lab, {
    httpUrl: `http://127.0.0.1:${lab.ports.http}`,
    grpcUrl: `http://127.0.0.1:${lab.ports.grpc}`,
    mqttUrl: env.MQTT_URL ?? `mqtt://127.0.0.1:${lab.ports.mqtt}`,
  });
}
