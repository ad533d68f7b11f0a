import { textLookup } from "../lessons/ui-text";
import type { L10n, Locale } from "../lessons/types";
import type { DashboardEvent, PresenceInfo, RoomInfo, StudentRow } from "./contract";

/**
 * The dashboard's state, folded from its live feed: a snapshot, then
 * upserts of rooms, students and presence. Immutable: every event gives a
 * new state, so React re-renders what changed.
 */
export interface DashboardState {
  room: RoomInfo;
  students: ReadonlyMap<string, StudentRow>;
  presence: ReadonlyMap<string, PresenceInfo>;
  /** Server clock minus this clock, so "2 min ago" and countdowns use the server's time. */
  clockOffsetMs: number;
}

export function applyDashboardEvent(state: DashboardState | undefined, event: DashboardEvent, nowMs = Date.now()): DashboardState | undefined {
  switch (event.type) {
    case "snapshot":
      return {
        room: event.room,
        students: new Map(event.students.map((s) => [s.id, s])),
        presence: new Map(event.presence.map((p) => [p.id, p])),
        clockOffsetMs: event.serverNowMs - nowMs,
      };
    case "room":
      return state && { ...state, room: event.room };
    case "students": {
      if (!state) return state;
      const students = new Map(state.students);
      for (const s of event.students) students.set(s.id, s);
      return { ...state, students };
    }
    case "presence": {
      if (!state) return state;
      const presence = new Map(state.presence);
      for (const p of event.presence) presence.set(p.id, p);
      return { ...state, presence };
    }
  }
}

/** Students in the order the roster shows them: online first, then by name. */
export function rosterOrder(state: DashboardState): StudentRow[] {
  const online = (id: string) => (state.presence.get(id)?.online ? 0 : 1);
  return [...state.students.values()].sort((a, b) => online(a.id) - online(b.id) || a.name.localeCompare(b.name) || a.joinedAtMs - b.joinedAtMs);
}

/** "now", "45 s ago", "3 min ago", "2 h ago" (or "—" for never); "刚刚", "3 分钟前" in Chinese. */
const AGO_TEXT = {
  now: { en: "now", "zh-CN": "刚刚" },
  seconds: { en: "{n} s ago", "zh-CN": "{n} 秒前" },
  minutes: { en: "{n} min ago", "zh-CN": "{n} 分钟前" },
  hours: { en: "{n} h ago", "zh-CN": "{n} 小时前" },
} as const satisfies Record<string, L10n>;

const agoWords = textLookup(AGO_TEXT);

export function agoText(ms: number, nowMs: number, locale: Locale = "en"): string {
  if (ms <= 0) return "—";
  const s = Math.max(0, Math.round((nowMs - ms) / 1000));
  if (s < 5) return agoWords("now", locale);
  if (s < 60) return agoWords("seconds", locale, { n: s });
  if (s < 3600) return agoWords("minutes", locale, { n: Math.floor(s / 60) });
  return agoWords("hours", locale, { n: Math.floor(s / 3600) });
}

/** "1:05" for 65 s left. */
export function countdownText(leftMs: number): string {
  const s = Math.max(0, Math.ceil(leftMs / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}
