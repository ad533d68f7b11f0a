/**
 * `npm run bench:classroom`: a class of simulated students on one lab.
 *
 * One lab process (API only, its own DATA_DIR) and, in this process, a
 * teacher and N students (BENCH_STUDENTS, default 200). Each student
 * joins the room, holds a trace stream (LabService.StreamTrace, Connect
 * over HTTP/1.1, as a page does) and an MQTT connection subscribed to its
 * session's events, makes a call every 2 s (GetUser over REST and Connect,
 * CreateOrder over REST, which fans out through the broker to its
 * consumers and its MQTT subscription) and reports progress every 10 s,
 * over connections of its own as a browser keeps them (keep-alive, at
 * most 6): one pool shared by the whole class would open ever more
 * connections whenever the lab slowed down, which no class of browsers does.
 * The teacher holds the dashboard's live feed and fetches the room every
 * 2 s. Calls and reports start at random offsets (no thundering herd).
 *
 * Four measured phases of BENCH_SECONDS (default 30) after a warm-up:
 * 1. baseline;
 * 2. the same, while one student abuses the lab with a tool of their own:
 *    autocannon in its own process hammering GetUser in that student's
 *    session with 16 connections and no rate cap; the student's call limit
 *    (STUDENT_CALLS_PER_SECOND, default 100/s) answers the excess with 429,
 *    each held until the student's window opens (HELD_REFUSALS_*), so the
 *    closed loop's rate collapses;
 * 3. the same, while one student runs the maximum load run the lab lets
 *    them start: MeasureService.StartRun through the real API, a server
 *    run at MEASURE_LIMITS' rate and concurrency, asked again at the rate
 *    a classroom limit names when it is refused (STUDENT_RUN_RATE_PER_SECOND);
 * 4. the teacher's broker-outage drill for the whole room (every student's
 *    and their services' MQTT connections dropped and refused; calls over
 *    REST and Connect go on, CreateOrder answers while its event waits).
 *
 * Printed: control-API latency (progress POST, teacher GET) p50/p99, the
 * other students' call latency p50/p99, the lab's event-loop delay
 * p50/p99 (monitorEventLoopDelay, read from /rest/teach/metrics), progress
 * updates acknowledged and lost (every acknowledged report is looked up
 * in the teacher's view afterwards), the hammering student's offered and
 * answered rates, the measure run's outcome, and the lab's CPU and memory.
 * Percentiles from HdrHistogram.
 */
import { spawn, type ChildProcess } from "node:child_process";
import http from "node:http";
import { openSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError, createClient, type Interceptor } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import mqtt, { type MqttClient } from "mqtt";
import { LabService } from "../lib/gen/lab/v1/lab_pb";
import { Generator, LoadModel, MeasureCall, MeasureService, RunConfigSchema, RunState, type RunConfig, type RunUpdate } from "../lib/gen/lab/v1/measure_pb";
import { Mode } from "../lib/gen/lab/v1/trace_pb";
import { MEASURE_LIMITS } from "../lib/measure/limits";
import { studentApi, teacherApi } from "../test/helpers/classroom";
import { freePort, waitForPort } from "../test/helpers/processes";
import { ms, newHistogram, table, type Histogram } from "./stats";
import { cpuSeconds, labDataDir } from "./lab-process";

const STUDENTS = Number(process.env.BENCH_STUDENTS ?? 200);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 30);
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 15);
const CALL_EVERY_MS = 2_000;
const PROGRESS_EVERY_MS = 10_000;
const TEACHER_EVERY_MS = 2_000;
const HAMMER_CONNECTIONS = Number(process.env.BENCH_HAMMER_CONNECTIONS ?? 16);
const TOKEN = "bench-classroom-teacher-token";

function rssMiB(pid: number | undefined): number {
  try {
    const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1]);
    return kb / 1024;
  } catch {
    return NaN;
  }
}

const sleep = (msec: number) => new Promise((r) => setTimeout(r, msec));

/** One HTTP/1.1 request on a student's own agent; resolves with the status once the body is read. */
function send(agent: http.Agent, method: string, url: string, headers: Record<string, string>, body?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, agent, headers: body === undefined ? headers : { ...headers, "content-length": String(Buffer.byteLength(body)) } }, (res) => {
      res.resume();
      res.once("end", () => resolve(res.statusCode ?? 0));
      res.once("error", reject);
    });
    req.once("error", reject);
    req.end(body);
  });
}

async function startLab(): Promise<{ child: ChildProcess; http: number; mqtt: number }> {
  const [http, grpc, mqttPort] = [await freePort(), await freePort(), await freePort()];
  // BENCH_NODE_ARGS: extra flags for the lab's node ("--cpu-prof --cpu-prof-dir=bench/out", "--trace-gc"); BENCH_LAB_LOG: a file for its output.
  const extra = (process.env.BENCH_NODE_ARGS ?? "").split(" ").filter(Boolean);
  const log = process.env.BENCH_LAB_LOG ? openSync(process.env.BENCH_LAB_LOG, "w") : "ignore";
  const data = labDataDir("wirelab-bench-class-");
  const child = spawn(process.execPath, [...extra, "--import", "tsx", "server/main.ts", "--api-only"], {
    env: {
      ...process.env,
      NODE_ENV: "production",
      PORT: String(http),
      GRPC_PORT: String(grpc),
      MQTT_PORT: String(mqttPort),
      TEACHER_TOKEN: TOKEN,
      DATA_DIR: data.dir,
    },
    stdio: ["ignore", log, "inherit"],
  });
  data.removeAfter(child);
  // Never leave the lab behind, whatever happens here.
  process.on("exit", () => child.kill("SIGKILL"));
  await waitForPort(http, 60_000);
  await waitForPort(mqttPort, 60_000);
  // The port opens before the services are wired (they answer 503 until then).
  for (let i = 0; i < 600; i++) {
    const r = await fetch(`http://127.0.0.1:${http}/rest/teach/me`, { headers: { authorization: `Bearer ${TOKEN}` } }).catch(() => undefined);
    if (r?.status === 200) break;
    await sleep(100);
  }
  return { child, http, mqtt: mqttPort };
}

/** What is being measured now; the loops write into the current phase's histograms. */
interface Phase {
  name: string;
  calls: Histogram;
  progress: Histogram;
  teacher: Histogram;
  callFailures: number;
  progressFailures: number;
  callsDone: number;
  progressDone: number;
  /** Failed calls by status or error code. */
  failures: Map<string, number>;
}

function newPhase(name: string): Phase {
  return { name, calls: newHistogram(), progress: newHistogram(), teacher: newHistogram(), callFailures: 0, progressFailures: 0, callsDone: 0, progressDone: 0, failures: new Map() };
}

interface SimStudent {
  index: number;
  /** The student's own connections, as a browser keeps them: keep-alive, at most 6 to the lab (HTTP/1.1). */
  agent: http.Agent;
  id: string;
  session: string;
  mqtt?: MqttClient;
  stream?: AbortController;
  traceBatches: number;
  mqttMessages: number;
  /** Acknowledged reports: step → passed. */
  acked: Map<number, boolean>;
}

async function main(): Promise<void> {
  const lab = await startLab();
  const base = `http://127.0.0.1:${lab.http}`;
  const teacher = teacherApi(base, TOKEN);
  const room = (await teacher.createRoom("Bench class")).body;
  console.log(`Classroom benchmark: ${STUDENTS} students, ${WARMUP_SECONDS} s warm-up, ${SECONDS} s baseline, ${SECONDS} s with one student at maximum load; load average at start ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} cores`);

  // Join, in batches of 20.
  const students: SimStudent[] = [];
  for (let i = 0; i < STUDENTS; i += 20) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(20, STUDENTS - i) }, async (_, k) => {
        const s = studentApi(base);
        const r = await s.join(room.code, `Student ${String(i + k + 1).padStart(3, "0")}`);
        if (r.status !== 200) throw new Error(`join failed: ${JSON.stringify(r.body)}`);
        return { index: i + k, id: r.body.student.id, session: r.body.session, agent: new http.Agent({ keepAlive: true, maxSockets: 6 }), traceBatches: 0, mqttMessages: 0, acked: new Map() } as SimStudent;
      }),
    );
    students.push(...batch);
  }

  // Each student's trace stream (Connect server stream over HTTP/1.1) and MQTT connection.
  const streamTransport = (session: string) => {
    const withSession: Interceptor = (next) => (req) => {
      req.header.set("x-lab-session", session);
      return next(req);
    };
    return createConnectTransport({ baseUrl: `${base}/rpc`, httpVersion: "1.1", useBinaryFormat: true, interceptors: [withSession] });
  };
  for (let i = 0; i < students.length; i += 20) {
    await Promise.all(
      students.slice(i, i + 20).map(async (s) => {
        s.stream = new AbortController();
        const client = createClient(LabService, streamTransport(s.session));
        void (async () => {
          try {
            for await (const _batch of client.streamTrace({ replay: false, light: true }, { signal: s.stream!.signal })) s.traceBatches++;
          } catch {
            // Aborted at the end.
          }
        })();
        s.mqtt = await mqtt.connectAsync(`mqtt://127.0.0.1:${lab.mqtt}`, { username: s.session, clientId: `wirelab-node-bench-${s.index}`, reconnectPeriod: 1_000 });
        await s.mqtt.subscribeAsync(`lab/${s.session}/events/#`, { qos: 1 });
        s.mqtt.on("message", () => s.mqttMessages++);
      }),
    );
  }

  // The teacher's live feed.
  const feedAbort = new AbortController();
  let feedEvents = 0;
  void (async () => {
    try {
      const res = await fetch(`${base}/rest/teach/rooms/${room.id}/events`, { headers: { authorization: `Bearer ${TOKEN}` }, signal: feedAbort.signal });
      let text = "";
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        text += Buffer.from(chunk).toString();
        const blocks = text.split("\n\n");
        text = blocks.pop()!;
        feedEvents += blocks.filter((b) => b.startsWith("event: ")).length;
      }
    } catch {
      // Aborted at the end.
    }
  })();

  let phase: Phase | undefined;
  let running = true;
  const benchLoop = monitorEventLoopDelay({ resolution: 5 });
  benchLoop.enable();

  const call = async (s: SimStudent, n: number) => {
    const t0 = performance.now();
    let ok = false;
    let why = "";
    try {
      const headers = { "x-lab-session": s.session, "content-type": "application/json" };
      let status: number;
      switch (n % 4) {
        case 1:
          status = await send(s.agent, "POST", `${base}/rpc/lab.v1.UserService/GetUser`, headers, '{"id":"1"}');
          break;
        case 3:
          status = await send(s.agent, "POST", `${base}/rest/orders`, headers, '{"userId":1,"sku":"sku-book","quantity":1}');
          break;
        default:
          status = await send(s.agent, "GET", `${base}/rest/users/1`, headers);
      }
      ok = status < 400;
      why = String(status);
    } catch (err) {
      ok = false;
      why = (err as NodeJS.ErrnoException).code ?? "error";
    }
    const p = phase;
    // The hammering student's own calls are not "the others'" (in phase 2 its limit refuses them).
    if (!p || s.index === 0) return;
    p.calls.recordValue(Math.max(1, Math.round((performance.now() - t0) * 1000)));
    p.callsDone++;
    if (!ok) {
      p.callFailures++;
      p.failures.set(why, (p.failures.get(why) ?? 0) + 1);
    }
  };

  let step = 0;
  const report = async (s: SimStudent) => {
    const myStep = step++;
    const passed = myStep % 4 !== 0;
    const t0 = performance.now();
    const status = await send(
      s.agent,
      "POST",
      `${base}/rest/class/progress`,
      { "x-lab-session": s.session, "content-type": "application/json" },
      JSON.stringify({ lesson: "01-first-call", step: myStep % 1000, passed, atUnixMs: Date.now() }),
    ).catch(() => 0);
    if (status === 200) s.acked.set(myStep % 1000, passed || (s.acked.get(myStep % 1000) ?? false));
    const p = phase;
    if (!p) return;
    p.progress.recordValue(Math.max(1, Math.round((performance.now() - t0) * 1000)));
    p.progressDone++;
    if (status !== 200) p.progressFailures++;
  };

  const loops = students.map(async (s) => {
    let n = 0;
    let nextCall = Date.now() + Math.random() * CALL_EVERY_MS;
    let nextReport = Date.now() + Math.random() * PROGRESS_EVERY_MS;
    while (running) {
      const wait = Math.min(nextCall, nextReport) - Date.now();
      if (wait > 0) await sleep(wait);
      if (!running) break;
      const now = Date.now();
      if (now >= nextCall) {
        nextCall += CALL_EVERY_MS;
        void call(s, n++);
      }
      if (now >= nextReport) {
        nextReport += PROGRESS_EVERY_MS;
        void report(s);
      }
    }
  });
  const teacherLoop = (async () => {
    while (running) {
      await sleep(TEACHER_EVERY_MS);
      const t0 = performance.now();
      const r = await teacher.room(room.id).catch(() => undefined);
      const p = phase;
      if (p) p.teacher.recordValue(Math.max(1, Math.round((performance.now() - t0) * 1000)));
      if (p && r?.status !== 200) p.progressFailures++;
    }
  })();

  const metrics = async (reset: boolean) => {
    // A busy machine may delay a connection past undici's 10 s connect timeout: try again.
    for (let attempt = 1; ; attempt++) {
      try {
        return (await teacher.metrics(reset)).body;
      } catch (err) {
        if (attempt >= 3) throw err;
      }
    }
  };
  await sleep(WARMUP_SECONDS * 1000);

  const runPhase = async (name: string, during?: () => Promise<unknown>) => {
    const p = newPhase(name);
    await metrics(true);
    benchLoop.reset();
    const cpu0 = cpuSeconds(lab.child.pid);
    const own0 = process.cpuUsage();
    phase = p;
    const extra = during?.();
    await sleep(SECONDS * 1000);
    phase = undefined;
    const m = await metrics(false);
    const cpu = cpuSeconds(lab.child.pid) - cpu0;
    const own = process.cpuUsage(own0);
    const clientCpu = (own.user + own.system) / 1e6;
    return { p, loop: m.eventLoopDelayMs, store: m.store, cpu, clientCpu, extra, benchLoopP99: Math.max(0, benchLoop.percentile(99) / 1e6 - 5), benchLoopMax: Math.max(0, benchLoop.max / 1e6 - 5), load: os.loadavg()[0] };
  };

  const baseline = await runPhase("baseline");
  const hammered = students[0];
  let hammerResult: Awaited<ReturnType<typeof hammer>> | undefined;
  const loaded = await runPhase("one student hammering", async () => {
    hammerResult = await hammer(`${base}/rest/users/1`, hammered.session, SECONDS);
  });
  await loaded.extra;
  // The issue's "maximum load run": the lab's own Measure run (MeasureService.StartRun, a server run), started by one student at the largest settings allowed.
  let runResult: MeasureRunResult | undefined;
  const measured = await runPhase("one student's maximum measure run", async () => {
    runResult = await maximumMeasureRun(base, hammered.session, SECONDS);
  });
  await measured.extra;
  // The issue's scenario: the teacher pushes a broker outage to the whole room.
  const drilled = await runPhase("broker-outage drill for the room", async () => {
    await teacher.drill(room.id, "broker-outage", 10);
  });
  await teacher.lift(room.id);

  running = false;
  await Promise.all(loops);
  await teacherLoop;
  await sleep(1_000);

  // No lost progress update: every acknowledged report is in the teacher's view.
  const view = (await teacher.room(room.id)).body;
  const byId = new Map(view.students.map((s) => [s.id, s]));
  let ackedTotal = 0;
  let lost = 0;
  for (const s of students) {
    const row = byId.get(s.id);
    for (const [st, passed] of s.acked) {
      ackedTotal++;
      const p = row?.progress.find((x) => x.step === st);
      if (!p || (passed && !p.passed)) lost++;
    }
  }

  const fmt = (h: Histogram) => `${ms(h.getValueAtPercentile(50))} / ${ms(h.getValueAtPercentile(99))}`;
  const control = (r: typeof baseline) => {
    const h = newHistogram();
    h.add(r.p.progress);
    h.add(r.p.teacher);
    return h;
  };
  const phases = [baseline, loaded, measured, drilled];
  const each = (f: (r: typeof baseline) => string) => phases.map(f);
  const rows = [
    ["control API p50 / p99 (ms)", ...each((r) => fmt(control(r)))],
    ["  progress POST (fsync'ed) p50 / p99", ...each((r) => fmt(r.p.progress))],
    ["  teacher GET room (200 rows) p50 / p99", ...each((r) => fmt(r.p.teacher))],
    ["other students' calls p50 / p99 (ms)", ...each((r) => fmt(r.p.calls))],
    ["  store write + fdatasync p99 / max (ms)", ...each((r) => `${r.store.writeP99Ms.toFixed(1)} / ${r.store.writeMaxMs.toFixed(0)}`)],
    ["lab event-loop delay p50 / p99 / max (ms)", ...each((r) => `${r.loop.p50.toFixed(1)} / ${r.loop.p99.toFixed(1)} / ${r.loop.max.toFixed(0)}`)],
    ["calls (failed)", ...each((r) => `${r.p.callsDone} (${r.p.callFailures}${r.p.callFailures ? `: ${[...r.p.failures].map(([k, v]) => `${v}×${k}`).join(" ")}` : ""})`)],
    ["progress reports (failed)", ...each((r) => `${r.p.progressDone} (${r.p.progressFailures})`)],
    ["lab CPU (s of 2 cores)", ...each((r) => `${r.cpu.toFixed(1)} of ${SECONDS * 2}`)],
    ["simulated class's CPU (this process)", ...each((r) => `${r.clientCpu.toFixed(1)} of ${SECONDS * 2}`)],
    ["bench client event-loop p99 / max (ms)", ...each((r) => `${r.benchLoopP99.toFixed(1)} / ${r.benchLoopMax.toFixed(0)}`)],
    ["machine load average (1 min, 2 cores)", ...each((r) => r.load.toFixed(1))],
  ];

  console.log("");
  console.log(table(["", "baseline", "one student hammering", "one student's max measure run", "broker-outage drill"], rows));
  const h = hammerResult!;
  console.log("");
  console.log(
    `Hammering student (autocannon, ${HAMMER_CONNECTIONS} connections, no rate cap, GET /rest/users/1): ${h.requests} requests in ${SECONDS} s (${Math.round(h.rps)}/s): ${h.ok} answered 2xx (${Math.round(h.ok / SECONDS)}/s), ${h.non2xx} refused with 429 by STUDENT_CALLS_PER_SECOND (${Math.round(h.non2xx / SECONDS)}/s)${h.errors ? `, ${h.errors} errors (${h.timeouts} timeouts)` : ""}.`,
  );
  const r = runResult!;
  console.log(`Measure run of one student: ${r.refusals.map((x) => `first asked ${x}; `).join("")}ran ${r.asked}: ${r.summary}`);
  console.log(`Progress updates: ${ackedTotal} acknowledged, ${lost} lost. Trace batches streamed: ${students.reduce((n, s) => n + s.traceBatches, 0)}; MQTT events delivered to students: ${students.reduce((n, s) => n + s.mqttMessages, 0)}; dashboard feed events: ${feedEvents}. Lab RSS ${rssMiB(lab.child.pid).toFixed(0)} MiB.`);
  const p99 = (x: Histogram) => x.getValueAtPercentile(99) / 1000;
  const checks = [
    [`control API p99 < 100 ms (baseline ${p99(control(baseline)).toFixed(1)}, loaded ${p99(control(loaded)).toFixed(1)})`, p99(control(baseline)) < 100 && p99(control(loaded)) < 100],
    [`event-loop delay p99 < 20 ms (baseline ${baseline.loop.p99.toFixed(1)}, loaded ${loaded.loop.p99.toFixed(1)})`, baseline.loop.p99 < 20 && loaded.loop.p99 < 20],
    [`no lost progress update (${lost} of ${ackedTotal})`, lost === 0 && phases.every((x) => x.p.progressFailures === 0)],
    [`control API p99 < 100 ms during the room's broker-outage drill (${p99(control(drilled)).toFixed(1)})`, p99(control(drilled)) < 100],
    [`others' call p99 with one student hammering within 2× baseline (${p99(loaded.p.calls).toFixed(1)} vs ${p99(baseline.p.calls).toFixed(1)} ms)`, p99(loaded.p.calls) <= 2 * p99(baseline.p.calls)],
    [`others' call p99 during one student's maximum measure run within 2× baseline (${p99(measured.p.calls).toFixed(1)} vs ${p99(baseline.p.calls).toFixed(1)} ms)`, p99(measured.p.calls) <= 2 * p99(baseline.p.calls)],
    [`control API p99 < 100 ms and event-loop delay p99 < 20 ms during the measure run (${p99(control(measured)).toFixed(1)}, ${measured.loop.p99.toFixed(1)})`, p99(control(measured)) < 100 && measured.loop.p99 < 20],
  ] as const;
  console.log("");
  for (const [what, ok] of checks) console.log(`${ok ? "PASS" : "FAIL"}  ${what}`);

  feedAbort.abort();
  for (const s of students) {
    s.stream?.abort();
    await s.mqtt?.endAsync(true).catch(() => undefined);
  }
  // A clean stop, so a --cpu-prof profile gets written.
  const exited = new Promise((r) => lab.child.once("exit", r));
  lab.child.kill("SIGTERM");
  await Promise.race([exited, sleep(10_000)]);
  process.exit(0);
}

interface MeasureRunResult {
  /** Larger runs the lab refused first, with its reason. */
  refusals: string[];
  /** The run that ran: "REST GetUser, open model, 5000/s, 100 in flight, 30 s". */
  asked: string;
  summary: string;
}

/**
 * One student's largest measure run, through the real API: a server run
 * (the generator in the lab's own process) of GetUser over REST — a call
 * the gateway turns into a second, gRPC hop — at MEASURE_LIMITS' rate and
 * concurrency for the phase's length. When the lab refuses it for a limit
 * of its own (resource_exhausted), the run is asked again at the rate the
 * refusal names as allowed (BENCH_RUN_RATE forces one rate).
 */
async function maximumMeasureRun(base: string, session: string, seconds: number): Promise<MeasureRunResult> {
  const withSession: Interceptor = (next) => (req) => {
    req.header.set("x-lab-session", session);
    return next(req);
  };
  const client = createClient(MeasureService, createConnectTransport({ baseUrl: `${base}/rpc`, httpVersion: "1.1", useBinaryFormat: true, interceptors: [withSession] }));
  const config = (rate: number): RunConfig => {
    const c = create(RunConfigSchema, {
      targets: [{ mode: Mode.REST }],
      call: MeasureCall.GET_USER,
      generator: Generator.SERVER,
      load: { model: LoadModel.OPEN, ratePerSecond: rate, concurrency: MEASURE_LIMITS.concurrency, durationMs: Math.min(seconds * 1000, MEASURE_LIMITS.runMs), warmupMs: 0 },
    });
    return c;
  };
  const refusals: string[] = [];
  let rate = Number(process.env.BENCH_RUN_RATE ?? MEASURE_LIMITS.ratePerSecond);
  for (let attempt = 0; attempt < 3; attempt++) {
    const asked = `REST GetUser, open model, ${rate}/s, ${MEASURE_LIMITS.concurrency} in flight, ${Math.min(seconds, MEASURE_LIMITS.runMs / 1000)} s`;
    let last: RunUpdate | undefined;
    try {
      for await (const { update } of client.startRun({ config: config(rate) })) if (update) last = update;
    } catch (err) {
      const e = ConnectError.from(err);
      // "… over the classroom's limit of 100/s per student (STUDENT_RUN_RATE_PER_SECOND)": ask again at that rate.
      const allowed = /limit of ([\d,]+)\/s/.exec(e.rawMessage)?.[1];
      if (e.code === Code.ResourceExhausted && allowed && attempt < 2) {
        refusals.push(`${asked}: refused, ${Code[e.code]} "${e.rawMessage}"`);
        rate = Number(allowed.replace(/,/g, ""));
        continue;
      }
      return { refusals, asked, summary: `refused: ${Code[e.code]} ${e.rawMessage}` };
    }
    const t = last?.targets[0];
    if (!last || !t) return { refusals, asked, summary: "no result" };
    const errors = Object.entries(t.errors).map(([k, v]) => `${v}×${k}`).join(" ") || "none";
    return {
      refusals,
      asked,
      summary: `${RunState[last.state]}: ${t.sent} sent, ${t.ok} ok, errors ${errors}; ${t.achievedPerSecond.toFixed(0)}/s answered; its latency p50 ${t.latency?.p50Ms.toFixed(2)} / p99 ${t.latency?.p99Ms.toFixed(2)} ms; generator CPU ${(t.generatorCpu * 100).toFixed(0)} % of a core${t.note ? `; ${t.note}` : ""}${last.error ? `; ${last.error}` : ""}`,
    };
  }
  return { refusals, asked: "nothing", summary: "refused three times" };
}

/** autocannon in its own process (so its work does not slow this one's measurements). */
function hammer(url: string, session: string, seconds: number): Promise<{ requests: number; non2xx: number; ok: number; rps: number; errors: number; timeouts: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.resolve("node_modules/autocannon/autocannon.js"), "-c", String(HAMMER_CONNECTIONS), "-d", String(seconds), "-j", "-H", `x-lab-session=${session}`, url], {
      stdio: ["ignore", "pipe", "ignore"],
    });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.on("error", reject);
    child.on("close", () => {
      try {
        const r = JSON.parse(out) as { requests: { total: number; average: number }; non2xx: number; "2xx": number; errors: number; timeouts: number };
        resolve({ requests: r.requests.total, non2xx: r.non2xx, ok: r["2xx"], rps: r.requests.average, errors: r.errors, timeouts: r.timeouts });
      } catch (err) {
        reject(new Error(`autocannon gave no JSON: ${(err as Error).message}\n${out.slice(0, 500)}`));
      }
    });
  });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
