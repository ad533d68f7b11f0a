import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import os from "node:os";
import path from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import type { Interceptor } from "@connectrpc/connect";
import { z } from "zod";
import {
  CLASS_RATE_LIMITS,
  broadcastSchema,
  createRoomSchema,
  drillRequestSchema,
  joinRequestSchema,
  progressBodySchema,
  resumeRequestSchema,
  type RoomInfo,
} from "../../lib/classroom/contract";
import { progressCsv } from "../../lib/classroom/summary";
import type { LabConfig } from "../config";
import { sendError, sendJson } from "../http/json-response";
import { newSessionCookie, PUBLIC_SESSION, sessionCookie, sessionOf } from "../http/session";
import { newSessionId, type Sandbox, type Sandboxes } from "../sandbox/sandbox";
import { kHop, type Hop } from "../services/hop-context";
import type { TraceHub } from "../trace/trace-hub";
import { ClassError, Classroom, type ClassChange, type StudentRecord } from "./classroom";
import { ClassroomCluster } from "./cluster";
import { syncDrill } from "./drills";
import { DashboardFeeds, StudentFeeds } from "./feeds";
import { readBody, requestOrigin, sendFailure, sendTooMany } from "./http-util";
import { Presence } from "./presence";
import { refusalError, TokenBuckets, type RateRefusal } from "./rate-limit";
import { openSse } from "./sse";
import { DurableStore } from "./store";
import { TeacherAuth, teacherToken } from "./teacher-auth";
import { roomInfo, studentRow, studentState } from "./views";

/** How often presence is recomputed and drills re-asserted. */
const TICK_MS = 1_000;
/** Sampling interval of the event-loop delay shown in /rest/teach/metrics. */
const LOOP_RESOLUTION_MS = 5;

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
   * not, so a student hammering the lab costs it little.
   */
  admit(hop: Hop): { traced: boolean } | undefined;
  /** Answers a refused REST call with 429 (true when it did). */
  refuseRest(hop: Hop, res: ServerResponse): boolean;
  /** Answers a refused Connect, gRPC-web or gRPC call with resource_exhausted. */
  readonly rpcInterceptor: Interceptor;
  /** The same limit for MQTT request/reply: the refusal's message, or undefined. */
  admitMqtt(session: string): string | undefined;
  /** Asked by the lab's load-run feature before a student's run starts. */
  admitRun(session: string): RateRefusal | undefined;
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
  writeFileSync(file, id + "\n");
  return id;
}

const ROOM_PATH = /^\/rest\/teach\/rooms\/([a-z0-9]{1,20})(\/.*)?$/;

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

  const limits = {
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
  const onChange = (c: ClassChange) => {
    if (c.kind === "room") for (const s of classroom.studentsIn(c.room.id)) syncStudent(s);
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
      for (const s of classroom.studentsIn(room.id)) syncStudent(s);
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
  const refusals = new WeakMap<Hop, RateRefusal>();
  /** When each student's last refusal was traced. */
  const tracedRefusal = new Map<string, number>();
  const admit = (hop: Hop): { traced: boolean } | undefined => {
    const refused = admitCall(hop.session);
    if (!refused) return undefined;
    refusals.set(hop, refused);
    const now = Date.now();
    const traced = now - (tracedRefusal.get(hop.session) ?? 0) >= 1_000;
    if (traced) {
      if (tracedRefusal.size > 10_000) tracedRefusal.clear();
      tracedRefusal.set(hop.session, now);
    }
    return { traced };
  };
  const rpcInterceptor: Interceptor = (next) => async (req) => {
    const hop = req.contextValues.get(kHop);
    const refused = hop && refusals.get(hop);
    if (refused) throw refusalError(refused);
    return next(req);
  };

  const studentRoutes = async (req: IncomingMessage, res: ServerResponse, route: string) => {
    const found = sessionOf(req);
    if (!found.ok) throw new ClassError(400, "invalid_argument", found.error);
    const session = found.source === "public" || found.session === PUBLIC_SESSION ? undefined : found.session;
    const method = req.method ?? "GET";
    if (route === "join" || route === "resume") {
      if (method !== "POST") throw new ClassError(405, "method_not_allowed", `use POST for /rest/class/${route}`);
      // A browser that has no session yet has nothing to key a limit on; failed attempts still count lab-wide.
      const joinRefused = session === undefined ? undefined : limits.joins.take(session);
      if (joinRefused) return sendTooMany(res, joinRefused);
      let student: StudentRecord;
      try {
        if (route === "join") {
          const body = await readBody(req, joinRequestSchema);
          const fresh = newSessionCookie();
          student = await classroom.join(body.code, body.name, session, () => fresh.session);
        } else {
          const body = await readBody(req, resumeRequestSchema);
          student = await classroom.resume(body.resumeCode);
        }
      } catch (err) {
        // Guessing codes costs: failed attempts draw on one lab-wide budget.
        if (err instanceof ClassError && err.status === 404) {
          const refused = limits.failedJoins.take("lab");
          if (refused) return sendTooMany(res, refused);
        }
        throw err;
      }
      presence.noteActivity(student.id);
      const room = classroom.rooms.get(student.roomId)!;
      res.setHeader("set-cookie", sessionCookie(student.session));
      return sendJson(res, 200, { ...studentState(student, room, classroom), session: student.session });
    }
    if (route === "leave") {
      if (method !== "POST") throw new ClassError(405, "method_not_allowed", "use POST for /rest/class/leave");
      if (!session) throw new ClassError(409, "not_in_room", "this browser is not in a room");
      await classroom.leave(session);
      // This browser starts afresh; the student's own session waits for their resume code.
      res.setHeader("set-cookie", newSessionCookie().setCookie);
      return sendJson(res, 200, { left: true });
    }
    if (route === "me") {
      const student = session === undefined ? undefined : classroom.studentOfSession(session);
      const room = student && !student.leftAtMs ? classroom.rooms.get(student.roomId) : undefined;
      // Not in a room is an answer, not an error: every page asks (the class banner).
      if (!student || !room) {
        res.writeHead(204, { "cache-control": "no-store" });
        return void res.end();
      }
      return sendJson(res, 200, studentState(student, room, classroom));
    }
    if (route === "events") {
      if (!session) throw new ClassError(404, "not_in_room", "this browser is not in a room");
      const { student } = classroom.member(session);
      return studentFeeds.watch(student.id, openSse(req, res));
    }
    if (route === "progress") {
      if (method !== "POST") throw new ClassError(405, "method_not_allowed", "use POST for /rest/class/progress");
      if (!session) throw new ClassError(409, "not_in_room", "this browser is not in a room: join with the room's code first");
      const { student } = classroom.member(session);
      const reports = await readBody(req, progressBodySchema);
      const refused = limits.progress.take(student.id, reports.length);
      if (refused) return sendTooMany(res, refused);
      const changed = await classroom.report(session, reports);
      presence.noteActivity(student.id);
      return sendJson(res, 200, { saved: reports.length, changed });
    }
    throw new ClassError(404, "not_found", `no classroom route /rest/class/${route}; see join, resume, leave, me, events, progress`);
  };

  const roomsList = (req: IncomingMessage): RoomInfo[] => {
    const o = cfg.PUBLIC_URL ?? requestOrigin(req);
    return [...classroom.rooms.values()].sort((a, b) => b.createdAtMs - a.createdAtMs).map((r) => roomInfo(r, classroom, presence, o));
  };

  const teacherRoutes = async (req: IncomingMessage, res: ServerResponse, url: string) => {
    const method = req.method ?? "GET";
    const pathname = url.split("?")[0];
    if (pathname === "/rest/teach/login") {
      if (method !== "POST") throw new ClassError(405, "method_not_allowed", "use POST for /rest/teach/login");
      const { token } = await readBody(req, z.object({ token: z.string().max(500) }));
      if (!auth.matches(token)) {
        const refused = limits.teacherLogins.take("lab");
        if (refused) return sendTooMany(res, refused);
        throw new ClassError(401, "unauthenticated", "that is not the teacher token (TEACHER_TOKEN, or the one printed when the lab started)");
      }
      res.setHeader("set-cookie", auth.loginCookie(requestOrigin(req).startsWith("https:")));
      return sendJson(res, 200, { ok: true });
    }
    if (pathname === "/rest/teach/logout") {
      res.setHeader("set-cookie", auth.logoutCookie());
      return sendJson(res, 200, { ok: true });
    }
    if (!auth.isTeacher(req)) {
      return sendError(res, 401, "unauthenticated", "teacher token required: log in at /teach, or send Authorization: Bearer <TEACHER_TOKEN>", {}, { "www-authenticate": 'Bearer realm="wirelab-teacher"' });
    }
    if (pathname === "/rest/teach/me") return sendJson(res, 200, { ok: true, instance: origin });
    if (pathname === "/rest/teach/metrics") {
      // The histogram holds whole timer intervals; the delay is what exceeds the interval.
      const ms = (ns: number) => Math.max(0, Math.round((ns / 1e6 - LOOP_RESOLUTION_MS) * 100) / 100);
      const body = {
        instance: origin,
        eventLoopDelayMs: { p50: ms(loopDelay.percentile(50)), p99: ms(loopDelay.percentile(99)), max: ms(loopDelay.max), samples: loopDelay.count },
        rssBytes: process.memoryUsage.rss(),
        sandboxes: sandboxes.size,
        students: classroom.students.size,
        dashboards: dashboards.watchers,
        store: { keys: store.size, bytesWritten: store.bytesWritten, syncs: store.syncs, dir: dataDir },
      };
      if (new URL(url, "http://x").searchParams.get("reset") === "1") loopDelay.reset();
      return sendJson(res, 200, body);
    }
    if (pathname === "/rest/teach/rooms") {
      if (method === "GET") return sendJson(res, 200, { rooms: roomsList(req) });
      if (method === "POST") {
        const { name } = await readBody(req, createRoomSchema);
        const room = await classroom.createRoom(name);
        return sendJson(res, 201, roomInfo(room, classroom, presence, cfg.PUBLIC_URL ?? requestOrigin(req)));
      }
      throw new ClassError(405, "method_not_allowed", "use GET or POST for /rest/teach/rooms");
    }
    const m = ROOM_PATH.exec(pathname);
    const room = m && classroom.rooms.get(m[1]);
    if (!m || !room) throw new ClassError(404, "not_found", `no teacher route ${pathname}`);
    const rest = m[2] ?? "";
    const o = cfg.PUBLIC_URL ?? requestOrigin(req);
    const info = () => roomInfo(classroom.rooms.get(room.id)!, classroom, presence, o);
    if (rest === "" && method === "GET") {
      const students = classroom.studentsIn(room.id);
      return sendJson(res, 200, { room: info(), students: students.map((s) => studentRow(s, classroom)), presence: students.map((s) => presence.get(s.id)) });
    }
    if (rest === "/events" && method === "GET") return dashboards.watch(room.id, openSse(req, res), o);
    if (rest === "/close" && method === "POST") {
      await classroom.closeRoom(room.id);
      return sendJson(res, 200, info());
    }
    if (rest === "/drill" && (method === "PUT" || method === "POST")) {
      const body = await readBody(req, drillRequestSchema);
      await classroom.startDrill(room.id, body.preset, body.minutes);
      return sendJson(res, 200, info());
    }
    if (rest === "/drill" && method === "DELETE") {
      await classroom.liftDrill(room.id);
      return sendJson(res, 200, info());
    }
    if (rest === "/messages" && method === "POST") {
      const { text } = await readBody(req, broadcastSchema);
      await classroom.broadcast(room.id, text);
      return sendJson(res, 200, info());
    }
    const reset = /^\/students\/([a-z0-9]{1,20})\/reset$/.exec(rest);
    if (reset && method === "POST") {
      const r = await classroom.requestReset(room.id, reset[1]);
      return sendJson(res, 200, { reset: true, seq: r.seq });
    }
    if (rest === "/progress.csv" && method === "GET") {
      const students = classroom.studentsIn(room.id);
      const csv = progressCsv(room.name, students.map((s) => studentRow(s, classroom)), new Map(students.map((s) => [s.id, presence.get(s.id)])));
      const file = `wirelab-${room.code}-${new Date().toISOString().slice(0, 10)}.csv`;
      res.writeHead(200, { "content-type": "text/csv; charset=utf-8", "content-disposition": `attachment; filename="${file}"`, "cache-control": "no-store" });
      return void res.end(csv);
    }
    throw new ClassError(404, "not_found", `no teacher route ${method} ${pathname}`);
  };

  return {
    handle(req, res) {
      const url = req.url ?? "/";
      const run = url.startsWith("/rest/teach/") ? teacherRoutes(req, res, url) : studentRoutes(req, res, url.split("?")[0].slice("/rest/class/".length));
      run.catch((err) => sendFailure(res, err));
    },
    admit,
    refuseRest(hop, res) {
      const refused = refusals.get(hop);
      if (!refused) return false;
      sendTooMany(res, refused);
      return true;
    },
    rpcInterceptor,
    admitMqtt: (session) => admitCall(session)?.message,
    admitRun(session) {
      const key = studentKey(session);
      return key === undefined ? undefined : limits.runs.take(key);
    },
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
