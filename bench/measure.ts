/**
 * `npm run bench`, measure part: is the lab's load runner a measuring
 * instrument the best tools would agree with?
 *
 * 1. The lab's runner (lib/measure, the code MeasureService runs in its
 *    worker) against autocannon on the same REST endpoint at the same load,
 *    each a process of its own (autocannon's command line; the runner in
 *    bench/runner-process.ts) with the same request headers and about a
 *    second of warm-up, in alternating rounds: closed (concurrency C, the
 *    runner N requests and autocannon -d for about as long, see 1a; both
 *    tools are closed loops, so this is the like-for-like one) and open (R/s for D,
 *    with a 20 ± 10 ms latency fault so both tools read latencies well
 *    above autocannon's 1 ms resolution; autocannon -R sends each
 *    connection's quota at the start of every second, the lab evenly
 *    spaced, so the shapes differ). Target: req/s, p50 and p99 within
 *    ±10 %. A server run through MeasureService is shown beside them.
 * 2. A 1 s server pause (SIGSTOP … SIGCONT of the lab's process) during a
 *    10 s constant-rate run. Target: the lab reports p99 ≥ 900 ms. The same
 *    pause under a closed run and under autocannon -R, for comparison.
 * 3. Instrumentation overhead: the runner's throughput against a bare loop
 *    making the same calls with no recording, and the services' throughput
 *    with the trace on against off (autocannon, closed).
 *
 * Settings: BENCH_MEASURE_N (closed requests, default 20000), BENCH_MEASURE_C
 * (concurrency, 32), BENCH_MEASURE_ROUNDS (closed rounds, 5), BENCH_MEASURE_RATE (open rate; by default 30 % of the
 * endpoint's capacity as autocannon measures it first, so the server keeps
 * up and only the tools are compared).
 */
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { availableParallelism, loadavg } from "node:os";
import { performance } from "node:perf_hooks";
import type { Result as AutocannonResult } from "autocannon";
import { create, fromJsonString, type MessageInitShape } from "@bufbuild/protobuf";
import { createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { clientOptionsFromDefences, createNodeLabClient, type LabClient } from "../lib/client/node";
import { defaultDefences } from "../lib/faults/catalog";
import { Generator, LoadModel, MeasureCall, MeasureService, RunConditionsSchema, RunConfigSchema, RunState, TargetResultSchema, type LoadShapeSchema, type RunUpdate, type TargetResult } from "../lib/gen/lab/v1/measure_pb";
import { clientOptionsFor, executeRun, normaliseRunConfig, runConfigProblems, targetFromKey } from "../lib/measure";
import { nodeWaitUntil } from "../server/measure/node-wait";
import { startLab, type Lab } from "./lab-process";
import { table } from "./stats";

const N = Number(process.env.BENCH_MEASURE_N ?? 20_000);
const C = Number(process.env.BENCH_MEASURE_C ?? 32);
/** Open-model rate; by default 30 % of what autocannon measured the endpoint could do, so the rate is one the server sustains. */
const RATE_SET = process.env.BENCH_MEASURE_RATE ? Number(process.env.BENCH_MEASURE_RATE) : undefined;
const SESSION = "benchmeasure";
const PATH = "/rest/users/1";

interface Figures {
  tool: string;
  rps: number;
  p50: number;
  p99: number;
  max: number;
  errors: number;
}

const f = (n: number, d = 2) => (Number.isFinite(n) ? n.toFixed(d) : "–");

/** The lab's runner in this process, REST on `lab`, with the session's default defences. */
type Load = MessageInitShape<typeof LoadShapeSchema>;

async function labRunner(lab: Lab, load: Load): Promise<TargetResult> {
  const config = normaliseRunConfig(create(RunConfigSchema, { targets: [targetFromKey("rest")!], call: MeasureCall.GET_USER, generator: Generator.SERVER, load }), () => 1n);
  const problems = runConfigProblems(config);
  if (problems.length) throw new Error(problems.map((p) => p.message).join("; "));
  const final = await executeRun(config, {
    runId: "bench",
    createClient: (t) => createNodeLabClient({ baseUrl: `http://127.0.0.1:${lab.http}`, grpcUrl: `http://127.0.0.1:${lab.grpc}`, session: SESSION, participant: "Load generator", ...clientOptionsFromDefences(defaultDefences()), ...clientOptionsFor(t) }),
    now: () => performance.now(),
    waitUntil: nodeWaitUntil,
    cpuMs: () => {
      const u = process.cpuUsage();
      return (u.user + u.system) / 1000;
    },
    conditions: create(RunConditionsSchema),
    emit: () => {},
    signal: new AbortController().signal,
  });
  if (final.state !== RunState.DONE) throw new Error(`lab run ended ${RunState[final.state]}: ${final.error}`);
  return final.targets[0];
}

function fromLab(tool: string, t: TargetResult): Figures {
  const errors = Object.values(t.errors).reduce((s, v) => s + Number(v), 0);
  return { tool, rps: t.achievedPerSecond, p50: t.latency!.p50Ms, p99: t.latency!.p99Ms, max: t.latency!.maxMs, errors };
}

/** autocannon's command-line entry, the one `npx autocannon` runs. */
const AUTOCANNON_BIN = createRequire(import.meta.url).resolve("autocannon/autocannon.js");

/** Runs a command and resolves with its stdout; rejects on a non-zero exit. */
function output(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    child.once("error", reject);
    child.once("exit", (code) => (code === 0 ? resolve(out) : reject(new Error(`${args.slice(0, 3).join(" ")} … exited ${code}: ${err.slice(-500)}`))));
  });
}

/**
 * The request headers of the runner's calls that change the server's work,
 * sent by autocannon too so both measure the same request: the session,
 * the caller's name, and the session's deadline (10 s by default), which
 * the gateway passes on to the user service as its gRPC deadline
 * (propagateDeadline). Only the runner's per-call span id is left out: a
 * fixed one would merge every call into one span.
 */
const REQUEST_HEADERS: Record<string, string> = { "x-lab-session": SESSION, "x-lab-from": "Load generator", "x-lab-timeout-ms": String(defaultDefences().timeoutMs) };

/**
 * autocannon as a user runs it: its command line in a process of its own
 * (`npx autocannon -j -c C -a N …`, JSON out). `warmupS` adds its
 * `-W [ -c C -d S ]`, an unrecorded warm-up of S seconds.
 */
async function cannon(
  lab: Lab,
  o: { amount?: number; duration?: number; overallRate?: number; connections: number; ignoreCoordinatedOmission?: boolean; warmupS?: number; headers?: Record<string, string> },
  tool = "autocannon",
): Promise<Figures & { raw: AutocannonResult }> {
  const args = [AUTOCANNON_BIN, "-j", "-c", String(o.connections), "-t", "10"];
  if (o.amount !== undefined) args.push("-a", String(o.amount));
  if (o.duration !== undefined) args.push("-d", String(o.duration));
  if (o.overallRate !== undefined) args.push("-R", String(o.overallRate));
  if (o.ignoreCoordinatedOmission) args.push("-C");
  if (o.warmupS) args.push("-W", "[", "-c", String(o.connections), "-d", String(o.warmupS), "]");
  for (const [k, v] of Object.entries(o.headers ?? REQUEST_HEADERS)) args.push("-H", `${k}=${v}`);
  args.push(`http://127.0.0.1:${lab.http}${PATH}`);
  // One JSON line per run it made: the warm-up's first (when asked for), the measured run's last.
  const lines = (await output(args)).split("\n").filter((l) => l.startsWith("{"));
  const r = JSON.parse(lines[lines.length - 1]) as AutocannonResult;
  const total = r.requests.total ?? r.requests.sent;
  return { tool, rps: total / r.duration, p50: r.latency.p50, p99: r.latency.p99, max: r.latency.max, errors: r.errors + r.non2xx, raw: r };
}

/** The lab's runner in a process of its own (bench/runner-process.ts), as autocannon is. */
async function runnerProcess(lab: Lab, load: Load): Promise<TargetResult> {
  const out = await output(["--import", "tsx", "bench/runner-process.ts", JSON.stringify({ http: lab.http, grpc: lab.grpc, session: SESSION, load })]);
  return fromJsonString(TargetResultSchema, out);
}

/** MeasureService on the lab itself (its worker thread shares the lab's process). */
async function serverRun(lab: Lab, load: Load): Promise<TargetResult> {
  const measure = createClient(MeasureService, createConnectTransport({ baseUrl: `http://127.0.0.1:${lab.http}/rpc`, httpVersion: "1.1", interceptors: [(next) => (req) => (req.header.set("x-lab-session", `${SESSION}srv`), next(req))] }));
  let last: RunUpdate | undefined;
  for await (const r of measure.startRun({ config: { targets: [targetFromKey("rest")!], call: MeasureCall.GET_USER, generator: Generator.SERVER, load } })) last = r.update;
  if (last?.state !== RunState.DONE) throw new Error(`server run ended ${last ? RunState[last.state] : "without an update"}: ${last?.error}`);
  return last.targets[0];
}

async function setFaults(lab: Lab, rules: unknown[]): Promise<void> {
  const res = await fetch(`http://127.0.0.1:${lab.http}/rest/lab/faults`, { method: "PUT", headers: { "content-type": "application/json", "x-lab-session": SESSION }, body: JSON.stringify({ rules }) });
  if (!res.ok) throw new Error(`setting faults: ${res.status} ${await res.text()}`);
}

/** Rounds of the closed comparison (BENCH_MEASURE_ROUNDS, default 5: a round's req/s moves ±8 % on this 2-core machine, a p99 more). */
const ROUNDS = Number(process.env.BENCH_MEASURE_ROUNDS ?? 5);

const ratio = (a: number, b: number) => `${a >= b ? "+" : ""}${f(((a - b) / b) * 100, 1)} %`;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];

function mergeRounds(tool: string, rounds: Figures[]): Figures {
  return { tool, rps: median(rounds.map((r) => r.rps)), p50: median(rounds.map((r) => r.p50)), p99: median(rounds.map((r) => r.p99)), max: Math.max(...rounds.map((r) => r.max)), errors: rounds.reduce((s, r) => s + r.errors, 0) };
}

function comparison(title: string, lab: Figures, ac: Figures, extra: Figures[] = []): string {
  // The ±10 % rows compare `lab` with `ac`; `extra` rows are shown for context.
  const diff = ratio;
  const within = (a: number, b: number) => (Math.abs(a - b) / b <= 0.1 ? "yes" : "NO");
  const rows = [lab, ac, ...extra].map((x) => [x.tool, f(x.rps, 0), f(x.p50), f(x.p99), f(x.max), String(x.errors)]);
  rows.push(["lab vs autocannon", diff(lab.rps, ac.rps), diff(lab.p50, ac.p50), diff(lab.p99, ac.p99), "", ""]);
  rows.push(["within ±10 %", within(lab.rps, ac.rps), within(lab.p50, ac.p50), within(lab.p99, ac.p99), "", ""]);
  return `${title}\n${table(["", "req/s", "p50 ms", "p99 ms", "max ms", "errors"], rows)}`;
}

/** Pauses the lab's whole process for `ms` (SIGSTOP, SIGCONT) `afterMs` from now; resolves with the pause's real length. */
function pauseLab(lab: Lab, afterMs: number, ms: number): Promise<number> {
  return new Promise((resolve) => {
    setTimeout(() => {
      const t0 = performance.now();
      lab.child.kill("SIGSTOP");
      setTimeout(() => {
        lab.child.kill("SIGCONT");
        resolve(performance.now() - t0);
      }, ms);
    }, afterMs);
  });
}

/** Calls made by C loops with nothing recorded: what the runner's own bookkeeping is measured against. */
async function bareLoop(lab: Lab, total: number, concurrency: number): Promise<number> {
  const client: LabClient = await createNodeLabClient({ mode: "rest", baseUrl: `http://127.0.0.1:${lab.http}`, session: SESSION, participant: "Load generator", ...clientOptionsFromDefences(defaultDefences()) });
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next++ < total) await client.getUser(1n);
    }),
  );
  const rate = (total / (performance.now() - start)) * 1000;
  await client.close();
  return rate;
}

export async function benchMeasure(): Promise<void> {
  console.log(`\nwirelab bench, measure: the lab's runner against autocannon on GET ${PATH} (REST), loopback, Node ${process.version}`);
  console.log("autocannon records latency in whole milliseconds (its histogram takes integers); the lab in microseconds.");
  console.log(`load average at the start: ${loadavg().map((x) => x.toFixed(2)).join(" ")} (1, 5, 15 min) on ${availableParallelism()} CPUs — other work on the machine moves every figure below.\n`);
  const lab = await startLab("on");
  try {
    // Warm the lab (JIT, connections) before anything is compared; autocannon's pass also gauges capacity.
    // A pass by duration (-d): with -a, autocannon's req/s read low (see 1a). The first pass warms; the second gauges.
    await cannon(lab, { duration: 2, connections: C });
    const capacity = (await cannon(lab, { duration: 3, connections: C })).rps;
    await runnerProcess(lab, { model: LoadModel.CLOSED, requests: 3_000, concurrency: C });
    const RATE = RATE_SET ?? Math.max(50, Math.round((capacity * 0.3) / 50) * 50);
    // Each generator starts cold in a fresh process: both get about a second of unrecorded warm-up
    // (autocannon -W [ -c C -d 1 ]; the runner a second's worth of requests at the gauged capacity).
    const warmupRequests = Math.max(200, Math.round(capacity));
    console.log(`capacity (autocannon -c ${C}): ${f(capacity, 0)} req/s → open-model rate ${RATE}/s; closed warm-up: runner ${warmupRequests} requests, autocannon -W [ -c ${C} -d 1 ]`);
    console.log(
      "Conditions of 1a and 1b: both generators are Node processes of their own, started by this script (autocannon's command line, `npx autocannon -j …`;\n" +
        "the lab's runner, bench/runner-process.ts: lib/measure + lib/client as a server run's worker uses them), one after the other against the same lab\n" +
        "(TRACE=on), same endpoint and request headers (x-lab-session, x-lab-from, x-lab-timeout-ms: " +
        REQUEST_HEADERS["x-lab-timeout-ms"] +
        "), same connections. Separate processes because that is how\n" +
        "autocannon is run, and it puts both on the same footing on a 2-core machine: one generator thread beside the lab's, none inside it.",
    );

    // 1a. Closed: N requests at concurrency C, alternating rounds.
    //
    // autocannon runs for as long as the runner takes for N (-d, whole
    // seconds), not -a N: with -a its clients stop at N but the run ends at
    // the next one-second sample tick (lib/run.js, tickInterval checks
    // `stop`), so `duration` overshoots the last answer by up to a second
    // and total / duration reads low — by 0–11 % on a 9 s run, which was
    // all of the +11.7 % the runner showed here. With -d requests go on
    // until that tick, so total and duration both include it.
    const closedLoad: Load = { model: LoadModel.CLOSED, requests: N, concurrency: C, warmupRequests };
    const closedSeconds = Math.max(3, Math.round(N / capacity));
    const labClosed: Figures[] = [];
    const acClosed: Figures[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? ["lab", "ac"] : ["ac", "lab"];
      for (const who of order) {
        if (who === "lab") labClosed.push(fromLab("lab runner", await runnerProcess(lab, closedLoad)));
        else acClosed.push(await cannon(lab, { duration: closedSeconds, connections: C, warmupS: 1 }));
      }
      process.stdout.write(".");
    }
    const srv = fromLab("lab runner in the lab (MeasureService)", await serverRun(lab, closedLoad));
    const acClosedAll = mergeRounds("autocannon", acClosed);
    console.log(`\n\n${comparison(`1a. Closed model at concurrency ${C} = ${C} keep-alive connections each: the runner ${N.toLocaleString("en-US")} requests, autocannon -d ${closedSeconds} (about as long; median of ${ROUNDS} rounds each)`, mergeRounds("lab runner", labClosed), acClosedAll, [srv])}`);
    console.log(`    rounds, req/s: lab runner ${labClosed.map((x) => f(x.rps, 0)).join(", ")}; autocannon ${acClosed.map((x) => f(x.rps, 0)).join(", ")}`);
    console.log(`    MeasureService vs autocannon: req/s ${ratio(srv.rps, acClosedAll.rps)}, p50 ${ratio(srv.p50, acClosedAll.p50)}, p99 ${ratio(srv.p99, acClosedAll.p99)}`);
    console.log("    (MeasureService is where a learner's server run executes: a worker thread of the lab's own process, so generator and server share one process; one run, for context.)");

    // 1b. Open: R/s for 10 s with a 20 ± 10 ms service delay.
    await setFaults(lab, [{ kind: "FAULT_KIND_LATENCY", probability: 1, latencyMs: 20, jitterMs: 10, seed: "7", target: { service: "UserService" } }]);
    const labOpen: Figures[] = [];
    const acOpen: Figures[] = [];
    const acOpenCorrected: Figures[] = [];
    for (let round = 0; round < 2; round++) {
      const order = round % 2 === 0 ? ["lab", "ac", "acc"] : ["acc", "ac", "lab"];
      for (const who of order) {
        if (who === "lab") labOpen.push(fromLab("lab runner", await runnerProcess(lab, { model: LoadModel.OPEN, ratePerSecond: RATE, durationMs: 10_000, warmupMs: 1_000, concurrency: 100 })));
        else if (who === "ac") acOpen.push(await cannon(lab, { overallRate: RATE, duration: 10, connections: 100, ignoreCoordinatedOmission: true, warmupS: 1 }));
        else acOpenCorrected.push(await cannon(lab, { overallRate: RATE, duration: 10, connections: 100, warmupS: 1 }));
      }
      process.stdout.write(".");
    }
    await setFaults(lab, []);
    console.log(
      `\n\n${comparison(
        `1b. Open model: ${RATE}/s for 10 s after 1 s of warm-up, ≤ 100 in flight (autocannon -R ${RATE} -c 100), service delay 20 ± 10 ms (median of 2 rounds each)`,
        mergeRounds("lab runner", labOpen),
        mergeRounds("autocannon -R, raw (--ignoreCoordinatedOmission)", acOpen),
        [mergeRounds("autocannon -R, its own correction", acOpenCorrected)],
      )}`,
    );
    console.log("    (autocannon -R paces each connection with a per-second quota, sent back to back when each second starts; the lab spaces sends");
    console.log("    evenly, as wrk2. Bursts queue at the server, so autocannon's latencies run higher at the same rate. Its correction adds synthetic");
    console.log("    samples at an expected interval of ceil(1/rate) = 1 ms (lib/run.js), which inflates every percentile; the raw row leaves it out.");
    console.log("    autocannon's warm-up (-W) is unpaced; the runner's runs at the run's rate.)");

    // 2. A 1 s pause of the whole lab process in a 10 s constant-rate run.
    const pauseAt = 1_000 + 4_000;
    const [openPaused, openPause] = await Promise.all([labRunner(lab, { model: LoadModel.OPEN, ratePerSecond: RATE, durationMs: 10_000, warmupMs: 1_000, concurrency: 100 }), pauseLab(lab, pauseAt, 1_000)]);
    const [acPaused, acPause] = await Promise.all([cannon(lab, { overallRate: RATE, duration: 11, connections: 100 }), pauseLab(lab, pauseAt, 1_000)]);
    const [acRawPaused, acRawPause] = await Promise.all([cannon(lab, { overallRate: RATE, duration: 11, connections: 100, ignoreCoordinatedOmission: true }), pauseLab(lab, pauseAt, 1_000)]);
    const [closedPaused, closedPause] = await Promise.all([labRunner(lab, { model: LoadModel.CLOSED, requests: Math.max(N, 25_000), concurrency: C, warmupRequests: 0 }), pauseLab(lab, 4_000, 1_000)]);
    const lp = fromLab("lab runner, open model (from intended send times)", openPaused);
    const cp = fromLab("lab runner, closed model (from actual sends)", closedPaused);
    console.log(
      `\n2. A ${f(openPause / 1000, 3)} s pause (SIGSTOP/SIGCONT of the lab) in a 10 s run at ${RATE}/s, after 1 s of warm-up\n${table(
        ["", "req/s", "p50 ms", "p90 ms", "p99 ms", "max ms", "pause s"],
        [
          [lp.tool, f(lp.rps, 0), f(lp.p50), f(openPaused.latency!.p90Ms), f(lp.p99), f(lp.max), f(openPause / 1000, 3)],
          [`autocannon -R ${RATE} (its own correction)`, f(acPaused.rps, 0), f(acPaused.p50), f(acPaused.raw.latency.p90), f(acPaused.p99), f(acPaused.max), f(acPause / 1000, 3)],
          [`autocannon -R ${RATE}, raw`, f(acRawPaused.rps, 0), f(acRawPaused.p50), f(acRawPaused.raw.latency.p90), f(acRawPaused.p99), f(acRawPaused.max), f(acRawPause / 1000, 3)],
          [cp.tool, f(cp.rps, 0), f(cp.p50), f(closedPaused.latency!.p90Ms), f(cp.p99), f(cp.max), f(closedPause / 1000, 3)],
        ],
      )}`,
    );
    console.log(`   target: the lab reports p99 ≥ 900 ms in the open model → ${openPaused.latency!.p99Ms >= 900 ? "yes" : "NO"} (${f(openPaused.latency!.p99Ms)} ms)`);

    // 3a. The runner's bookkeeping against a bare loop of the same calls.
    const bare: number[] = [];
    const runner: number[] = [];
    for (let round = 0; round < 3; round++) {
      bare.push(await bareLoop(lab, N, C));
      runner.push((await labRunner(lab, { model: LoadModel.CLOSED, requests: N, concurrency: C })).achievedPerSecond);
      process.stdout.write(".");
    }
    console.log(
      `\n\n3a. Runner overhead: ${N.toLocaleString("en-US")} REST calls at concurrency ${C}, 3 rounds\n${table(
        ["", "req/s (median)"],
        [
          ["bare loop, nothing recorded", f(median(bare), 0)],
          ["lab runner (histograms, buckets, progress)", f(median(runner), 0)],
          ["runner ÷ bare", f(median(runner) / median(bare), 3)],
        ],
      )}`,
    );
  } finally {
    lab.child.kill("SIGCONT");
    lab.child.kill("SIGTERM");
  }

  // 3b. The services' own instrumentation: trace on against off, autocannon closed, alternating.
  const on = await startLab("on");
  const off = await startLab("off");
  try {
    const rates = { on: [] as number[], off: [] as number[] };
    // Session header only, as before the tool comparison sent the runner's headers: this part is about the trace.
    const plain = { "x-lab-session": SESSION };
    for (const l of [on, off]) await cannon(l, { amount: 3_000, connections: C, headers: plain });
    for (let round = 0; round < 4; round++) {
      const order: Array<["on" | "off", Lab]> = round % 2 === 0 ? [["on", on], ["off", off]] : [["off", off], ["on", on]];
      for (const [k, l] of order) rates[k].push((await cannon(l, { duration: 5, connections: C, headers: plain })).rps);
      process.stdout.write(".");
    }
    console.log(
      `\n\n3b. Service instrumentation: GET ${PATH} under autocannon -c ${C} -d 5, trace on vs off, 4 alternating rounds\n${table(
        ["", "req/s (median)"],
        [
          ["TRACE=on", f(median(rates.on), 0)],
          ["TRACE=off", f(median(rates.off), 0)],
          ["on ÷ off (target ≥ 0.90)", f(median(rates.on) / median(rates.off), 3)],
        ],
      )}`,
    );
  } finally {
    on.child.kill("SIGTERM");
    off.child.kill("SIGTERM");
  }
  console.log(`\nload average at the end: ${loadavg().map((x) => x.toFixed(2)).join(" ")}`);
}
