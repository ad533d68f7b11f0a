/**
 * Live/replay playback as a pure reducer, so the React hook stays thin and
 * the behaviour is unit-tested.
 *
 * Live: the diagram follows `events` (a growing, possibly front-trimmed
 * array). Pausing freezes what is shown; events arriving meanwhile are
 * buffered (counted, not shown) until resume or step forward. Clear hides
 * everything received so far.
 *
 * Replay: a sorted copy of the events (or an imported trace) is revealed on a
 * clock that follows the events' real time gaps, each gap capped, at 0.25×–4×.
 */
import type { TraceEvent } from "../gen/lab/v1/trace_pb";

export const PLAYBACK_SPEEDS = [0.25, 0.5, 1, 2, 4] as const;
export type PlaybackSpeed = (typeof PLAYBACK_SPEEDS)[number];

/** Longest gap of trace time a replay waits for (ms, before speed). */
export const MAX_REPLAY_GAP_MS = 1000;
/** Longest real wait between two replay steps (ms, after speed). */
export const MAX_REPLAY_WAIT_MS = 2000;

export interface PlaybackState {
  mode: "live" | "replay";
  paused: boolean;
  speed: PlaybackSpeed;
  /** Live: events up to and including this one were cleared. */
  clearedAfter: TraceEvent | null;
  /** Live and paused: what is shown (frozen). */
  frozen: TraceEvent[] | null;
  /** Replay: the events being replayed, sorted by time, and their schedule. */
  replayEvents: TraceEvent[];
  replayTimeline: number[];
  /** Replay: how many are shown and the clock's position (ms on the capped timeline). */
  replayShown: number;
  replayPos: number;
  /** Replay of an imported file (not of the live buffer). */
  imported: boolean;
}

export const initialPlayback: PlaybackState = {
  mode: "live",
  paused: false,
  speed: 1,
  clearedAfter: null,
  frozen: null,
  replayEvents: [],
  replayTimeline: [],
  replayShown: 0,
  replayPos: 0,
  imported: false,
};

export type PlaybackAction =
  | { type: "pause"; events: readonly TraceEvent[] }
  | { type: "resume" }
  | { type: "clear"; events: readonly TraceEvent[] }
  | { type: "stepForward"; events: readonly TraceEvent[] }
  | { type: "stepBack"; events: readonly TraceEvent[] }
  | { type: "replay"; events: readonly TraceEvent[]; imported?: boolean }
  | { type: "advance"; pos: number }
  | { type: "setSpeed"; speed: PlaybackSpeed }
  | { type: "goLive" };

/** A stable sort by time (events of equal time keep their order). */
export function sortByTime(events: readonly TraceEvent[]): TraceEvent[] {
  return events
    .map((e, i) => [e, i] as const)
    .sort((a, b) => a[0].timeUnixMs - b[0].timeUnixMs || a[1] - b[1])
    .map(([e]) => e);
}

/** When each (sorted) event is due, in ms from the first, every gap capped at maxGapMs. */
export function replayTimeline(sorted: readonly TraceEvent[], maxGapMs = MAX_REPLAY_GAP_MS): number[] {
  const out = new Array<number>(sorted.length);
  let pos = 0;
  for (let i = 0; i < sorted.length; i++) {
    if (i > 0) pos += Math.min(maxGapMs, Math.max(0, sorted[i].timeUnixMs - sorted[i - 1].timeUnixMs));
    out[i] = pos;
  }
  return out;
}

/** How many events are due at clock position `pos`. */
export function dueCount(timeline: readonly number[], pos: number): number {
  let lo = 0;
  let hi = timeline.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (timeline[mid] <= pos + 1e-9) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Real ms to wait before the next event is due, or null when the replay is done. */
export function nextReplayDelay(state: PlaybackState): number | null {
  if (state.mode !== "replay" || state.paused || state.replayShown >= state.replayEvents.length) return null;
  const due = state.replayTimeline[state.replayShown];
  return Math.min(MAX_REPLAY_WAIT_MS, Math.max(0, (due - state.replayPos) / state.speed));
}

/** Live events after the last clear. */
export function liveBase(events: readonly TraceEvent[], clearedAfter: TraceEvent | null): readonly TraceEvent[] {
  if (!clearedAfter) return events;
  const i = events.lastIndexOf(clearedAfter);
  if (i >= 0) return events.slice(i + 1);
  // The marker was trimmed from the buffer: keep only what is newer than it.
  return events.filter((e) => e.timeUnixMs > clearedAfter.timeUnixMs);
}

/** Index in `base` just after the last frozen event (where stepping forward continues). */
function frozenEnd(base: readonly TraceEvent[], frozen: readonly TraceEvent[]): number {
  if (!frozen.length) return 0;
  const last = frozen[frozen.length - 1];
  const i = base.lastIndexOf(last);
  if (i >= 0) return i + 1;
  let j = 0;
  while (j < base.length && base[j].timeUnixMs <= last.timeUnixMs) j++;
  return j;
}

export interface PlaybackView {
  visible: readonly TraceEvent[];
  /** Live and paused: events received but not shown. */
  buffered: number;
  /** Events in the current source (live after clear, or the replay). */
  total: number;
  /** Events shown. */
  position: number;
  /** Replay finished. */
  ended: boolean;
}

export function playbackView(state: PlaybackState, events: readonly TraceEvent[]): PlaybackView {
  if (state.mode === "replay") {
    const total = state.replayEvents.length;
    return {
      visible: state.replayShown >= total ? state.replayEvents : state.replayEvents.slice(0, state.replayShown),
      buffered: 0,
      total,
      position: state.replayShown,
      ended: state.replayShown >= total,
    };
  }
  const base = liveBase(events, state.clearedAfter);
  if (state.frozen) {
    const end = frozenEnd(base, state.frozen);
    return { visible: state.frozen, buffered: Math.max(0, base.length - end), total: base.length, position: state.frozen.length, ended: false };
  }
  return { visible: base, buffered: 0, total: base.length, position: base.length, ended: false };
}

export function playbackReducer(state: PlaybackState, action: PlaybackAction): PlaybackState {
  switch (action.type) {
    case "pause": {
      if (state.paused) return state;
      if (state.mode === "replay") return { ...state, paused: true };
      return { ...state, paused: true, frozen: liveBase(action.events, state.clearedAfter).slice() };
    }
    case "resume": {
      if (!state.paused) return state;
      if (state.mode === "replay") {
        // Resuming a finished replay starts it over.
        if (state.replayShown >= state.replayEvents.length) return { ...state, paused: false, replayShown: 0, replayPos: 0 };
        return { ...state, paused: false };
      }
      return { ...state, paused: false, frozen: null };
    }
    case "clear": {
      if (state.mode === "replay") {
        return { ...state, paused: true, replayShown: 0, replayPos: 0 };
      }
      const last = action.events.length ? action.events[action.events.length - 1] : state.clearedAfter;
      return { ...state, clearedAfter: last, frozen: state.frozen ? [] : null };
    }
    case "stepForward": {
      if (state.mode === "replay") {
        const n = Math.min(state.replayEvents.length, state.replayShown + 1);
        return { ...state, paused: true, replayShown: n, replayPos: n ? state.replayTimeline[n - 1] : 0 };
      }
      const base = liveBase(action.events, state.clearedAfter);
      const frozen = state.frozen ?? base.slice();
      const end = frozenEnd(base, frozen);
      return { ...state, paused: true, frozen: end < base.length ? [...frozen, base[end]] : frozen };
    }
    case "stepBack": {
      if (state.mode === "replay") {
        const n = Math.max(0, state.replayShown - 1);
        return { ...state, paused: true, replayShown: n, replayPos: n ? state.replayTimeline[n - 1] : 0 };
      }
      const frozen = state.frozen ?? liveBase(action.events, state.clearedAfter).slice();
      return { ...state, paused: true, frozen: frozen.slice(0, Math.max(0, frozen.length - 1)) };
    }
    case "replay": {
      const sorted = sortByTime(action.events);
      return {
        ...state,
        mode: "replay",
        paused: false,
        frozen: null,
        replayEvents: sorted,
        replayTimeline: replayTimeline(sorted),
        replayShown: 0,
        replayPos: 0,
        imported: !!action.imported,
      };
    }
    case "advance": {
      if (state.mode !== "replay") return state;
      const pos = Math.max(state.replayPos, action.pos);
      const shown = Math.max(state.replayShown, dueCount(state.replayTimeline, pos));
      return { ...state, replayPos: pos, replayShown: shown, paused: shown >= state.replayEvents.length ? true : state.paused };
    }
    case "setSpeed":
      return state.speed === action.speed ? state : { ...state, speed: action.speed };
    case "goLive":
      return { ...initialPlayback, speed: state.speed, clearedAfter: state.clearedAfter };
    default:
      return state;
  }
}
