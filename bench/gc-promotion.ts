/**
 * `npm run bench:gc`: how much of what a server allocates per call lives
 * long enough to be promoted to V8's old generation — the cost behind
 * long scavenges and a growing old space (see the notes on #2 and #7).
 *
 * For each server variant, a server process runs with `--trace-gc-nvp`
 * while a connect-node client in another process makes sequential calls
 * (1,000 to warm up, then BENCH_GC_CALLS, default 3,000); the scavenges
 * of the measured calls are summed: bytes allocated, bytes promoted, and
 * their pauses. The variants isolate where promotion comes from:
 *
 * - node-h2: Node's HTTP/2 compat API answering a gRPC call by hand
 *   (body read, headers, one message, grpc-status trailer);
 * - connect-unary: connectNodeAdapter, Connect protocol, unary GetUser;
 * - connect-stream: connectNodeAdapter, Connect protocol, server-streaming ListUsers;
 * - grpc-unary: connectNodeAdapter, gRPC protocol, unary GetUser (what
 *   the REST gateway's hop to UserService is);
 * - grpc-unary, full GC every 250 ms: the same with `global.gc()` on a
 *   timer; if the promoted share falls, what was promoted was garbage
 *   kept alive by older garbage (nepotism), not objects still in use.
 *
 * A high promoted share with nothing per call left in a heap snapshot
 * means garbage kept alive by older garbage until a full GC.
 */
import { spawn } from "node:child_process";
import http2 from "node:http2";
import { create, toBinary } from "@bufbuild/protobuf";
import { createClient } from "@connectrpc/connect";
import { connectNodeAdapter, createConnectTransport, createGrpcTransport } from "@connectrpc/connect-node";
import { GetUserResponseSchema, UserService } from "../lib/gen/lab/v1/user_pb";
import { table } from "./stats";

const CALLS = Number(process.env.BENCH_GC_CALLS ?? 3000);
const VARIANTS = ["node-h2", "connect-unary", "connect-stream", "grpc-unary", "grpc-unary, full GC every 250 ms"] as const;
type Variant = (typeof VARIANTS)[number];
const user = { id: 1n, name: "张三", email: "zhangsan@example.com" };

/** The server side, in a process of its own started with --trace-gc-nvp; prints its port. */
async function server(variant: Variant): Promise<void> {
  let s: http2.Http2Server;
  if (variant === "node-h2") {
    const body = toBinary(GetUserResponseSchema, create(GetUserResponseSchema, { user }));
    const frame = Buffer.alloc(5 + body.length);
    frame.writeUInt32BE(body.length, 1);
    frame.set(body, 5);
    s = http2.createServer(async (req, res) => {
      for await (const chunk of req) void chunk;
      res.writeHead(200, { "content-type": "application/grpc+proto" });
      res.addTrailers({ "grpc-status": "0" });
      res.end(frame);
    });
  } else {
    s = http2.createServer(
      connectNodeAdapter({
        routes: (r) =>
          r.service(UserService, {
            getUser: () => ({ user }),
            async *listUsers() {
              yield { user };
            },
          } as never),
      }),
    );
  }
  if (variant.includes("full GC")) setInterval(() => (globalThis as { gc?: () => void }).gc?.(), 250);
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  process.stdout.write(`port ${(s.address() as { port: number }).port}\n`);
  // Marks between warm-up and measured calls, written to stderr beside V8's GC lines.
  process.stdin.on("data", (d) => process.stderr.write(`=== ${String(d).trim()}\n`));
}

/** The client: `n` sequential calls of the variant's kind. */
async function client(variant: Variant, url: string, n: number): Promise<void> {
  const transport = variant.startsWith("connect-") ? createConnectTransport({ baseUrl: url, httpVersion: "2" }) : createGrpcTransport({ baseUrl: url });
  const c = createClient(UserService, transport);
  for (let i = 0; i < n; i++) {
    if (variant === "connect-stream") for await (const m of c.listUsers({})) void m;
    else await c.getUser({ id: 1n });
  }
}

function run(args: string[], nodeArgs: string[] = []) {
  return spawn(process.execPath, [...nodeArgs, "--import", "tsx", "bench/gc-promotion.ts", ...args], { stdio: ["pipe", "pipe", "pipe"] });
}

async function measure(variant: Variant): Promise<string[]> {
  const srv = run(["--server", variant], ["--trace-gc-nvp", "--expose-gc"]);
  let gcLog = "";
  srv.stderr.on("data", (d) => (gcLog += d));
  srv.stdout.on("data", (d) => (gcLog += d));
  const port = await new Promise<number>((resolve) => {
    const onData = () => {
      const m = /port (\d+)/.exec(gcLog);
      if (m) resolve(Number(m[1]));
      else srv.stdout.once("data", onData);
    };
    srv.stdout.once("data", onData);
  });
  const calls = (n: number) => new Promise((resolve) => run(["--client", variant, `http://127.0.0.1:${port}`, String(n)]).once("exit", resolve));
  await calls(1000);
  srv.stdin.write("measured\n");
  await new Promise((r) => setTimeout(r, 100));
  await calls(CALLS);
  srv.stdin.write("end\n");
  await new Promise((r) => setTimeout(r, 100));
  srv.kill("SIGTERM");
  const measured = gcLog.slice(gcLog.indexOf("=== measured"), gcLog.indexOf("=== end"));
  const scavenges = measured.split("\n").filter((l) => / gc=s /.test(l));
  const field = (l: string, k: string) => Number(new RegExp(`\\b${k}=([\\d.]+)`).exec(l)?.[1] ?? 0);
  const allocated = scavenges.reduce((s, l) => s + field(l, "allocated"), 0);
  const promoted = scavenges.reduce((s, l) => s + field(l, "promoted"), 0);
  const pause = scavenges.reduce((s, l) => s + field(l, "pause"), 0);
  return [
    variant,
    (allocated / CALLS / 1024).toFixed(1),
    (promoted / CALLS / 1024).toFixed(1),
    `${allocated > 0 ? ((promoted / allocated) * 100).toFixed(0) : "–"} %`,
    String(scavenges.length),
    pause.toFixed(0),
  ];
}

async function main() {
  const [flag, variant, url, n] = process.argv.slice(2);
  if (flag === "--server") return server(variant as Variant);
  if (flag === "--client") {
    await client(variant as Variant, url, Number(n));
    process.exit(0);
  }
  console.log(`wirelab bench, GC promotion per call: ${CALLS} sequential calls after 1,000 warm-up, client in another process, Node ${process.version}\n`);
  const rows: string[][] = [];
  for (const v of VARIANTS) rows.push(await measure(v));
  console.log(table(["server", "allocated KB/call", "promoted KB/call", "promoted share", "scavenges", "scavenge pauses ms"], rows));
  process.exit(0);
}

void main();
