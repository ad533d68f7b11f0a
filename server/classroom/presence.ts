import type { PresenceInfo } from "../../lib/classroom/contract";
import type { Sandboxes } from "../sandbox/sandbox";
import type { Classroom } from "./classroom";

/** A student counts as online this long after their last request (any call, trace stream or poll). */
export const ONLINE_WINDOW_MS = 45_000;
/** Another instance's presence report is trusted this long (it sends one at least every PRESENCE_HEARTBEAT_MS). */
export const REMOTE_PRESENCE_TTL_MS = 30_000;

/** What one instance knows of its students: id → [online 0/1, lastActivityMs]. */
export type PresenceDigest = Record<string, [0 | 1, number]>;

interface Local {
  streams: number;
  lastActivityMs: number;
  /** Calls and messages of the student's sandbox at the last look, to notice new activity. */
  signature: number;
}

/**
 * Who is online and when each student last did something, on this
 * instance and (cluster.ts) on the others.
 *
 * Here: a student is online while their page holds the classroom stream
 * (/rest/class/events) or their session made any request in the last
 * ONLINE_WINDOW_MS. Their last activity is the last time their sandbox
 * counted a call or an MQTT message, or they reported progress, joined or
 * resumed — noticed by a look at the sandbox's counters every tick, so the
 * hot path of a call pays nothing.
 */
export class Presence {
  private readonly local = new Map<string, Local>();
  private readonly remote = new Map<string, { atMs: number; students: PresenceDigest }>();
  private readonly shown = new Map<string, PresenceInfo>();

  constructor(
    private readonly classroom: Classroom,
    private readonly sandboxes: Sandboxes,
    private readonly now: () => number = Date.now,
  ) {}

  private entry(studentId: string): Local {
    let l = this.local.get(studentId);
    if (!l) this.local.set(studentId, (l = { streams: 0, lastActivityMs: 0, signature: -1 }));
    return l;
  }

  streamOpened(studentId: string): void {
    this.entry(studentId).streams++;
  }

  streamClosed(studentId: string): void {
    const l = this.entry(studentId);
    l.streams = Math.max(0, l.streams - 1);
  }

  noteActivity(studentId: string): void {
    this.entry(studentId).lastActivityMs = this.now();
  }

  /** Another instance's digest (an empty one when it went away). */
  applyRemote(instance: string, atMs: number, students: PresenceDigest | undefined): void {
    if (!students) this.remote.delete(instance);
    else this.remote.set(instance, { atMs, students });
  }

  /** What this instance knows first-hand, for the other instances. */
  localDigest(): PresenceDigest {
    const out: PresenceDigest = {};
    for (const [id, info] of this.localInfo()) if (info.online || info.lastActivityMs > 0) out[id] = [info.online ? 1 : 0, info.lastActivityMs];
    return out;
  }

  /** Presence of one student, as last computed by `tick`. */
  get(studentId: string): PresenceInfo {
    return this.shown.get(studentId) ?? { id: studentId, online: false, lastActivityMs: 0 };
  }

  /**
   * Looks at every student of an open room: their sandbox's counters,
   * streams and last request here, and the other instances' reports.
   * Returns the students whose presence changed since the last tick.
   */
  tick(): PresenceInfo[] {
    const now = this.now();
    const local = this.localInfo();
    const changed: PresenceInfo[] = [];
    for (const [id, mine] of local) {
      let online = mine.online;
      let last = mine.lastActivityMs;
      for (const r of this.remote.values()) {
        if (now - r.atMs > REMOTE_PRESENCE_TTL_MS) continue;
        const theirs = r.students[id];
        if (!theirs) continue;
        online ||= theirs[0] === 1;
        last = Math.max(last, theirs[1]);
      }
      const before = this.shown.get(id);
      if (!before || before.online !== online || before.lastActivityMs !== last) {
        const info = { id, online, lastActivityMs: last };
        this.shown.set(id, info);
        changed.push(info);
      }
    }
    return changed;
  }

  private localInfo(): Map<string, { online: boolean; lastActivityMs: number }> {
    const now = this.now();
    const out = new Map<string, { online: boolean; lastActivityMs: number }>();
    for (const student of this.classroom.students.values()) {
      const room = this.classroom.rooms.get(student.roomId);
      if (!room || room.closedAtMs) continue;
      const l = this.entry(student.id);
      const box = student.leftAtMs ? undefined : this.sandboxes.peek(student.session);
      if (box) {
        const c = box.counters;
        const signature = c.requestsReceived + c.messagesPublished + c.messagesDelivered;
        if (l.signature !== -1 && signature !== l.signature) l.lastActivityMs = now;
        l.signature = signature;
      }
      const online = !student.leftAtMs && (l.streams > 0 || (box !== undefined && now - box.lastSeenMs < ONLINE_WINDOW_MS));
      out.set(student.id, { online, lastActivityMs: l.lastActivityMs });
    }
    return out;
  }
}
