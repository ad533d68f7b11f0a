/**
 * `npm run bench:browser`: is the page still smooth under a busy trace?
 *
 * Starts the lab (with its web UI) on free ports and opens /playground in
 * Chromium. Then:
 *  1. live: a Node load generator makes real REST calls in the page's
 *     session at a rate that produces about 500 trace events/s for 10 s,
 *     while the page records every animation frame's duration and every
 *     long task (> 50 ms);
 *  2. 10,000 events: imports a 10,000-event trace, times until it is drawn,
 *     then scrolls the diagram from top to bottom recording frame times;
 *  3. a lesson: runs a 90-call step solution on a lesson page with earlier
 *     steps (a diagram, Measure panels) still shown, and times it.
 * Prints frame-time percentiles side by side (idle / live / scrolling / lesson).
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { chromium, type Page } from "@playwright/test";
import { exportTrace } from "../lib/diagram/export";
import { manyEvents } from "../lib/diagram/fixtures";
import { freePort, waitForPort } from "../test/helpers/processes";
import { table } from "./stats";

/** The lesson scenario: lesson 10's third step, 30 GetUser calls in each of three modes, after its first two steps. */
const LESSON = { slug: "measuring", before: ["spread", "first-call"], step: "protocols", calls: 90 };
const EVENTS_PER_SECOND = Number(process.env.BENCH_EVENTS_PER_S ?? 500);
const LIVE_SECONDS = Number(process.env.BENCH_LIVE_S ?? 10);

async function startLab() {
  const [http, grpc, mqtt] = [await freePort(), await freePort(), await freePort()];
  const child = spawn(process.execPath, ["scripts/start.mjs"], {
    env: { ...process.env, PORT: String(http), GRPC_PORT: String(grpc), MQTT_PORT: String(mqtt) },
    stdio: ["ignore", "inherit", "inherit"],
  });
  await waitForPort(http, 300_000);
  console.error(`bench: port ${http} open, waiting for /healthz`);
  for (let i = 0; ; i++) {
    const status = await fetch(`http://127.0.0.1:${http}/healthz`).then((r) => r.status, (e: Error) => e.message);
    if (status === 200) break;
    if (i % 50 === 0) console.error(`bench: /healthz says ${status}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return { child, url: `http://127.0.0.1:${http}` };
}

/** Starts recording frame durations and long tasks in the page. */
async function recordFrames(page: Page) {
  await page.evaluate(() => {
    const w = window as unknown as { __frames: number[]; __long: number[]; __stop: boolean };
    w.__frames = [];
    w.__long = [];
    w.__stop = false;
    let last = performance.now();
    const tick = (t: number) => {
      w.__frames.push(t - last);
      last = t;
      if (!w.__stop) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
    new PerformanceObserver((list) => list.getEntries().forEach((e) => w.__long.push(e.duration))).observe({ type: "longtask", buffered: false });
  });
}

async function stopFrames(page: Page): Promise<{ frames: number[]; long: number[] }> {
  return page.evaluate(() => {
    const w = window as unknown as { __frames: number[]; __long: number[]; __stop: boolean };
    w.__stop = true;
    return { frames: w.__frames.slice(1), long: w.__long };
  });
}

function summarize(name: string, s: { frames: number[]; long: number[] }): string[] {
  const seconds = s.frames.reduce((a, b) => a + b, 0) / 1000;
  const f = [...s.frames].sort((a, b) => a - b);
  const q = (p: number) => (f.length ? f[Math.min(f.length - 1, Math.floor((p / 100) * f.length))] : 0);
  return [
    name,
    String(f.length),
    (f.length / seconds).toFixed(0),
    q(50).toFixed(1),
    q(95).toFixed(1),
    q(99).toFixed(1),
    (f[f.length - 1] ?? 0).toFixed(0),
    String(s.long.length),
    s.long.reduce((a, b) => a + b, 0).toFixed(0),
  ];
}

async function main() {
  console.error("bench: starting the lab (builds the web UI when needed)…");
  const lab = await startLab();
  console.error(`bench: lab at ${lab.url}`);
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  // tsx compiles functions handed to page.evaluate with esbuild's __name helper.
  await page.addInitScript({ content: "globalThis.__name = (f) => f;" });
  await page.goto(`${lab.url}/playground`);
  await page.waitForFunction(() => /^[a-z0-9]{12}$/.test(document.querySelector('[data-testid="session-id"]')?.textContent ?? ""));
  const sessionId = (await page.getByTestId("session-id").textContent())!;

  const rows: string[][] = [];
  const step = (m: string) => console.error(`bench: ${m}`);
  step(`page open, session ${sessionId}`);
  await recordFrames(page);
  await page.waitForTimeout(3000);
  rows.push(summarize("idle page, 3 s", await stopFrames(page)));

  // 1. Live: each REST GetUser makes 6 server events (2 per hop and the gateway's own 2).
  const eventsPerCall = 6;
  const callsPerSecond = EVENTS_PER_SECOND / eventsPerCall;
  await recordFrames(page);
  const start = performance.now();
  let calls = 0;
  const inFlight = new Set<Promise<unknown>>();
  while (performance.now() - start < LIVE_SECONDS * 1000) {
    const due = Math.floor(((performance.now() - start) / 1000) * callsPerSecond);
    while (calls < due) {
      calls++;
      const p = fetch(`${lab.url}/rest/users/1`, { headers: { "x-lab-session": sessionId } }).then((r) => r.arrayBuffer());
      inFlight.add(p);
      void p.finally(() => inFlight.delete(p));
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  await Promise.all(inFlight);
  const live = await stopFrames(page);
  const shownText = (await page.getByTestId("trace-count").textContent()) ?? "";
  rows.push(summarize(`live, ${EVENTS_PER_SECOND} events/s × ${LIVE_SECONDS} s`, live));

  step(`live done: ${calls} calls`);
  // 2. 10,000 events imported into the page.
  const dir = mkdtempSync(path.join(os.tmpdir(), "wirelab-bench-"));
  const file = path.join(dir, "10k.json");
  writeFileSync(file, exportTrace(manyEvents(10_000)));
  const t0 = Date.now();
  const chooser = page.waitForEvent("filechooser");
  await page.getByRole("button", { name: "Import a trace JSON file and replay it" }).click();
  await (await chooser).setFiles(file);
  // Jump the replay to its end: pause, then step to the last event at the highest speed.
  await page.getByRole("combobox", { name: "Speed" }).selectOption("4");
  await page.waitForFunction(() => /Imported trace · 10000\/10000/.test(document.body.innerText), undefined, { timeout: 120_000 });
  const importMs = Date.now() - t0;
  rmSync(dir, { recursive: true, force: true });
  step(`import done in ${importMs} ms`);
  await recordFrames(page);
  const scroller = page.getByTestId("diagram-scroller").first();
  const height = await scroller.evaluate((el) => el.scrollHeight);
  for (let top = 0; top < height; top += 400) {
    await scroller.evaluate((el, t) => (el.scrollTop = t), top);
    await page.waitForTimeout(16);
  }
  const scrolled = await stopFrames(page);
  rows.push(summarize("10,000 events: scrolling top → bottom", scrolled));

  // 3. A lesson page whose active step runs a 90-call solution while two
  // passed steps (with a diagram and Measure panels) stay on the page: how
  // long the page takes to make its calls and show them.
  const lesson = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  await lesson.addInitScript({ content: "globalThis.__name = (f) => f;" });
  await lesson.goto(`${lab.url}/lessons/${LESSON.slug}`);
  await lesson.waitForFunction(() => window.wirelabLesson !== undefined && /^[a-z0-9]{12}$/.test(document.querySelector('[data-testid="session-id"]')?.textContent ?? ""));
  const solve = (id: string) =>
    lesson.evaluate(async (stepId) => {
      const w = window.wirelabLesson!;
      await w.idle();
      const t = performance.now();
      await w.run(w.solution(stepId));
      const ran = performance.now() - t;
      await w.idle();
      return { ran, state: w.steps().find((s) => s.id === stepId)?.state };
    }, id);
  for (const id of LESSON.before) await solve(id);
  await recordFrames(lesson);
  const solved = await solve(LESSON.step);
  rows.push(summarize(`lesson ${LESSON.slug}, step ${LESSON.step}'s solution`, await stopFrames(lesson)));
  step(`lesson step ran in ${solved.ran.toFixed(0)} ms (${solved.state})`);

  console.log(`wirelab browser bench: Chromium ${browser.version()}, 1400×1000, production build\n`);
  console.log(table(["scenario", "frames", "fps", "p50 ms", "p95 ms", "p99 ms", "max ms", "long tasks", "long-task ms"], rows));
  console.log(`\nlive: ${calls} REST calls sent; the page showed "${shownText.trim()}"`);
  console.log(`10,000 imported events replayed at 4× and fully drawn after ${importMs} ms (diagram ${height} px tall)`);
  console.log(`lesson ${LESSON.slug}: step ${LESSON.step}'s solution (${LESSON.calls} calls) ran in ${solved.ran.toFixed(0)} ms; the step ${solved.state}`);
  await browser.close();
  lab.child.kill("SIGTERM");
}

void main().catch((err) => {
  console.error(err);
  process.exit(1);
});
