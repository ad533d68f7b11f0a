import path from "node:path";
import { fileURLToPath } from "node:url";
import { ConfigError, loadConfig } from "./config";
import { PortInUseError, startLabServer, type LabServer, type LabServerOptions } from "./lab-server";
import { StoreError } from "./classroom";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/**
 * `npm start` / `npm run dev`: the lab's one process. Prints one clear line
 * and exits 1 on a bad setting or a port in use; shuts down cleanly on
 * SIGINT and SIGTERM.
 */
async function main(): Promise<void> {
  const dev = process.argv.includes("--dev");
  // --api-only: the services without the web UI (no build needed).
  const apiOnly = process.argv.includes("--api-only");
  let cfg;
  try {
    cfg = loadConfig({ ...process.env, NODE_ENV: dev ? "development" : (process.env.NODE_ENV ?? "production") });
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }

  // Signals may arrive while the lab is still starting: stop once it has.
  let lab: LabServer | undefined;
  let started: () => void = () => {};
  const ready = new Promise<void>((resolve) => (started = resolve));
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`wirelab: ${signal}, shutting down`);
    const force = setTimeout(() => process.exit(1), 5000);
    force.unref();
    await ready;
    await lab?.close();
    await app?.close?.();
    process.exit(0);
  };
  process.on("SIGINT", () => void stop("SIGINT"));
  process.on("SIGTERM", () => void stop("SIGTERM"));

  const app = apiOnly ? undefined : (await import("next")).default({ dev, dir: root, hostname: cfg.HOST, port: cfg.PORT });
  const pages: LabServerOptions["pages"] = app && {
    handler: app.getRequestHandler(),
    // Hot reload's WebSocket (dev only); Next gives its handler after prepare().
    upgrade: dev ? (req, socket, head) => void app.getUpgradeHandler()(req, socket, head) : undefined,
  };

  try {
    lab = await startLabServer(cfg, { pages });
  } catch (err) {
    if (err instanceof PortInUseError || err instanceof StoreError) {
      console.error(err.message);
      process.exit(1);
    }
    console.error(`wirelab: could not start: ${(err as Error).message}`);
    process.exit(1);
  }
  try {
    await app?.prepare();
  } catch (err) {
    console.error(`wirelab: the web UI could not start (${(err as Error).message}); run \`npm run build\` or start with \`npm start\`, which builds first.`);
    await lab.close();
    process.exit(1);
  }
  lab.markReady();
  started();

  const host = cfg.HOST === "0.0.0.0" ? "localhost" : cfg.HOST;
  console.log(`wirelab ${dev ? "(dev) " : ""}ready:
  web, REST, Connect, gRPC-web  http://${host}:${lab.ports.http}   (playground: /playground)
  MQTT over WebSocket           ws://${host}:${lab.ports.http}/mqtt
  native gRPC (h2c)             http://${host}:${lab.ports.grpc}
  MQTT over TCP                 ${cfg.MQTT_URL ?? `mqtt://${host}:${lab.ports.mqtt} (embedded broker)`}
  classroom                     http://${host}:${lab.ports.http}/teach (teacher), /join (students); data in ${lab.classroom.dataDir}`);
  const { teacher } = lab.classroom;
  if (teacher.generated) console.log(`  teacher token                 ${teacher.token}   (generated once, kept in ${teacher.file}; set TEACHER_TOKEN to choose one)`);
  if (teacher.generated && cfg.MQTT_URL) console.log("  note: lab instances sharing a broker share the classroom only when each has the same TEACHER_TOKEN");
}

void main();
