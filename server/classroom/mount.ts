import { mkdtempSync, readFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import os from "node:os";
import path from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import type { Interceptor } from "@connectrpc/connect";
import { CLASS_RATE_LIMITS } from "../../lib/classroom/contract";
import type { LabConfig } from "../config";
import { newSessionId, type Sandbox, type Sandboxes } from "../sandbox/sandbox";
import { kHop, type Hop } from "../services/hop-context";
import type { TraceHub } from "../trace/trace-hub";
import { Classroom, type ClassChange, type StudentRecord } from "./classroom";
import { ClassroomCluster } from "./cluster";
import type { ClassroomContext, ClassroomLimits } from "./context";
import { syncDrill } from "./drills";
import { DashboardFeeds, StudentFeeds } from "./feeds";
import { sendFailure, sendTooMany } from "./http-util";
import { Presence } from "./presence";
import { refusalError, TokenBuckets, type RateRefusal } from "./rate-limit";
import { RefusalHolds, type Hold } from "./refusal-holds";
import { DurableStore, writeFileDurably } from "./store";
import { handleStudent } from "./student-routes";
import { TeacherAuth, teacherToken } from "./teacher-auth";
import { handleTeacher, LOOP_RESOLUTION_MS } from "./teacher-routes";

/** How often presence is recomputed and drills re-asserted. */
const TICK_MS = 1_000;
/** Sandboxes a drill change reaches per event-loop turn. */
const SYNC_SLICE = 5;
/** The longest a refused call is held before its 429 goes out, in ms. */
const HOLD_LONGEST_MS = 5_000;

/** Resolves after `ms`, or at once when `signal` aborts. */
function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}

export interface ClassroomDeps {
  cfg: LabConfig;
  sandboxes: Sandboxes;
  hub: TraceHub;
}

/** What the lab server needs from the classroom: its routes, its rate limits, and a way to stop. */
export interface ClassroomMount {
  /** Serves /rest/teach/* and /rest/class/*. */
  handle(req: IncomingMessage, res: ServerResponse): void;
  /**
   * Takes a call from a student's budget (STUDENT_CALLS_PER_SECOND); when
   * they are over it, remembers the refusal on the hop and says whether to
   * trace it: the first refusal per student per second is, the rest are
   * not, so a student hammering the lab costs it little. The refusal is
   * held until the student's window opens (refusal-holds.ts);
   * `closeConnection` says no hold was left, so the answer goes at once
   * and the HTTP/1.1 connection should close.
   */
  admit(hop: Hop): { traced: boolean; closeConnection: boolean } | undefined;
  /** Answers a refused REST call with 429 and Retry-After, when its hold ends (true when the call was refused). */
  refuseRest(hop: Hop, res: ServerResponse): boolean;
  /** Answers a refused Connect, gRPC-web or gRPC call with resource_exhausted and Retry-After, when its hold ends. */
  readonly rpcInterceptor: Interceptor;
  /** The same limit for MQTT request/reply: the refusal's message, or undefined. */
  admitMqtt(session: string): string | undefined;
  /** Asked by the lab's load-run feature before a student's run starts. */
  admitRun(session: string): RateRefusal | undefined;
  /** The fastest load run a student in a room may ask for (STUDENT_RUN_RATE_PER_SECOND); undefined outside a room. */
  runPace(session: string): { perSecond: number; limit: string } | undefined;
  readonly teacher: { token: string; generated: boolean; file?: string };
  readonly dataDir: string;
  readonly classroom: Classroom;
  close(): Promise<void>;
}

function resolveDataDir(cfg: LabConfig): string {
  if (cfg.DATA_DIR) return path.resolve(cfg.DATA_DIR);
  if (cfg.NODE_ENV === "test") return mkdtempSync(path.join(os.tmpdir(), "wirelab-data-"));
  return path.resolve("data");
}

/** A stable id of this lab instance (DATA_DIR/instance-id), for revisions and presence. */
function instanceId(dir: string): string {
  const file = path.join(dir, "instance-id");
  try {
    const id = readFileSync(file, "utf8").trim();
    if (/^[a-z0-9]{6,32}$/.test(id)) return id;
  } catch {
    // None yet.
  }
  const id = newSessionId().slice(0, 8);
  writeFileDurably(file, id + "\n", 0o644);
  return id;
}

/**
 * The classroom (issue #7): rooms with codes, students with display names
 * and resume codes, progress, the teacher's live dashboard, fault drills,
 * messages, resets, CSV export, rate limits, and replication between lab
 * instances on a shared broker. Mounted by the lab server with one call.
 */
export async function mountClassroom(deps: ClassroomDeps): Promise<ClassroomMount> {
  const { cfg, sandboxes, hub } = deps;
  const dataDir = resolveDataDir(cfg);
  const store = await DurableStore.open(dataDir);
  const origin = instanceId(dataDir);
  const teacher = teacherToken(cfg.TEACHER_TOKEN, dataDir);
  const auth = new TeacherAuth(teacher.token);
  const classroom = new Classroom({ store, origin, maxStudentsPerRoom: cfg.ROOM_MAX_STUDENTS });
  const presence = new Presence(classroom, sandboxes);
  const dashboards = new DashboardFeeds(classroom, presence);
  const studentFeeds = new StudentFeeds(classroom, presence);
  const loopDelay = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
  loopDelay.enable();

  const limits: ClassroomLimits = {
    calls: new TokenBuckets({ perSecond: cfg.STUDENT_CALLS_PER_SECOND, burst: cfg.STUDENT_CALLS_PER_SECOND * 2 }, { unit: "calls", scope: "per student", name: "STUDENT_CALLS_PER_SECOND" }),
    runs: new TokenBuckets(CLASS_RATE_LIMITS.runs, { unit: "load runs", scope: "per student", name: "CLASS_RATE_LIMITS.runs" }),
    joins: new TokenBuckets(CLASS_RATE_LIMITS.joins, { unit: "joins", scope: "per browser", name: "CLASS_RATE_LIMITS.joins" }),
    failedJoins: new TokenBuckets(CLASS_RATE_LIMITS.failedJoins, { unit: "failed joins", scope: "on this lab", name: "CLASS_RATE_LIMITS.failedJoins" }),
    progress: new TokenBuckets(CLASS_RATE_LIMITS.progress, { unit: "progress reports", scope: "per student", name: "CLASS_RATE_LIMITS.progress" }),
    teacherLogins: new TokenBuckets(CLASS_RATE_LIMITS.teacherLogins, { unit: "failed teacher logins", scope: "on this lab", name: "CLASS_RATE_LIMITS.teacherLogins" }),
  };

  // Drills and resets reach the sandboxes this instance hosts.
  const appliedResets = new Map<string, number>([...classroom.resets].map(([id, r]) => [id, r.seq]));
  const syncStudent = (student: StudentRecord, box: Sandbox | undefined = sandboxes.peek(student.session)) => {
    if (!box) return;
    const room = classroom.rooms.get(student.roomId);
    syncDrill(box, student.leftAtMs ? null : classroom.activeDrill(room));
  };
  // A room's drill reaches its students a few at a time: starting a broker
  // outage drops every connection of a sandbox, and 200 sandboxes at once
  // would hold the event loop for a noticeable while.
  const pending = new Set<string>();
  let draining = false;
  const drain = () => {
    let n = 0;
    for (const id of pending) {
      pending.delete(id);
      const s = classroom.students.get(id);
      if (s) syncStudent(s);
      if (++n >= SYNC_SLICE) break;
    }
    if (pending.size > 0) setImmediate(drain);
    else draining = false;
  };
  const syncRoom = (roomId: string) => {
    for (const s of classroom.studentsIn(roomId)) pending.add(s.id);
    if (!draining && pending.size > 0) {
      draining = true;
      setImmediate(drain);
    }
  };
  const onChange = (c: ClassChange) => {
    if (c.kind === "room") syncRoom(c.room.id);
    else if (c.kind === "student") syncStudent(c.student);
    else if (c.kind === "reset" && c.reset.seq > (appliedResets.get(c.reset.studentId) ?? 0)) {
      appliedResets.set(c.reset.studentId, c.reset.seq);
      const student = classroom.students.get(c.reset.studentId);
      const box = student && sandboxes.peek(student.session);
      if (student && box) {
        box.reset();
        hub.clear(student.session);
        syncStudent(student, box);
      }
    }
    dashboards.onChange(c);
    studentFeeds.onChange(c);
  };
  const unsubscribe = classroom.onChange(onChange);
  const previousOnCreate = sandboxes.onCreate;
  sandboxes.onCreate = (box) => {
    previousOnCreate?.(box);
    const student = classroom.studentOfSession(box.id);
    if (student) syncStudent(student, box);
  };

  const cluster = cfg.MQTT_URL
    ? new ClassroomCluster({ url: cfg.MQTT_URL, password: cfg.MQTT_PASSWORD, secret: teacher.token, instanceId: origin, classroom, presence })
    : undefined;
  if (cluster) {
    try {
      await cluster.start();
    } catch (err) {
      await store.close();
      throw err;
    }
  }

  const tick = setInterval(() => {
    const now = Date.now();
    for (const room of classroom.rooms.values()) {
      if (!classroom.activeDrill(room, now)) continue;
      syncRoom(room.id);
    }
    const changed = presence.tick();
    if (changed.length > 0) dashboards.onPresence(changed);
    cluster?.publishPresence(presence.localDigest());
  }, TICK_MS);
  tick.unref();

  // Rate limits of a student's calls: only sessions in a room are limited.
  const studentKey = (session: string): string | undefined => {
    const s = classroom.studentOfSession(session);
    return s && !s.leftAtMs ? s.id : undefined;
  };
  const admitCall = (session: string): RateRefusal | undefined => {
    const key = studentKey(session);
    return key === undefined ? undefined : limits.calls.take(key);
  };
  const holds = new RefusalHolds({ max: cfg.HELD_REFUSALS_MAX, perStudent: cfg.HELD_REFUSALS_PER_STUDENT, longestMs: HOLD_LONGEST_MS });
  const refusals = new WeakMap<Hop, { refused: RateRefusal; hold: Hold | { refused: string } }>();
  /** When each student's last refusal was traced. */
  const tracedRefusal = new Map<string, number>();
  const admit = (hop: Hop): { traced: boolean; closeConnection: boolean } | undefined => {
    const key = studentKey(hop.session);
    const refused = key === undefined ? undefined : limits.calls.take(key);
    if (!refused || key === undefined) return undefined;
    const hold = holds.reserve(key, refused.retryAfterMs, cfg.STUDENT_CALLS_PER_SECOND);
    refusals.set(hop, { refused, hold });
    const now = Date.now();
    const traced = now - (tracedRefusal.get(hop.session) ?? 0) >= 1_000;
    if (traced) {
      if (tracedRefusal.size > 10_000) tracedRefusal.clear();
      tracedRefusal.set(hop.session, now);
    }
    return { traced, closeConnection: "refused" in hold };
  };
  const rpcInterceptor: Interceptor = (next) => async (req) => {
    const hop = req.contextValues.get(kHop);
    const r = hop && refusals.get(hop);
    if (!r) return next(req);
    const { refused, hold } = r;
    if ("refused" in hold) throw refusalError(refused, hold.refused);
    try {
      await delay(hold.delayMs, req.signal);
    } finally {
      hold.release();
    }
    throw refusalError(refused);
  };

  const ctx: ClassroomContext = { cfg, sandboxes, classroom, presence, dashboards, studentFeeds, limits, auth, store, loopDelay, dataDir, origin };
  return {
    handle(req, res) {
      const url = req.url ?? "/";
      const run = url.startsWith("/rest/teach/") ? handleTeacher(ctx, req, res, url) : handleStudent(ctx, req, res, url.split("?")[0].slice("/rest/class/".length));
      run.catch((err) => sendFailure(res, err));
    },
    admit,
    refuseRest(hop, res) {
      const r = refusals.get(hop);
      if (!r) return false;
      const { refused, hold } = r;
      if ("refused" in hold) {
        sendTooMany(res, refused, hold.refused);
        return true;
      }
      const timer = setTimeout(() => {
        hold.release();
        if (!res.destroyed) sendTooMany(res, refused);
      }, hold.delayMs);
      res.once("close", () => {
        clearTimeout(timer);
        hold.release();
      });
      return true;
    },
    rpcInterceptor,
    admitMqtt: (session) => admitCall(session)?.message,
    admitRun(session) {
      const key = studentKey(session);
      return key === undefined ? undefined : limits.runs.take(key);
    },
    runPace: (session) => (studentKey(session) === undefined ? undefined : { perSecond: cfg.STUDENT_RUN_RATE_PER_SECOND, limit: "STUDENT_RUN_RATE_PER_SECOND" }),
    teacher,
    dataDir,
    classroom,
    async close() {
      clearInterval(tick);
      loopDelay.disable();
      unsubscribe();
      sandboxes.onCreate = previousOnCreate;
      dashboards.close();
      studentFeeds.close();
      await cluster?.close();
      await store.close();
    },
  };
}
