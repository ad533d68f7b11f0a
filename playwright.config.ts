import { existsSync } from "node:fs";
import { cpus } from "node:os";
import { chromium, defineConfig, devices } from "@playwright/test";

/**
 * Browser tests in Chromium against a real lab on free-ish ports. Uses
 * Playwright's own Chromium when it is installed, else the system's
 * (Debian's /usr/bin/chromium, or CHROMIUM_PATH).
 */
const bundled = (() => {
  try {
    return existsSync(chromium.executablePath());
  } catch {
    return false;
  }
})();
const systemChromium = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const port = Number(process.env.E2E_PORT ?? 3310);
/**
 * Two browsers against the one lab: every browser context gets its own
 * session cookie, so tests on one server never see each other's faults,
 * defences or trace. On a 2-core VM two lesson walks side by side once
 * left a page's React hundreds of events behind its trace, and lessons 6-8
 * failed their 45 s step timeout in about half the runs. Since then the
 * lesson page became four times cheaper (widgets re-render only when what
 * they read changes; at most ten trace updates a second) and the trace no
 * longer records a screencast; two workers passed every run since (12.0,
 * 11.5 and 9.3 min, against 14.4-15.3 with one). E2E_WORKERS sets the number.
 */
const workers = Number(process.env.E2E_WORKERS ?? Math.min(2, cpus().length));

export default defineConfig({
  testDir: "e2e",
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers,
  retries: 0,
  reporter: process.env.CI ? [["list"]] : [["list"]],
  outputDir: "test-results",
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    // No trace by default: recording one for every test (kept on failure)
    // took a third of the browser tests' CPU (lessons 6, 7 and 9: 193 CPU-s
    // with it, 127 without; 134 with DOM snapshots but no screencast), and
    // two cores have none to spare. To replay a failure step by step:
    //   npx playwright test --trace retain-on-failure -g "<test title>"
    trace: "off",
    screenshot: "only-on-failure",
  },
  projects: [
    {
      name: "chromium",
      use: {
        ...devices["Desktop Chrome"],
        viewport: { width: 1400, height: 1000 },
        launchOptions: {
          executablePath: bundled ? undefined : systemChromium,
          args: [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
          ],
        },
      },
    },
  ],
  webServer: {
    command: "node scripts/start.mjs",
    url: `http://127.0.0.1:${port}/healthz`,
    timeout: 300_000,
    reuseExistingServer: false,
    env: { PORT: String(port), GRPC_PORT: String(port + 1), MQTT_PORT: String(port + 2) },
    stdout: "pipe",
  },
});
