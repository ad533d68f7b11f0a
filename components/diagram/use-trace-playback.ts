"use client";

import { useCallback, useEffect, useMemo, useReducer } from "react";
import {
  initialPlayback,
  nextReplayDelay,
  playbackReducer,
  playbackView,
  type PlaybackSpeed,
} from "@/lib/diagram";
import type { TraceEvent } from "@/lib/gen/lab/v1/trace_pb";

export interface TracePlayback {
  mode: "live" | "replay";
  /** Live: the view is frozen (new events buffered). Replay: the clock is stopped. */
  paused: boolean;
  speed: PlaybackSpeed;
  /** The replay is of an imported file, not of the live buffer. */
  imported: boolean;
  /** What the diagram should show now. */
  visibleEvents: readonly TraceEvent[];
  /** Live and paused: events received but not shown yet. */
  bufferedCount: number;
  /** Events shown / events in the current source. */
  position: number;
  total: number;
  /** Replay reached its end. */
  ended: boolean;
  pause(): void;
  resume(): void;
  togglePause(): void;
  /** Live: hide everything received so far. Replay: back to the start, paused. */
  clear(): void;
  stepForward(): void;
  stepBack(): void;
  /** Replay from the start: the given events (e.g. an import), or what is there now. */
  replay(events?: readonly TraceEvent[], options?: { imported?: boolean }): void;
  setSpeed(speed: PlaybackSpeed): void;
  /** Leave replay and follow the live events again. */
  goLive(): void;
}

/**
 * Live vs replay over a stream of trace events (see lib/diagram/playback.ts).
 * Replays follow the events' real time gaps at 0.25×–4×, each gap capped so a
 * long idle stretch does not stall; a timer wakes at most every 16 ms and
 * reveals everything due by then, so 10 000 events replay smoothly.
 */
export function useTracePlayback(events: readonly TraceEvent[]): TracePlayback {
  const [state, dispatch] = useReducer(playbackReducer, initialPlayback);
  const view = useMemo(() => playbackView(state, events), [state, events]);

  // The replay clock.
  useEffect(() => {
    const delay = nextReplayDelay(state);
    if (delay === null) return;
    const startedAt = performance.now();
    const startPos = state.replayPos;
    const due = state.replayTimeline[state.replayShown];
    const id = window.setTimeout(() => {
      const elapsed = performance.now() - startedAt;
      dispatch({ type: "advance", pos: Math.max(due, startPos + elapsed * state.speed) });
    }, Math.max(16, delay));
    return () => window.clearTimeout(id);
  }, [state]);

  const pause = useCallback(() => dispatch({ type: "pause", events }), [events]);
  const resume = useCallback(() => dispatch({ type: "resume" }), []);
  const clear = useCallback(() => dispatch({ type: "clear", events }), [events]);
  const stepForward = useCallback(() => dispatch({ type: "stepForward", events }), [events]);
  const stepBack = useCallback(() => dispatch({ type: "stepBack", events }), [events]);
  const setSpeed = useCallback((speed: PlaybackSpeed) => dispatch({ type: "setSpeed", speed }), []);
  const goLive = useCallback(() => dispatch({ type: "goLive" }), []);
  const replaySource = state.mode === "replay" ? state.replayEvents : null;
  const imported = state.imported;
  const replay = useCallback(
    (source?: readonly TraceEvent[], options?: { imported?: boolean }) => {
      if (source) dispatch({ type: "replay", events: source, imported: options?.imported });
      else if (replaySource) dispatch({ type: "replay", events: replaySource, imported });
      else dispatch({ type: "replay", events });
    },
    [events, replaySource, imported],
  );
  const paused = state.paused;
  const togglePause = useCallback(() => (paused ? resume() : pause()), [paused, pause, resume]);

  return {
    mode: state.mode,
    paused: state.paused,
    speed: state.speed,
    imported: state.imported,
    visibleEvents: view.visible,
    bufferedCount: view.buffered,
    position: view.position,
    total: view.total,
    ended: view.ended,
    pause,
    resume,
    togglePause,
    clear,
    stepForward,
    stepBack,
    replay,
    setSpeed,
    goLive,
  };
}
