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
 * Two browsers against the one lab when there are more than two cores:
 * every browser context gets its own session cookie, so tests on one server
 * never see each other's faults, defences or trace. On two cores, one at a
 * time: with Debian's Chromium 156, two lesson walks side by side with the
 * lab on a 2-core VM left a page's React hundreds of events behind its
 * trace, and lessons 6, 7 and 8 failed their 45 s step timeout in about
 * half the runs. The lesson page has since become four times cheaper
 * (widgets re-render only when what they read changes; at most ten trace
 * updates a second), and two runs in a row with two workers passed (12.0
 * and 11.5 min, against 14.7-15.3 with one); that is not yet proof against
 * a failure rate of one in two, so two cores keep one worker.
 * E2E_WORKERS sets the number.
 */
const workers = Number(process.env.E2E_WORKERS ?? (cpus().length > 2 ? 2 : 1));

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
    trace: "retain-on-failure",
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
