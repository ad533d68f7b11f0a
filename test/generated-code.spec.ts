import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, expect, it } from "vitest";
import { run } from "./helpers/processes";

/** lib/gen must be exactly what `buf generate` makes from proto/ today. */
const out = mkdtempSync(path.join(os.tmpdir(), "wirelab-gen-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));

function files(dir: string, prefix = ""): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(path.join(dir, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`],
  );
}

it("lib/gen is up to date with proto/ (run `npm run generate`)", async () => {
  const template = path.join(out, "buf.gen.yaml");
  writeFileSync(template, readFileSync("buf.gen.yaml", "utf8").replace("out: lib/gen", `out: ${path.join(out, "gen")}`));
  const r = await run(path.resolve("node_modules/.bin/buf"), ["generate", "--template", template], { timeoutMs: 60_000 });
  expect(r.stderr).toBe("");
  const fresh = files(path.join(out, "gen")).sort();
  expect(files("lib/gen").sort()).toEqual(fresh);
  for (const f of fresh) {
    expect(readFileSync(path.join("lib/gen", f), "utf8"), `lib/gen/${f} is stale`).toBe(readFileSync(path.join(out, "gen", f), "utf8"));
  }
});

it("proto/ passes buf lint", async () => {
  const r = await run(path.resolve("node_modules/.bin/buf"), ["lint"], { timeoutMs: 60_000 });
  expect(r.stdout + r.stderr).toBe("");
  expect(r.code).toBe(0);
});
