import type { IncomingMessage, ServerResponse } from "node:http";
import { z } from "zod";
import { broadcastSchema, createRoomSchema, drillRequestSchema, type RoomInfo } from "../../lib/classroom/contract";
import { progressCsv } from "../../lib/classroom/summary";
import { sendError, sendJson } from "../http/json-response";
import { ClassError } from "./classroom";
import type { ClassroomContext } from "./context";
import { readBody, requestOrigin, sendTooMany } from "./http-util";
import { openSse } from "./sse";
import { roomInfo, studentRow } from "./views";

const ROOM_PATH = /^\/rest\/teach\/rooms\/([a-z0-9]{1,20})(\/.*)?$/;
/** Sampling interval of the event-loop delay shown in /rest/teach/metrics. */
export const LOOP_RESOLUTION_MS = 5;

/** The p-th percentile of some numbers (nearest rank), rounded to 0.1; 0 for none. */
function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round(sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] * 10) / 10;
}

/** Every room, newest first. */
function roomsList(ctx: ClassroomContext, req: IncomingMessage): RoomInfo[] {
  const { cfg, classroom, presence } = ctx;
  const o = cfg.PUBLIC_URL ?? requestOrigin(req);
  return [...classroom.rooms.values()].sort((a, b) => b.createdAtMs - a.createdAtMs).map((r) => roomInfo(r, classroom, presence, o));
}

/** /rest/teach/*: login, rooms, the dashboard's feed, drills, messages, resets, CSV, metrics. */
export async function handleTeacher(ctx: ClassroomContext, req: IncomingMessage, res: ServerResponse, url: string): Promise<void> {
  const { cfg, classroom, presence, limits, auth, dashboards, store, loopDelay, dataDir, origin, sandboxes } = ctx;
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
      store: { keys: store.size, bytesWritten: store.bytesWritten, syncs: store.syncs, writeP99Ms: percentile(store.writeMs, 99), writeMaxMs: Math.max(0, ...store.writeMs), dir: dataDir },
    };
    if (new URL(url, "http://x").searchParams.get("reset") === "1") {
      loopDelay.reset();
      store.writeMs.length = 0;
    }
    return sendJson(res, 200, body);
  }
  if (pathname === "/rest/teach/rooms") {
    if (method === "GET") return sendJson(res, 200, { rooms: roomsList(ctx, req) });
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
}
