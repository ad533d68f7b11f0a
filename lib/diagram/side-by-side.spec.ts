import { describe, expect, it } from "vitest";
import { BASE_TIME, connectGetUser, mqttQos2, restGetUser } from "./fixtures";
import { arrowGeometry, boxesOverlap, labelBoxes } from "./geometry";
import { layoutSideBySide } from "./side-by-side";

describe("layoutSideBySide", () => {
  // The same GetUser over REST, Connect and MQTT, made at different times.
  const events = [
    ...restGetUser(BASE_TIME),
    ...connectGetUser(BASE_TIME + 5000),
    ...mqttQos2(BASE_TIME + 9000),
  ];
  const l = layoutSideBySide(events, ["rest-1", "connect-1", "qos2-1"]);

  it("makes one column per span tree, left to right, without overlap", () => {
    expect(l.columns.map((c) => c.rootSpanId)).toEqual(["rest-1", "connect-1", "qos2-1"]);
    expect(l.columns.map((c) => c.arrows.length)).toEqual([4, 2, 4]);
    expect(l.columns[0].lifelines.map((x) => x.name)).toEqual(["Browser", "Gateway", "UserService"]);
    for (let i = 1; i < l.columns.length; i++) {
      expect(l.columns[i].x).toBeGreaterThanOrEqual(l.columns[i - 1].x + l.columns[i - 1].width);
    }
    expect(l.width).toBeGreaterThanOrEqual(l.columns[2].x + l.columns[2].width);
  });

  it("starts every call at t = 0 on one shared axis", () => {
    const firsts = l.columns.map((c) => c.arrows[0]);
    expect(firsts.map((a) => a.t1)).toEqual([0, 0, 0]);
    expect(new Set(firsts.map((a) => a.y1)).size).toBe(1);
    expect(firsts[0].y1).toBe(l.headerHeight + l.rowGap);
  });

  it("fits the scale to the longest call, so millisecond calls are drawn close to linear", () => {
    const rest = l.columns[0].arrows;
    const pxPerMs = 440 / 3.2;
    expect(rest[3].y1 - rest[0].y1).toBeCloseTo(2.4 * pxPerMs, 1);
    expect(l.ticks.map((t) => t.label).slice(0, 3)).toEqual(["0 ms", "0.5 ms", "1 ms"]);
  });

  it("keeps each column's rows apart and its labels clear", () => {
    for (const c of l.columns) {
      for (let i = 1; i < c.arrows.length; i++) expect(c.arrows[i].y1 - c.arrows[i - 1].y1).toBeGreaterThanOrEqual(l.rowGap - 1e-9);
      const boxes = c.arrows.flatMap((a) => labelBoxes(arrowGeometry(a, { columnWidth: l.columnWidth, left: c.x, right: c.x + c.width })));
      for (const b of boxes) {
        expect(b.x).toBeGreaterThanOrEqual(c.x);
        expect(b.x + b.w).toBeLessThanOrEqual(c.x + c.width);
      }
      for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) expect(boxesOverlap(boxes[i], boxes[j])).toBe(false);
    }
  });

  it("labels each column with its latency and bytes", () => {
    expect(l.columns[0]).toMatchObject({ title: "REST · GET /rest/users/1", stats: "3.2 ms · 921 B" });
    expect(l.columns[1]).toMatchObject({ title: "Connect · GetUser", stats: "1.5 ms · 607 B" });
    expect(l.columns[2].title).toBe("MQTT · PUBLISH …/GetUser/c42");
    expect(l.columns[2].stats).toBe("1.5 ms · 74 B");
    expect(l.maxMs).toBeCloseTo(3.2);
    expect(l.ticks[0]).toMatchObject({ ms: 0 });
  });

  it("accepts custom titles and unknown roots", () => {
    const t = layoutSideBySide(events, ["rest-1", "nope"], { titles: ["A", "B"] });
    expect(t.columns.map((c) => c.title)).toEqual(["A", "B"]);
    expect(t.columns[1].arrows).toEqual([]);
  });
});
