import type { DashboardEvent, PresenceInfo } from "../../lib/classroom/contract";
import type { ClassChange, Classroom } from "./classroom";
import type { Presence } from "./presence";
import type { SseStream } from "./sse";
import { roomInfo, studentRow, studentState } from "./views";

/** Changed student rows are gathered this long and sent in one event. */
export const FEED_FLUSH_MS = 250;

interface Watcher {
  sse: SseStream;
  /** Origin of the teacher's page, for join URLs. */
  origin: string;
}

/**
 * The teachers' live dashboards: a snapshot when one opens, then only
 * what changed — a room, the rows of students whose progress or record
 * changed (gathered for FEED_FLUSH_MS), presence changes — so a class of
 * 200 reporting every 10 s costs a few small events a second, not a
 * snapshot each time.
 */
export class DashboardFeeds {
  private readonly byRoom = new Map<string, Set<Watcher>>();
  private readonly dirty = new Map<string, Set<string>>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly classroom: Classroom,
    private readonly presence: Presence,
  ) {}

  get watchers(): number {
    let n = 0;
    for (const set of this.byRoom.values()) n += set.size;
    return n;
  }

  watch(roomId: string, sse: SseStream, origin: string): void {
    const room = this.classroom.rooms.get(roomId);
    if (!room) return sse.end();
    const students = this.classroom.studentsIn(roomId);
    this.send({ sse, origin }, {
      type: "snapshot",
      room: roomInfo(room, this.classroom, this.presence, origin),
      students: students.map((s) => studentRow(s, this.classroom)),
      presence: students.map((s) => this.presence.get(s.id)),
      serverNowMs: Date.now(),
    });
    let set = this.byRoom.get(roomId);
    if (!set) this.byRoom.set(roomId, (set = new Set()));
    const w = { sse, origin };
    set.add(w);
    sse.onClose(() => {
      set.delete(w);
      if (set.size === 0) this.byRoom.delete(roomId);
    });
  }

  onChange(change: ClassChange): void {
    if (change.kind === "room") {
      const watchers = this.byRoom.get(change.room.id);
      for (const w of watchers ?? []) this.send(w, { type: "room", room: roomInfo(change.room, this.classroom, this.presence, w.origin) });
      return;
    }
    if (change.kind === "student") return this.markDirty(change.student.roomId, change.student.id);
    if (change.kind === "progress") {
      const student = this.classroom.students.get(change.progress.studentId);
      if (student) this.markDirty(student.roomId, student.id);
    }
  }

  onPresence(changed: readonly PresenceInfo[]): void {
    const byRoom = new Map<string, PresenceInfo[]>();
    for (const p of changed) {
      const roomId = this.classroom.students.get(p.id)?.roomId;
      if (!roomId || !this.byRoom.has(roomId)) continue;
      let list = byRoom.get(roomId);
      if (!list) byRoom.set(roomId, (list = []));
      list.push(p);
    }
    for (const [roomId, presence] of byRoom) for (const w of this.byRoom.get(roomId) ?? []) this.send(w, { type: "presence", presence });
  }

  close(): void {
    clearTimeout(this.timer);
    for (const set of this.byRoom.values()) for (const w of set) w.sse.end();
    this.byRoom.clear();
  }

  private markDirty(roomId: string, studentId: string): void {
    if (!this.byRoom.has(roomId)) return;
    let set = this.dirty.get(roomId);
    if (!set) this.dirty.set(roomId, (set = new Set()));
    set.add(studentId);
    this.timer ??= setTimeout(() => this.flush(), FEED_FLUSH_MS);
  }

  private flush(): void {
    this.timer = undefined;
    for (const [roomId, ids] of this.dirty) {
      const rows = [...ids].flatMap((id) => {
        const s = this.classroom.students.get(id);
        return s ? [studentRow(s, this.classroom)] : [];
      });
      for (const w of this.byRoom.get(roomId) ?? []) this.send(w, { type: "students", students: rows });
    }
    this.dirty.clear();
  }

  private send(w: Watcher, event: DashboardEvent): void {
    w.sse.send(event.type, event);
  }
}

/**
 * Each student's own stream (/rest/class/events): their room's state
 * (name, drill, the teacher's messages) whenever it changes, and `reset`
 * when the teacher reset their sandbox. An open stream counts as online.
 */
export class StudentFeeds {
  private readonly byStudent = new Map<string, Set<SseStream>>();

  constructor(
    private readonly classroom: Classroom,
    private readonly presence: Presence,
  ) {}

  watch(studentId: string, sse: SseStream): void {
    const student = this.classroom.students.get(studentId);
    const room = student && this.classroom.rooms.get(student.roomId);
    if (!student || !room) return sse.end();
    sse.send("state", studentState(student, room, this.classroom));
    let set = this.byStudent.get(studentId);
    if (!set) this.byStudent.set(studentId, (set = new Set()));
    set.add(sse);
    this.presence.streamOpened(studentId);
    sse.onClose(() => {
      this.presence.streamClosed(studentId);
      set.delete(sse);
      if (set.size === 0) this.byStudent.delete(studentId);
    });
  }

  onChange(change: ClassChange): void {
    if (change.kind === "room") {
      for (const s of this.classroom.studentsIn(change.room.id)) this.sendState(s.id);
    } else if (change.kind === "student") {
      if (change.student.leftAtMs) {
        // Left (from this or another browser): this stream is done.
        for (const sse of this.byStudent.get(change.student.id) ?? []) {
          sse.send("left", {});
          sse.end();
        }
      } else this.sendState(change.student.id);
    } else if (change.kind === "reset") {
      for (const sse of this.byStudent.get(change.reset.studentId) ?? []) sse.send("reset", { atMs: change.reset.atMs });
    }
  }

  close(): void {
    for (const set of this.byStudent.values()) for (const sse of set) sse.end();
    this.byStudent.clear();
  }

  private sendState(studentId: string): void {
    const set = this.byStudent.get(studentId);
    if (!set) return;
    const student = this.classroom.students.get(studentId)!;
    const room = this.classroom.rooms.get(student.roomId);
    if (!room) return;
    const state = studentState(student, room, this.classroom);
    for (const sse of set) sse.send("state", state);
  }
}
