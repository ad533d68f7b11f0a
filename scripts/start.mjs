// `npm start`: builds the web UI when there is no build (or it is older than
// the sources), then runs the lab's one server process.
import { spawnSync, spawn } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { writeGenerated } from "./gen-lessons.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const buildId = path.join(root, ".next", "BUILD_ID");

function newestMtime(dir) {
  let newest = 0;
  if (!existsSync(dir)) return newest;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === "node_modules" || entry.name.startsWith(".")) continue;
    const p = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

// The lesson registry is derived from the lesson folders; writing it first
// means a new or changed lesson makes the build stale below.
try {
  writeGenerated();
} catch (err) {
  console.error(`wirelab: ${err.message}`);
  process.exit(1);
}

const sources = ["app", "components", "lib", "lessons", "public"].map((d) => newestMtime(path.join(root, d)));
// Files at the root that shape the build too (MDX components, Next's config).
for (const f of ["mdx-components.tsx", "next.config.mjs"]) if (existsSync(path.join(root, f))) sources.push(statSync(path.join(root, f)).mtimeMs);
const stale = !existsSync(buildId) || Math.max(...sources) > statSync(buildId).mtimeMs;
if (stale) {
  console.log(existsSync(buildId) ? "wirelab: sources changed since the last build; building…" : "wirelab: no build yet; building the web UI (once)…");
  const r = spawnSync(process.execPath, [path.join(root, "node_modules", "next", "dist", "bin", "next"), "build"], { cwd: root, stdio: "inherit" });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

const tsx = path.join(root, "node_modules", "tsx", "dist", "cli.mjs");
const child = spawn(process.execPath, [tsx, path.join(root, "server", "main.ts")], { cwd: root, stdio: "inherit", env: { ...process.env, NODE_ENV: "production" } });
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => child.kill(sig));
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
