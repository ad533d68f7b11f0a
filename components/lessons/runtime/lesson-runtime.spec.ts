import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { TraceStore } from "@/components/trace/trace-store";
import { TraceEventSchema, type TraceEvent } from "@/lib/gen/lab/v1/trace_pb";
import { LESSONS } from "@/lessons/registry.generated";
import { LessonRuntime } from "./lesson-runtime";

/** A server event (seq > 0) or, with seq 0, one the page's own client made. */
const event = (seq: number, t = seq): TraceEvent => create(TraceEventSchema, { seq: BigInt(seq), timeUnixMs: t, summary: `e${seq}` });

function runtime(historyThroughSeq = 0n) {
  const store = new TraceStore();
  store.setHistoryThrough(historyThroughSeq);
  const entry = LESSONS[0];
  return { rt: new LessonRuntime(entry, store), step: entry.lesson.steps[0].id, next: entry.lesson.steps[1].id };
}

describe("LessonRuntime's step windows", () => {
  it("count the events that arrived after the step opened", () => {
    const { rt, step } = runtime();
    const before = [event(1), event(2)];
    rt.observe(before);
    rt.openStep(step, undefined);
    const after = [...before, event(3), event(0, 3.5)];
    rt.observe(after);
    expect(rt.stepEvents(step, after).map((e) => e.summary)).toEqual(["e3", "e0"]);
  });

  it("never count the replay of what happened before the page loaded, however late it arrives", () => {
    // The page asked GetSession (trace_seq 7), opened the active step at once,
    // and only then did the stream's replay of seqs 1–7 arrive.
    const { rt, step } = runtime(7n);
    rt.openStep(step, undefined);
    const events = [event(5), event(6), event(7), event(8), event(0, 8.5)];
    rt.observe(events);
    expect(rt.stepEvents(step, events).map((e) => e.summary)).toEqual(["e8", "e0"]);
  });

  it("after a start over, a late replay does not pass the first step again", () => {
    const { rt, step } = runtime(2n);
    rt.startOver();
    rt.openStep(step, undefined);
    const replay = [event(1), event(2)];
    rt.observe(replay);
    expect(rt.stepEvents(step, replay)).toEqual([]);
  });

  it("close: later events stay out, and the same events come back as the same array", () => {
    const { rt, step, next } = runtime();
    rt.openStep(step, undefined);
    const first = [event(1), event(2)];
    rt.observe(first);
    rt.closeStep(step);
    rt.openStep(next, undefined);
    const more = [...first, event(3)];
    rt.observe(more);
    const shown = rt.stepEvents(step, first);
    expect(shown.map((e) => e.summary)).toEqual(["e1", "e2"]);
    expect(rt.stepEvents(step, more)).toBe(shown);
    expect(rt.stepEvents(next, more).map((e) => e.summary)).toEqual(["e3"]);
    // The buffer dropped the step's oldest event: a new array without it.
    const trimmed = more.slice(1);
    expect(rt.stepEvents(step, trimmed).map((e) => e.summary)).toEqual(["e2"]);
  });
});
