import { describe, expect, it } from "vitest";
import { demoTrace, restGetUser, timeoutError, BASE_TIME } from "./fixtures";
import {
  dueCount,
  initialPlayback,
  MAX_REPLAY_GAP_MS,
  MAX_REPLAY_WAIT_MS,
  nextReplayDelay,
  playbackReducer as reduce,
  playbackView as view,
  replayTimeline,
  sortByTime,
  type PlaybackState,
} from "./playback";

describe("live playback", () => {
  const all = restGetUser(); // 8 events
  const first = all.slice(0, 5);

  it("follows the events while live", () => {
    expect(view(initialPlayback, first).visible).toEqual(first);
    expect(view(initialPlayback, all).visible).toEqual(all);
  });

  it("buffers new events while paused and shows them on resume", () => {
    const paused = reduce(initialPlayback, { type: "pause", events: first });
    expect(paused.paused).toBe(true);
    const v = view(paused, all);
    expect(v.visible).toEqual(first);
    expect(v.buffered).toBe(3);
    const resumed = reduce(paused, { type: "resume" });
    expect(view(resumed, all)).toMatchObject({ visible: all, buffered: 0 });
  });

  it("steps forward through buffered events and back", () => {
    let s = reduce(initialPlayback, { type: "pause", events: first });
    s = reduce(s, { type: "stepForward", events: all });
    expect(view(s, all).visible).toEqual(all.slice(0, 6));
    expect(view(s, all).buffered).toBe(2);
    s = reduce(s, { type: "stepBack", events: all });
    s = reduce(s, { type: "stepBack", events: all });
    expect(view(s, all).visible).toEqual(all.slice(0, 4));
    // Stepping from live pauses first.
    const fromLive = reduce(initialPlayback, { type: "stepBack", events: all });
    expect(fromLive.paused).toBe(true);
    expect(view(fromLive, all).visible).toEqual(all.slice(0, 7));
    // Stepping past the end stays at the end.
    let end = reduce(initialPlayback, { type: "pause", events: all });
    end = reduce(end, { type: "stepForward", events: all });
    expect(view(end, all).visible).toEqual(all);
  });

  it("clear hides what was received; later events show", () => {
    const s = reduce(initialPlayback, { type: "clear", events: first });
    expect(view(s, first).visible).toEqual([]);
    expect(view(s, all).visible).toEqual(all.slice(5));
    // The buffer trimmed the clear marker away: only newer events show.
    expect(view(s, all.slice(6)).visible).toEqual(all.slice(6));
  });

  it("keeps the frozen view when the buffer drops old events", () => {
    const paused = reduce(initialPlayback, { type: "pause", events: first });
    const trimmed = all.slice(2); // two oldest dropped by the bounded buffer
    expect(view(paused, trimmed)).toMatchObject({ visible: first, buffered: 3 });
  });
});

describe("replay", () => {
  it("schedules events by their real gaps, each capped", () => {
    const sorted = sortByTime(timeoutError());
    const tl = replayTimeline(sorted);
    expect(tl[0]).toBe(0);
    for (let i = 1; i < tl.length; i++) {
      const gap = tl[i] - tl[i - 1];
      expect(gap).toBeLessThanOrEqual(MAX_REPLAY_GAP_MS);
      expect(gap).toBeCloseTo(Math.min(MAX_REPLAY_GAP_MS, sorted[i].timeUnixMs - sorted[i - 1].timeUnixMs), 6);
    }
    expect(dueCount(tl, -1)).toBe(0);
    expect(dueCount(tl, 0)).toBe(1);
    expect(dueCount(tl, 1e9)).toBe(tl.length);
  });

  it("reveals events as the clock advances, at the chosen speed", () => {
    const events = restGetUser();
    let s: PlaybackState = reduce(initialPlayback, { type: "replay", events: [...events].reverse() });
    expect(s.mode).toBe("replay");
    expect(s.replayEvents).toEqual(events); // sorted by time
    expect(view(s, []).visible).toEqual([]);
    expect(nextReplayDelay(s)).toBe(0);
    s = reduce(s, { type: "advance", pos: 0 });
    expect(view(s, []).position).toBe(1);
    expect(nextReplayDelay(s)).toBeCloseTo(0.45);
    s = reduce(s, { type: "setSpeed", speed: 0.25 });
    expect(nextReplayDelay(s)).toBeCloseTo(1.8);
    s = reduce(s, { type: "advance", pos: 2.1 });
    expect(view(s, []).position).toBe(6);
    s = reduce(s, { type: "advance", pos: 100 });
    expect(view(s, [])).toMatchObject({ position: 8, ended: true });
    expect(s.paused).toBe(true);
    expect(nextReplayDelay(s)).toBeNull();
    // Resume after the end starts over.
    s = reduce(s, { type: "resume" });
    expect(view(s, []).position).toBe(0);
  });

  it("never waits longer than the real-time cap, even at 0.25×", () => {
    const events = [restGetUser(BASE_TIME)[0], restGetUser(BASE_TIME + 60_000)[0]];
    let s = reduce(initialPlayback, { type: "replay", events });
    s = reduce(s, { type: "advance", pos: 0 });
    s = reduce(s, { type: "setSpeed", speed: 0.25 });
    expect(nextReplayDelay(s)).toBe(MAX_REPLAY_WAIT_MS);
  });

  it("pauses, steps and clears within the replay", () => {
    let s = reduce(initialPlayback, { type: "replay", events: demoTrace() });
    s = reduce(s, { type: "stepForward", events: [] });
    s = reduce(s, { type: "stepForward", events: [] });
    expect(s.paused).toBe(true);
    expect(view(s, []).position).toBe(2);
    expect(nextReplayDelay(s)).toBeNull();
    s = reduce(s, { type: "stepBack", events: [] });
    expect(view(s, []).position).toBe(1);
    s = reduce(s, { type: "clear", events: [] });
    expect(view(s, []).position).toBe(0);
    s = reduce(s, { type: "goLive" });
    expect(s.mode).toBe("live");
    const live = restGetUser();
    expect(view(s, live).visible).toEqual(live);
  });

  it("marks an imported replay", () => {
    const s = reduce(initialPlayback, { type: "replay", events: restGetUser(), imported: true });
    expect(s.imported).toBe(true);
  });
});
