#!/usr/bin/env node
/**
 * Runs npm scripts side by side and fails if any fails:
 *   node scripts/together.mjs typecheck lint
 * Each script's output is held and printed whole when it ends, so two logs
 * never interleave. `npm test` uses it for the type-check and lint: each
 * keeps about one core busy for 25 s on a fresh clone, and a 2-core machine
 * has two.
 */
import { Buffer } from "node:buffer";
import { spawn } from "node:child_process";

const names = process.argv.slice(2);
if (names.length === 0) {
  console.error("usage: node scripts/together.mjs <npm script> [<npm script>…]");
  process.exit(2);
}

const npm = process.platform === "win32" ? "npm.cmd" : "npm";
const started = Date.now();
const results = await Promise.all(
  names.map(
    (name) =>
      new Promise((resolve) => {
        const chunks = [];
        const child = spawn(npm, ["run", "--silent", name], { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, FORCE_COLOR: process.env.FORCE_COLOR ?? "1" } });
        child.stdout.on("data", (c) => chunks.push(c));
        child.stderr.on("data", (c) => chunks.push(c));
        child.on("error", (err) => chunks.push(Buffer.from(`${err.message}\n`)));
        child.on("close", (code, signal) => {
          const seconds = ((Date.now() - started) / 1000).toFixed(1);
          const ok = code === 0;
          process.stdout.write(`\n── npm run ${name}: ${ok ? "ok" : `failed (${signal ?? `exit ${code}`})`} in ${seconds} s\n`);
          process.stdout.write(Buffer.concat(chunks));
          resolve({ name, ok });
        });
      }),
  ),
);

const failed = results.filter((r) => !r.ok).map((r) => r.name);
if (failed.length > 0) {
  console.error(`\n${failed.map((n) => `npm run ${n}`).join(", ")} failed`);
  process.exit(1);
}
