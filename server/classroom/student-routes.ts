import type { IncomingMessage, ServerResponse } from "node:http";
import { joinRequestSchema, progressBodySchema, resumeRequestSchema } from "../../lib/classroom/contract";
import { sendJson } from "../http/json-response";
import { newSessionCookie, PUBLIC_SESSION, sessionCookie, sessionOf } from "../http/session";
import { ClassError, type StudentRecord } from "./classroom";
import type { ClassroomContext } from "./context";
import { readBody, sendTooMany } from "./http-util";
import { openSse } from "./sse";
import { studentState } from "./views";

/**
 * /rest/class/*: what a student's browser does — join with a code and a
 * name (a fresh session), resume with a resume code, leave, ask where it
 * stands, hold its live stream, report progress. The student is always
 * whoever's session sent the request.
 */
export async function handleStudent(ctx: ClassroomContext, req: IncomingMessage, res: ServerResponse, route: string): Promise<void> {
  const { classroom, presence, limits, studentFeeds } = ctx;
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
}
