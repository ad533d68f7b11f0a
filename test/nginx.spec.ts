import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import mqtt from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createNodeLabClient } from "../lib/client/node";
import { studentApi, teacherApi } from "./helpers/classroom";
import { startLabProcess, type LabProcess } from "./helpers/lab-process";
import { findBinary, freePort, waitForPort } from "./helpers/processes";
import { openEvents } from "./helpers/sse";

/**
 * The README's nginx settings for a classroom, checked against a real
 * nginx (skipped where none is installed: apt-get install nginx-light):
 * REST, the dashboard's server-sent events unbuffered, MQTT over WebSocket
 * upgraded at /mqtt, and native gRPC passed on as h2c.
 */
const nginx = findBinary("nginx");
const TOKEN = "nginx-teacher-token-012345";
let lab: LabProcess;
let proxy: ChildProcess | undefined;
let web = 0;
let grpc = 0;

beforeAll(async () => {
  if (!nginx) return;
  lab = await startLabProcess({ TEACHER_TOKEN: TOKEN, DATA_DIR: mkdtempSync(path.join(os.tmpdir(), "wirelab-nginx-data-")) });
  [web, grpc] = [await freePort(), await freePort()];
  const dir = mkdtempSync(path.join(os.tmpdir(), "wirelab-nginx-"));
  mkdirSync(path.join(dir, "logs"));
  // The README's server blocks, with TLS left out and the lab on loopback.
  writeFileSync(
    path.join(dir, "nginx.conf"),
    `daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/logs/error.log warn;
events {}
http {
  access_log off;
  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy; fastcgi_temp_path ${dir}/fcgi; uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;
  map $http_upgrade $connection_upgrade { default upgrade; "" ""; }
  upstream wirelab_web { server 127.0.0.1:${lab.ports.http}; keepalive 32; }
  upstream wirelab_grpc { server 127.0.0.1:${lab.ports.grpc}; }
  server {
    listen 127.0.0.1:${web};
    location / {
      proxy_pass http://wirelab_web;
      proxy_http_version 1.1;
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_set_header X-Forwarded-Host $http_host;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $connection_upgrade;
      proxy_buffering off;
      proxy_read_timeout 1h;
    }
  }
  server {
    listen 127.0.0.1:${grpc} http2;
    location / { grpc_pass grpc://wirelab_grpc; grpc_read_timeout 1h; }
  }
}
`,
  );
  proxy = spawn(nginx, ["-p", dir, "-c", path.join(dir, "nginx.conf")], { stdio: "ignore" });
  await waitForPort(web);
  await waitForPort(grpc);
});
afterAll(async () => {
  proxy?.kill("SIGTERM");
  await lab?.stop();
});

describe.skipIf(!nginx)("behind nginx", () => {
  it("serves the classroom's APIs, its live feed unbuffered, MQTT over WebSocket and gRPC over h2c", async () => {
    const base = `http://127.0.0.1:${web}`;
    const teacher = teacherApi(base, TOKEN);
    const room = (await teacher.createRoom("Behind nginx")).body;
    expect(room.joinUrl).toBe(`${base}/join?code=${room.code}`);
    const feed = await openEvents(`${base}/rest/teach/rooms/${room.id}/events`, { authorization: `Bearer ${TOKEN}` });
    await feed.next("snapshot");
    const s = studentApi(base);
    const session = (await s.join(room.code, "Nia")).body.session;
    // The join reaches the dashboard through the proxy at once (no buffering).
    await feed.next<{ students: Array<{ name: string }> }>("students", (e) => e.students.some((x) => x.name === "Nia"), 5_000);
    feed.close();

    const ws = await mqtt.connectAsync(`ws://127.0.0.1:${web}/mqtt`, { username: session, reconnectPeriod: 0 });
    await ws.subscribeAsync(`lab/${session}/events/#`, { qos: 1 });
    await ws.endAsync();

    const g = await createNodeLabClient({ mode: "grpc", baseUrl: base, grpcUrl: `http://127.0.0.1:${grpc}`, session, participant: "Node client" });
    const r = await g.getUser(123n);
    expect(r.status).toBe("ok");
    expect(r.value?.name).toBe("张三");
    await g.close();
  });
});
