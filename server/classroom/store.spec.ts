import { spawn } from "node:child_process";
import { appendFileSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { DurableStore, STORE_FILE } from "./store";

const dirs: string[] = [];
function tmp(): string {
  const d = mkdtempSync(path.join(os.tmpdir(), "wirelab-store-"));
  dirs.push(d);
  return d;
}
const open: DurableStore[] = [];
async function openStore(dir: string): Promise<DurableStore> {
  const s = await DurableStore.open(dir);
  open.push(s);
  return s;
}
afterEach(async () => {
  for (const s of open.splice(0)) await s.close();
});

describe("DurableStore", () => {
  it("keeps the latest value per key across a reopen, deletions included", async () => {
    const dir = tmp();
    const s = await openStore(dir);
    await s.put([["room/a", { n: 1 }], ["room/b", { n: 2 }]]);
    await s.put([["room/a", { n: 3 }]]);
    await s.put([["room/b", undefined]]);
    await s.close();
    const again = await openStore(dir);
    expect(again.get("room/a")).toEqual({ n: 3 });
    expect(again.get("room/b")).toBeUndefined();
    expect([...again.entries("room/")]).toEqual([["room/a", { n: 3 }]]);
  });

  it("writes concurrent puts together and resolves each only after a sync", async () => {
    const s = await openStore(tmp());
    await Promise.all(Array.from({ length: 100 }, (_, i) => s.put([[`k/${i}`, i]])));
    expect(s.size).toBe(100);
    // Group commit: far fewer syncs than puts.
    expect(s.syncs).toBeLessThan(100);
    expect(s.syncs).toBeGreaterThan(0);
  });

  it("drops a torn last line and compacts the log on open", async () => {
    const dir = tmp();
    const s = await openStore(dir);
    for (let i = 0; i < 50; i++) await s.put([["k/x", { i }]]);
    await s.close();
    const file = path.join(dir, STORE_FILE);
    const before = statSync(file).size;
    appendFileSync(file, '{"k":"k/torn","v":{"half');
    const again = await openStore(dir);
    expect(again.get("k/x")).toEqual({ i: 49 });
    expect(again.get("k/torn")).toBeUndefined();
    expect(statSync(file).size).toBeLessThan(before / 10);
    expect(readFileSync(file, "utf8")).toBe('{"k":"k/x","v":{"i":49}}\n');
  });

  it("skips a line that is not JSON and says how many it skipped", async () => {
    const dir = tmp();
    writeFileSync(path.join(dir, STORE_FILE), '{"k":"a","v":1}\nnot json\n{"k":"b","v":2}\n');
    const s = await openStore(dir);
    expect([s.get("a"), s.get("b"), s.skippedLines]).toEqual([1, 2, 1]);
  });

  it("refuses a DATA_DIR another lab holds, naming it", async () => {
    const dir = tmp();
    await openStore(dir);
    await expect(DurableStore.open(dir)).rejects.toThrow(/DATA_DIR=.* is already open in this process/);
  });

  it("takes over the lock of a process that died", async () => {
    const dir = tmp();
    // A pid that is certainly not running (above the kernel's pid_max).
    writeFileSync(path.join(dir, "classroom.lock"), "99999999");
    const s = await openStore(dir);
    await s.put([["a", 1]]);
    expect(s.get("a")).toBe(1);
  });

  it("takes over a lock whose pid now belongs to something that is not a lab", async () => {
    const dir = tmp();
    const other = spawn("sleep", ["30"]);
    try {
      writeFileSync(path.join(dir, "classroom.lock"), String(other.pid));
      const s = await openStore(dir);
      expect(s.size).toBe(0);
    } finally {
      other.kill();
    }
  });

  it("loses nothing it acknowledged when its process is killed with SIGKILL", async () => {
    const dir = tmp();
    const child = spawn(process.execPath, ["--import", "tsx", path.resolve("test/helpers/store-writer.ts"), dir], { stdio: ["ignore", "pipe", "inherit"] });
    const acked: string[] = [];
    let buffered = "";
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    await new Promise<void>((resolve, reject) => {
      child.once("exit", () => reject(new Error("the writer exited before it was killed")));
      child.stdout.on("data", (d: Buffer) => {
        buffered += d.toString();
        const lines = buffered.split("\n");
        buffered = lines.pop()!;
        for (const line of lines) if (line.startsWith("ack ")) acked.push(line.slice(4));
        // Kill it in the middle of its writes, after a few hundred acknowledgements.
        if (acked.length >= 300) resolve();
      });
    });
    child.kill("SIGKILL");
    await exited;
    const s = await openStore(dir);
    const missing = acked.filter((k) => s.get(k) === undefined);
    expect(missing).toEqual([]);
    expect(s.size).toBeGreaterThanOrEqual(acked.length);
  }, 60_000);
});
