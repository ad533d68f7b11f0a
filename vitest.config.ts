import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    alias: { "@": fileURLToPath(new URL("./", import.meta.url)) },
  },
  test: {
    include: ["{lib,server,components,lessons,test}/**/*.spec.{ts,tsx}"],
    environment: "node",
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // Integration suites start real servers on free ports and spend much of
    // their time waiting on real timers (deadlines, keepalives, redelivery),
    // so four files at a time on two cores: 92 → 65 s for the whole run.
    maxWorkers: 4,
  },
});
