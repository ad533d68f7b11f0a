import type { RoomInfo, StudentRow, StudentState } from "../../lib/classroom/contract";
import type { Classroom, RoomRecord, StudentRecord } from "./classroom";
import type { Presence } from "./presence";

/**
 * What the pages see of the records: the teacher's room and student rows,
 * a student's own state. Session ids never leave the server in these (a
 * session id is a student's credential for their sandbox and topics).
 */

export function roomInfo(room: RoomRecord, classroom: Classroom, presence: Presence, origin: string): RoomInfo {
  const members = classroom.studentsIn(room.id);
  return {
    id: room.id,
    code: room.code,
    name: room.name,
    createdAtMs: room.createdAtMs,
    closedAtMs: room.closedAtMs,
    drill: classroom.activeDrill(room),
    messages: room.messages,
    joinUrl: `${origin}/join?code=${room.code}`,
    students: members.length,
    online: members.filter((s) => presence.get(s.id).online).length,
  };
}

export function studentRow(student: StudentRecord, classroom: Classroom): StudentRow {
  return {
    id: student.id,
    name: student.name,
    joinedAtMs: student.joinedAtMs,
    leftAtMs: student.leftAtMs,
    resumeCode: student.resumeCode,
    progress: classroom.progress(student.id).map(({ lesson, step, passed, passedAtMs, lastPassed, lastAtMs, reports }) => ({ lesson, step, passed, passedAtMs, lastPassed, lastAtMs, reports })),
  };
}

export function studentState(student: StudentRecord, room: RoomRecord, classroom: Classroom): StudentState {
  return {
    student: { id: student.id, name: student.name, resumeCode: student.resumeCode, joinedAtMs: student.joinedAtMs },
    room: { code: room.code, name: room.name, closed: room.closedAtMs > 0, drill: classroom.activeDrill(room), messages: room.messages.slice(-5) },
    serverNowMs: Date.now(),
  };
}
