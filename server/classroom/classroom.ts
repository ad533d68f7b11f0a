import { randomBytes, randomInt } from "node:crypto";
import {
  CODE_ALPHABET,
  PROGRESS_LIMITS,
  RESUME_CODE_LENGTH,
  ROOM_CODE_LENGTH,
  ROOM_LIMITS,
  reportTimeError,
  stepKey,
  type DrillInfo,
  type ProgressEntry,
  type ProgressReport,
  type RoomMessage,
} from "../../lib/classroom/contract";
import { FAULT_PRESETS } from "../../lib/faults/catalog";
import type { DurableStore } from "./store";

/**
 * The classroom's state: rooms, the students in them and their progress,
 * kept in the durable store and in memory with the indexes the requests
 * need. Every mutation is written (and fsync'ed) before it resolves.
 *
 * Records are merged, not just overwritten, so that several lab instances
 * can replicate them in any order and agree (cluster.ts): rooms and
 * students are last-writer-wins by revision; progress merges
 * commutatively (passed once = passed; the latest result wins; counts take
 * the larger); resets by sequence number.
 */

/** A revision for last-writer-wins: time, then the writing instance to break ties. */
export interface Rev {
  atMs: number;
  origin: string;
}

export interface RoomRecord {
  id: string;
  code: string;
  name: string;
  createdAtMs: number;
  closedAtMs: number;
  drill: DrillInfo | null;
  messages: RoomMessage[];
  rev: Rev;
}

export interface StudentRecord {
  id: string;
  roomId: string;
  name: string;
  /** The lab session (sandbox, trace, topics) the student works in. */
  session: string;
  resumeCode: string;
  joinedAtMs: number;
  leftAtMs: number;
  rev: Rev;
}

export interface ProgressRecord extends ProgressEntry {
  studentId: string;
  /** The instance that took the latest report (it republishes the record). */
  origin: string;
}

/** The teacher asked for a student's sandbox to be reset; `seq` grows with each ask. */
export interface ResetRecord {
  studentId: string;
  seq: number;
  atMs: number;
  origin: string;
}

export type ClassChange =
  | { kind: "room"; room: RoomRecord; local: boolean }
  | { kind: "student"; student: StudentRecord; local: boolean }
  | { kind: "progress"; progress: ProgressRecord; local: boolean }
  | { kind: "reset"; reset: ResetRecord; local: boolean };

/** A refusal with its HTTP status and a code for the JSON body. */
export class ClassError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function randomCode(length: number): string {
  let s = "";
  for (let i = 0; i < length; i++) s += CODE_ALPHABET[randomInt(CODE_ALPHABET.length)];
  return s;
}

function randomId(): string {
  return randomBytes(8).toString("base64url").replace(/[-_]/g, "x").toLowerCase().slice(0, 10);
}

function newer(a: Rev, b: Rev): boolean {
  return a.atMs > b.atMs || (a.atMs === b.atMs && a.origin > b.origin);
}

/** The progress after one report from the student's own browser; `undefined` when it changes nothing (a repeat). */
export function applyReport(before: ProgressEntry | undefined, r: Pick<ProgressReport, "passed" | "atUnixMs">, lesson: string, step: number | string): ProgressEntry | undefined {
  if (before && before.lastAtMs === r.atUnixMs && before.lastPassed === r.passed) return undefined;
  const b = before ?? { lesson, step, passed: false, passedAtMs: 0, lastPassed: false, lastAtMs: 0, reports: 0 };
  const latest = r.atUnixMs >= b.lastAtMs;
  return {
    lesson,
    step,
    passed: b.passed || r.passed,
    passedAtMs: r.passed ? (b.passedAtMs > 0 ? Math.min(b.passedAtMs, r.atUnixMs) : r.atUnixMs) : b.passedAtMs,
    lastPassed: latest ? r.passed : b.lastPassed,
    lastAtMs: latest ? r.atUnixMs : b.lastAtMs,
    reports: b.reports + 1,
  };
}

/** Two copies of one step's progress merged (commutative, associative, idempotent). */
export function mergeProgress<P extends ProgressEntry>(a: P, b: P): P {
  const passedAt = [a.passedAtMs, b.passedAtMs].filter((t) => t > 0);
  const later = b.lastAtMs > a.lastAtMs ? b : a;
  return {
    ...later,
    passed: a.passed || b.passed,
    passedAtMs: passedAt.length ? Math.min(...passedAt) : 0,
    lastPassed: a.lastAtMs === b.lastAtMs ? a.lastPassed || b.lastPassed : later.lastPassed,
    reports: Math.max(a.reports, b.reports),
  };
}

function sameProgress(a: ProgressEntry, b: ProgressEntry): boolean {
  return a.passed === b.passed && a.passedAtMs === b.passedAtMs && a.lastPassed === b.lastPassed && a.lastAtMs === b.lastAtMs && a.reports === b.reports;
}

export interface ClassroomOptions {
  store: DurableStore;
  /** This lab instance, for revisions (stable across restarts). */
  origin: string;
  /** Most students one room takes (ROOM_MAX_STUDENTS). */
  maxStudentsPerRoom: number;
  now?: () => number;
}

export class Classroom {
  readonly rooms = new Map<string, RoomRecord>();
  readonly students = new Map<string, StudentRecord>();
  private readonly roomByCode = new Map<string, string>();
  private readonly studentBySession = new Map<string, string>();
  private readonly studentByResume = new Map<string, string>();
  private readonly studentsOfRoom = new Map<string, Set<string>>();
  private readonly progressOf = new Map<string, Map<string, ProgressRecord>>();
  readonly resets = new Map<string, ResetRecord>();
  private readonly listeners = new Set<(c: ClassChange) => void>();
  /** Store keys whose latest value a failed write left in memory only. */
  private readonly unsaved = new Set<string>();
  private readonly store: DurableStore;
  readonly origin: string;
  private readonly now: () => number;

  constructor(private readonly opts: ClassroomOptions) {
    this.store = opts.store;
    this.origin = opts.origin;
    this.now = opts.now ?? Date.now;
    for (const [key, value] of this.store.entries()) this.index(key, value);
  }

  /** Calls `fn` after every change, local or replicated; returns the unsubscribe. */
  onChange(fn: (c: ClassChange) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  // Reads.

  roomByCodeText(code: string): RoomRecord | undefined {
    const id = this.roomByCode.get(code);
    return id === undefined ? undefined : this.rooms.get(id);
  }

  studentOfSession(session: string): StudentRecord | undefined {
    const id = this.studentBySession.get(session);
    return id === undefined ? undefined : this.students.get(id);
  }

  studentsIn(roomId: string): StudentRecord[] {
    return [...(this.studentsOfRoom.get(roomId) ?? [])].map((id) => this.students.get(id)!);
  }

  progress(studentId: string): ProgressRecord[] {
    return [...(this.progressOf.get(studentId)?.values() ?? [])];
  }

  /** The drill a room runs now (none once it is past its end). */
  activeDrill(room: RoomRecord | undefined, nowMs = this.now()): DrillInfo | null {
    return room && room.closedAtMs === 0 && room.drill && room.drill.untilMs > nowMs ? room.drill : null;
  }

  // Teacher's changes.

  async createRoom(name: string): Promise<RoomRecord> {
    let code = randomCode(ROOM_CODE_LENGTH);
    while (this.roomByCode.has(code)) code = randomCode(ROOM_CODE_LENGTH);
    const now = this.now();
    const room: RoomRecord = { id: randomId(), code, name, createdAtMs: now, closedAtMs: 0, drill: null, messages: [], rev: this.rev() };
    await this.commitRoom(room);
    return room;
  }

  async closeRoom(id: string): Promise<RoomRecord> {
    const room = this.openRoom(id);
    return this.commitRoom({ ...room, closedAtMs: this.now(), drill: null, rev: this.rev(room.rev) });
  }

  async startDrill(id: string, presetId: string, minutes: number): Promise<RoomRecord> {
    const room = this.openRoom(id);
    const preset = FAULT_PRESETS.find((p) => p.id === presetId);
    if (!preset) throw new ClassError(400, "invalid_argument", `no fault preset ${JSON.stringify(presetId)}; presets: ${FAULT_PRESETS.map((p) => p.id).join(", ")}`);
    const now = this.now();
    const drill: DrillInfo = {
      id: randomId(),
      preset: preset.id,
      title: `${preset.title.en.replace(/\s*\(.*\)$/, "")} for ${minutes} min`,
      startedAtMs: now,
      untilMs: now + Math.round(minutes * 60_000),
    };
    return this.commitRoom({ ...room, drill, rev: this.rev(room.rev) });
  }

  async liftDrill(id: string): Promise<RoomRecord> {
    const room = this.mustRoom(id);
    return this.commitRoom({ ...room, drill: null, rev: this.rev(room.rev) });
  }

  async broadcast(id: string, text: string): Promise<RoomRecord> {
    const room = this.openRoom(id);
    const message: RoomMessage = { id: randomId(), text, atMs: this.now() };
    const messages = [...room.messages, message].slice(-ROOM_LIMITS.messagesKept);
    return this.commitRoom({ ...room, messages, rev: this.rev(room.rev) });
  }

  async requestReset(roomId: string, studentId: string): Promise<ResetRecord> {
    const student = this.students.get(studentId);
    if (!student || student.roomId !== roomId) throw new ClassError(404, "not_found", `no student ${studentId} in this room`);
    const before = this.resets.get(studentId);
    const reset: ResetRecord = { studentId, seq: (before?.seq ?? 0) + 1, atMs: this.now(), origin: this.origin };
    await this.commit([[`reset/${studentId}`, reset]]);
    this.resets.set(studentId, reset);
    this.emit({ kind: "reset", reset, local: true });
    return reset;
  }

  // Students' changes.

  /**
   * Joins the room with `code` as `name`, in a fresh session (`newSession`):
   * one session belongs to one room. Refuses a closed or full room, a name
   * already taken there, and a browser (`currentSession`) already in an
   * open room.
   */
  async join(code: string, name: string, currentSession: string | undefined, newSession: () => string): Promise<StudentRecord> {
    const room = this.roomByCodeText(code);
    if (!room) throw new ClassError(404, "not_found", `no room has the code ${code}: check it with your teacher`);
    if (room.closedAtMs) throw new ClassError(409, "room_closed", `room ${code} (${room.name}) was closed by the teacher`);
    const current = currentSession === undefined ? undefined : this.studentOfSession(currentSession);
    if (current && current.leftAtMs === 0 && this.rooms.get(current.roomId)?.closedAtMs === 0) {
      const there = this.rooms.get(current.roomId)!;
      throw new ClassError(409, "already_in_room", `this browser is already in room ${there.code} (${there.name}) as ${current.name}; leave it first`);
    }
    const members = this.studentsIn(room.id);
    const folded = name.toLocaleLowerCase();
    if (members.some((s) => s.name.toLocaleLowerCase() === folded)) {
      throw new ClassError(409, "name_taken", `someone in this room is already called ${name}: pick another name, or continue as ${name} with your resume code`);
    }
    if (members.length >= this.opts.maxStudentsPerRoom) {
      throw new ClassError(409, "room_full", `room ${code} is full: ${this.opts.maxStudentsPerRoom} students (ROOM_MAX_STUDENTS)`);
    }
    let resumeCode = randomCode(RESUME_CODE_LENGTH);
    while (this.studentByResume.has(resumeCode)) resumeCode = randomCode(RESUME_CODE_LENGTH);
    const student: StudentRecord = {
      id: randomId(),
      roomId: room.id,
      name,
      session: newSession(),
      resumeCode,
      joinedAtMs: this.now(),
      leftAtMs: 0,
      rev: this.rev(),
    };
    await this.commitStudent(student);
    return student;
  }

  /** Continues as the student with this resume code (from any browser); refuses a closed room. */
  async resume(resumeCode: string): Promise<StudentRecord> {
    const id = this.studentByResume.get(resumeCode);
    const student = id === undefined ? undefined : this.students.get(id);
    if (!student) throw new ClassError(404, "not_found", "no student has this resume code: check it, or ask your teacher for it");
    const room = this.rooms.get(student.roomId);
    if (!room || room.closedAtMs) throw new ClassError(409, "room_closed", `room ${room?.code ?? ""} was closed by the teacher`);
    if (student.leftAtMs === 0) return student;
    return this.commitStudent({ ...student, leftAtMs: 0, rev: this.rev(student.rev) });
  }

  /** The student of `session` leaves (this browser); they can come back with their resume code. */
  async leave(session: string): Promise<StudentRecord> {
    const student = this.studentOfSession(session);
    if (!student) throw new ClassError(409, "not_in_room", "this browser is not in a room");
    if (student.leftAtMs) return student;
    return this.commitStudent({ ...student, leftAtMs: this.now(), rev: this.rev(student.rev) });
  }

  /** The student of a session, checked to be in an open room (what a student's request needs). */
  member(session: string): { student: StudentRecord; room: RoomRecord } {
    const student = this.studentOfSession(session);
    if (!student || student.leftAtMs) throw new ClassError(409, "not_in_room", "this browser is not in a room: join with the room's code (or resume with your code) first");
    const room = this.rooms.get(student.roomId);
    if (!room || room.closedAtMs) throw new ClassError(409, "room_closed", `room ${room?.code ?? ""} was closed by the teacher`);
    return { student, room };
  }

  /**
   * Records a student's reports; resolves once they are on disk. A repeat
   * of a report already recorded changes nothing (the helper re-sends
   * until acknowledged). Returns how many changed something.
   */
  async report(session: string, reports: readonly ProgressReport[]): Promise<number> {
    const { student } = this.member(session);
    const now = this.now();
    for (const r of reports) {
      const why = reportTimeError(r.atUnixMs, now);
      if (why) throw new ClassError(400, "invalid_argument", why);
    }
    const mine = this.progressOf.get(student.id) ?? new Map<string, ProgressRecord>();
    const changed = new Map<string, ProgressRecord>();
    for (const r of reports) {
      const key = `${r.lesson}/${stepKey(r.step)}`;
      const before = changed.get(key) ?? mine.get(key);
      if (!before && mine.size + changed.size >= PROGRESS_LIMITS.stepsPerStudent) {
        throw new ClassError(400, "resource_exhausted", `a student has at most ${PROGRESS_LIMITS.stepsPerStudent} steps (PROGRESS_LIMITS.stepsPerStudent)`);
      }
      const after = applyReport(before, r, r.lesson, r.step);
      if (after) changed.set(key, { ...after, studentId: student.id, origin: this.origin });
    }
    if (changed.size === 0) {
      // A repeat: acknowledge it only once everything is on disk.
      if (this.unsaved.size > 0) await this.commit([]);
      return 0;
    }
    const records = [...changed.values()];
    // In memory first, so a report arriving meanwhile merges with this one.
    for (const p of records) this.setProgress(p);
    await this.commit(records.map((p) => [`progress/${p.studentId}/${p.lesson}/${stepKey(p.step)}`, p]));
    for (const p of records) this.emit({ kind: "progress", progress: p, local: true });
    return records.length;
  }

  // Replication (cluster.ts): a record from another instance.

  /** Merges a replicated record; true when it changed anything here (then it is stored and announced). */
  async applyRemote(key: string, value: unknown): Promise<boolean> {
    const kind = key.slice(0, key.indexOf("/"));
    const v = value as Record<string, unknown>;
    if (!v || typeof v !== "object") return false;
    if (kind === "room") {
      const room = value as RoomRecord;
      const mine = this.rooms.get(room.id);
      if (typeof room.id !== "string" || typeof room.code !== "string" || !room.rev || (mine && !newer(room.rev, mine.rev))) return false;
      await this.commitRoom(room, false);
      return true;
    }
    if (kind === "student") {
      const student = value as StudentRecord;
      const mine = this.students.get(student.id);
      if (typeof student.id !== "string" || typeof student.session !== "string" || !student.rev || (mine && !newer(student.rev, mine.rev))) return false;
      await this.commitStudent(student, false);
      return true;
    }
    if (kind === "progress") {
      const p = value as ProgressRecord;
      if (typeof p.studentId !== "string" || typeof p.lesson !== "string") return false;
      const k = `${p.lesson}/${stepKey(p.step)}`;
      const mine = this.progressOf.get(p.studentId)?.get(k);
      const merged = mine ? mergeProgress(mine, p) : p;
      if (mine && sameProgress(mine, merged)) return false;
      this.setProgress(merged);
      await this.commit([[`progress/${p.studentId}/${k}`, merged]]);
      this.emit({ kind: "progress", progress: merged, local: false });
      return true;
    }
    if (kind === "reset") {
      const r = value as ResetRecord;
      if (typeof r.studentId !== "string" || !((this.resets.get(r.studentId)?.seq ?? 0) < r.seq)) return false;
      this.resets.set(r.studentId, r);
      await this.commit([[`reset/${r.studentId}`, r]]);
      this.emit({ kind: "reset", reset: r, local: false });
      return true;
    }
    return false;
  }

  /** Every record this instance wrote last, as [key, value] (republished when the broker was away). */
  *ownRecords(): IterableIterator<[string, unknown]> {
    for (const [key, value] of this.store.entries()) {
      const v = value as { rev?: Rev; origin?: string };
      if ((v.rev?.origin ?? v.origin) === this.origin) yield [key, value];
    }
  }

  // Internals.

  private rev(after?: Rev): Rev {
    const now = this.now();
    return { atMs: after && after.atMs >= now ? after.atMs + 1 : now, origin: this.origin };
  }

  private mustRoom(id: string): RoomRecord {
    const room = this.rooms.get(id);
    if (!room) throw new ClassError(404, "not_found", `no room ${id}`);
    return room;
  }

  private openRoom(id: string): RoomRecord {
    const room = this.mustRoom(id);
    if (room.closedAtMs) throw new ClassError(409, "room_closed", `room ${room.code} is closed`);
    return room;
  }

  /**
   * Writes changes, with any that an earlier failed write left in memory
   * only (the store holds their latest value): whatever is acknowledged
   * after a failure includes what the failure had left unsaved.
   */
  private async commit(changes: Array<[string, unknown]>): Promise<void> {
    const batch = new Map<string, unknown>(changes);
    for (const k of this.unsaved) if (!batch.has(k)) batch.set(k, this.store.get(k));
    this.unsaved.clear();
    try {
      await this.store.put([...batch]);
    } catch (err) {
      for (const k of batch.keys()) this.unsaved.add(k);
      throw new ClassError(503, "unavailable", `the classroom store could not save this (${(err as Error).message}); try again`);
    }
  }

  private async commitRoom(room: RoomRecord, local = true): Promise<RoomRecord> {
    this.index(`room/${room.id}`, room);
    await this.commit([[`room/${room.id}`, room]]);
    this.emit({ kind: "room", room, local });
    return room;
  }

  private async commitStudent(student: StudentRecord, local = true): Promise<StudentRecord> {
    this.index(`student/${student.id}`, student);
    await this.commit([[`student/${student.id}`, student]]);
    this.emit({ kind: "student", student, local });
    return student;
  }

  private setProgress(p: ProgressRecord): void {
    let mine = this.progressOf.get(p.studentId);
    if (!mine) this.progressOf.set(p.studentId, (mine = new Map()));
    mine.set(`${p.lesson}/${stepKey(p.step)}`, p);
  }

  /** Puts a stored record into memory and the indexes. */
  private index(key: string, value: unknown): void {
    const kind = key.slice(0, key.indexOf("/"));
    if (kind === "room") {
      const room = value as RoomRecord;
      const before = this.rooms.get(room.id);
      if (before && before.code !== room.code) this.roomByCode.delete(before.code);
      this.rooms.set(room.id, room);
      this.roomByCode.set(room.code, room.id);
    } else if (kind === "student") {
      const s = value as StudentRecord;
      const before = this.students.get(s.id);
      if (before) {
        this.studentsOfRoom.get(before.roomId)?.delete(s.id);
        if (this.studentBySession.get(before.session) === s.id) this.studentBySession.delete(before.session);
        this.studentByResume.delete(before.resumeCode);
      }
      this.students.set(s.id, s);
      let members = this.studentsOfRoom.get(s.roomId);
      if (!members) this.studentsOfRoom.set(s.roomId, (members = new Set()));
      members.add(s.id);
      this.studentBySession.set(s.session, s.id);
      this.studentByResume.set(s.resumeCode, s.id);
    } else if (kind === "progress") {
      this.setProgress(value as ProgressRecord);
    } else if (kind === "reset") {
      const r = value as ResetRecord;
      this.resets.set(r.studentId, r);
    }
  }

  private emit(change: ClassChange): void {
    for (const fn of this.listeners) fn(change);
  }
}
