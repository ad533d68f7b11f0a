import { closeSync, constants, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, unlinkSync, writeFileSync, writeSync } from "node:fs";
import { open, type FileHandle } from "node:fs/promises";
import path from "node:path";

/** The log file of the classroom store, in DATA_DIR. */
export const STORE_FILE = "classroom.jsonl";
const LOCK_FILE = "classroom.lock";

/** Why the store could not open: one line naming DATA_DIR, for start-up to print. */
export class StoreError extends Error {}

/** DATA_DIRs this process has open (a lock file cannot tell this process from itself). */
const openHere = new Set<string>();

/** Whether a lab may still hold a lock: the process lives and (where /proc tells) is a node process, not a reused pid. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  try {
    return /node|tsx/.test(readFileSync(`/proc/${pid}/cmdline`, "utf8"));
  } catch {
    return true;
  }
}

/** fsync of a directory, so a rename or a new file in it survives a crash (POSIX: the entry is data of the directory). */
function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, constants.O_RDONLY);
    fsyncSync(fd);
  } catch {
    // Some file systems refuse fsync on a directory; the rename is then as durable as they make it.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Writes a small file and syncs it and its directory, so it survives a crash right after (teacher token, instance id). */
export function writeFileDurably(file: string, text: string, mode = 0o600): void {
  const fd = openSync(file, "w", mode);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  fsyncDir(path.dirname(file));
}

interface Waiter {
  bytes: Buffer;
  resolve: () => void;
  reject: (err: Error) => void;
}

/**
 * A small durable key–value store: the latest JSON value per key, kept in
 * memory and in an append-only log of JSON lines (`{"k":key,"v":value}`,
 * `{"k":key,"d":1}` for a deletion) in DATA_DIR/classroom.jsonl.
 *
 * `put` resolves only after its line is written and fsync'ed (fdatasync),
 * so whatever a caller acknowledged survives a crash or `kill -9`. Writes
 * that arrive while one is in flight are written and synced together
 * (group commit): 200 students reporting at once cost a few syncs, not 200.
 *
 * On open the log is read, a torn last line (a crash in mid-write) is
 * dropped, and the log is compacted: the live values are written to a new
 * file, synced, and renamed over the old one (atomic on POSIX), then the
 * directory is synced. A lock file keeps a second lab process off the
 * same DATA_DIR.
 */
export class DurableStore {
  private readonly values = new Map<string, unknown>();
  private handle!: FileHandle;
  private queue: Waiter[] = [];
  /** The write loop while it runs. */
  private writing: Promise<void> | undefined;
  private closed = false;
  /** Lines of the log that did not parse when it was opened (kept out of the values). */
  skippedLines = 0;
  /** Bytes appended since open, and fsyncs done (for /rest/teach/metrics). */
  bytesWritten = 0;
  syncs = 0;
  /** How long the latest writes took (append and fdatasync), in ms, newest last (at most 1,000). */
  readonly writeMs: number[] = [];

  private constructor(readonly dir: string) {}

  /** Opens (or creates) the store in `dir`; throws StoreError naming the directory when it cannot. */
  static async open(dir: string): Promise<DurableStore> {
    const abs = path.resolve(dir);
    const store = new DurableStore(abs);
    store.lock();
    try {
      store.load();
      store.handle = await open(path.join(abs, STORE_FILE), "a");
    } catch (err) {
      store.unlock();
      if (err instanceof StoreError) throw err;
      throw new StoreError(`wirelab: cannot use DATA_DIR=${abs}: ${(err as Error).message}. Point DATA_DIR at a writable directory.`);
    }
    return store;
  }

  get(key: string): unknown {
    return this.values.get(key);
  }

  /** Every key and value whose key starts with `prefix`. */
  *entries(prefix = ""): IterableIterator<[string, unknown]> {
    for (const e of this.values) if (e[0].startsWith(prefix)) yield e;
  }

  get size(): number {
    return this.values.size;
  }

  /**
   * Sets values (undefined deletes) at once in memory, and resolves when
   * they are on disk. Rejects if the write or the sync failed; the values
   * then stay in memory and are written by the next put of the same key.
   */
  put(changes: ReadonlyArray<readonly [string, unknown]>): Promise<void> {
    if (this.closed) return Promise.reject(new Error("the classroom store is closed"));
    let text = "";
    for (const [k, v] of changes) {
      if (v === undefined) this.values.delete(k);
      else this.values.set(k, v);
      text += JSON.stringify(v === undefined ? { k, d: 1 } : { k, v }) + "\n";
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ bytes: Buffer.from(text), resolve, reject });
      this.kick();
    });
  }

  /** Starts the write loop unless it runs; when it ends, starts again for what came meanwhile. */
  private kick(): void {
    if (this.writing || this.queue.length === 0) return;
    this.writing = this.drain().finally(() => {
      this.writing = undefined;
      this.kick();
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    while (this.writing) await this.writing;
    await this.handle.close().catch(() => undefined);
    this.unlock();
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue;
      this.queue = [];
      try {
        const bytes = Buffer.concat(batch.map((w) => w.bytes));
        const t0 = performance.now();
        await this.handle.appendFile(bytes);
        await this.handle.datasync();
        if (this.writeMs.push(performance.now() - t0) > 1_000) this.writeMs.shift();
        this.bytesWritten += bytes.length;
        this.syncs++;
        for (const w of batch) w.resolve();
      } catch (err) {
        for (const w of batch) w.reject(err as Error);
      }
    }
  }

  /** Reads the log into memory and rewrites it compacted. */
  private load(): void {
    const file = path.join(this.dir, STORE_FILE);
    let text = "";
    try {
      text = readFileSync(file, "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    }
    const lines = text.split("\n");
    // A log ends in "\n"; anything after the last one is a write a crash cut short.
    lines.pop();
    for (const line of lines) {
      if (line === "") continue;
      try {
        const rec = JSON.parse(line) as { k?: unknown; v?: unknown; d?: unknown };
        if (typeof rec.k !== "string") throw new Error("no key");
        if (rec.d) this.values.delete(rec.k);
        else this.values.set(rec.k, rec.v);
      } catch {
        this.skippedLines++;
      }
    }
    let compacted = "";
    for (const [k, v] of this.values) compacted += JSON.stringify({ k, v }) + "\n";
    const tmp = `${file}.compact`;
    const fd = openSync(tmp, "w", 0o600);
    try {
      if (compacted.length > 0) writeSync(fd, compacted);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
    fsyncDir(this.dir);
  }

  private lock(): void {
    try {
      mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    } catch (err) {
      throw new StoreError(`wirelab: cannot create DATA_DIR=${this.dir}: ${(err as Error).message}. Point DATA_DIR at a writable directory.`);
    }
    if (openHere.has(this.dir)) {
      throw new StoreError(`wirelab: DATA_DIR=${this.dir} is already open in this process; give each lab its own DATA_DIR.`);
    }
    const lockFile = path.join(this.dir, LOCK_FILE);
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        writeFileSync(lockFile, String(process.pid), { flag: "wx", mode: 0o600 });
        openHere.add(this.dir);
        return;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "EEXIST") {
          throw new StoreError(`wirelab: cannot write in DATA_DIR=${this.dir}: ${(err as Error).message}. Point DATA_DIR at a writable directory.`);
        }
      }
      const pid = Number(readFileSync(lockFile, "utf8").trim());
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) {
        throw new StoreError(`wirelab: DATA_DIR=${this.dir} is in use by another Wirelab process (pid ${pid}); stop it or start with DATA_DIR=<another directory>.`);
      }
      // Left behind by a process that died (kill -9): take it over.
      unlinkSync(lockFile);
    }
    throw new StoreError(`wirelab: could not lock DATA_DIR=${this.dir}; another lab may be starting on it.`);
  }

  private unlock(): void {
    openHere.delete(this.dir);
    try {
      unlinkSync(path.join(this.dir, LOCK_FILE));
    } catch {
      // Already gone.
    }
  }
}
