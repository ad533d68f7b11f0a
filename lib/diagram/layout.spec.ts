import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { EventKind, Mode, TraceEventSchema, type TraceEvent } from "../gen/lab/v1/trace_pb";
import {
  connectGetUser,
  deadLetter,
  demoTrace,
  listUsersStream,
  manyEvents,
  mqttConnect,
  mqttCreateOrder,
  mqttQos2,
  restGetUser,
  retryAfterError,
  timeoutError,
  BASE_TIME,
} from "./fixtures";
import { formatBytes, formatMs, formatOffset, httpStatusText, shortTopic, textWidth, truncateToWidth } from "./format";
import { arrowGeometry, boxesOverlap, inkBoxes, labelBoxes } from "./geometry";
import {
  arrowsInWindow,
  assignScaleRows,
  collectFacets,
  DEFAULTS,
  inWindow,
  layoutDiagram,
  niceStep,
  orderParticipants,
  rootSpans,
  spanTree,
  type DiagramLayout,
} from "./layout";

function ev(init: Partial<Omit<TraceEvent, "$typeName">> & { t: number }): TraceEvent {
  const { t, ...rest } = init;
  return create(TraceEventSchema, { timeUnixMs: BASE_TIME + t, ...rest });
}

const names = (l: DiagramLayout) => l.lifelines.map((x) => x.name);
const kinds = (l: DiagramLayout) => l.arrows.map((a) => a.kind);

describe("format", () => {
  it("formats durations, bytes and statuses for people", () => {
    expect(formatMs(0.423)).toBe("0.42 ms");
    expect(formatMs(3.2)).toBe("3.2 ms");
    expect(formatMs(3)).toBe("3 ms");
    expect(formatMs(120.4)).toBe("120 ms");
    expect(formatMs(1250)).toBe("1.25 s");
    expect(formatMs(125_000)).toBe("2 min 5 s");
    expect(formatMs(NaN)).toBe("–");
    expect(formatOffset(0.45)).toBe("0.45 ms");
    expect(formatOffset(40.94)).toBe("40.9 ms");
    expect(formatOffset(1000.8)).toBe("1.001 s");
    expect(formatOffset(125_300)).toBe("2 min 5.3 s");
    expect(formatBytes(412)).toBe("412 B");
    expect(formatBytes(20_480)).toBe("20.0 KiB");
    expect(httpStatusText(200)).toBe("200 OK");
    expect(httpStatusText(504)).toBe("504 Gateway Timeout");
    expect(httpStatusText(299)).toBe("299");
    expect(shortTopic("lab/s-1/events/order.created")).toBe("…/events/order.created");
    expect(shortTopic("a/b")).toBe("a/b");
  });

  it("truncates to a width with an ellipsis", () => {
    expect(truncateToWidth("short", 200, 13)).toBe("short");
    const cut = truncateToWidth("a".repeat(100), 100, 13);
    expect(cut.endsWith("…")).toBe(true);
    expect(textWidth(cut, 13)).toBeLessThanOrEqual(100);
    expect(truncateToWidth("abc", 2, 13)).toBe("");
  });

  it("niceStep picks 1-2-5 steps", () => {
    expect(niceStep(14)).toBe(20);
    expect(niceStep(0.3)).toBe(0.5);
    expect(niceStep(100)).toBe(100);
    expect(niceStep(101)).toBe(200);
  });
});

describe("layoutDiagram: pairing and arrows", () => {
  it("draws a REST GetUser through the gateway as call, call, reply, reply", () => {
    const l = layoutDiagram(restGetUser());
    expect(names(l)).toEqual(["Browser", "Gateway", "UserService"]);
    expect(kinds(l)).toEqual(["call", "call", "reply", "reply"]);
    const [req, inner, innerRes, res] = l.arrows;
    expect(req).toMatchObject({ from: "Browser", to: "Gateway", label: "GET /rest/users/1", mode: Mode.REST, t1: 0 });
    expect(req.events).toHaveLength(2);
    expect(req.t2).toBeCloseTo(0.45);
    expect(inner).toMatchObject({ from: "Gateway", to: "UserService", mode: Mode.GRPC, label: "GetUser", parentSpanId: "rest-1" });
    expect(innerRes).toMatchObject({ from: "UserService", to: "Gateway", status: "ok", latencyMs: 1.15 });
    expect(res).toMatchObject({ from: "Gateway", to: "Browser", status: "200 OK", latency: "3.2 ms", label: "200 OK" });
    expect(res.detail).toBe("REST · 3.2 ms · 209 B");
    expect(res.text).toContain("Gateway → Browser: 200 OK");
    expect(l.arrows.every((a) => a.marker === undefined)).toBe(true);
  });

  it("draws a one-sided observation (curl seen only by the server) at that single time", () => {
    const events = [
      ev({ t: 0, spanId: "c", from: "curl", to: "Gateway", kind: EventKind.REQUEST_RECEIVED, mode: Mode.REST, observer: "Gateway", summary: "GET /rest/users/1" }),
      ev({ t: 2, spanId: "c", from: "Gateway", to: "curl", kind: EventKind.RESPONSE_SENT, mode: Mode.REST, observer: "Gateway", http: { status: 200 } as never }),
    ];
    const l = layoutDiagram(events);
    expect(names(l)).toEqual(["curl", "Gateway"]);
    expect(l.arrows).toHaveLength(2);
    for (const a of l.arrows) {
      expect(a.events).toHaveLength(1);
      expect(a.y2).toBe(a.y1);
      expect(a.t2).toBe(a.t1);
    }
    expect(l.arrows[1]).toMatchObject({ kind: "reply", from: "Gateway", to: "curl", status: "200 OK" });
  });

  it("turns responses the right way round whichever way from/to were spelled", () => {
    // Hop spelling (from = caller, to = callee) on responses, and no request recorded.
    const hop = [
      ev({ t: 0, spanId: "h", from: "Browser", to: "UserService", kind: EventKind.RESPONSE_SENT, mode: Mode.CONNECT, observer: "UserService" }),
      ev({ t: 1, spanId: "h", from: "Browser", to: "UserService", kind: EventKind.RESPONSE_RECEIVED, mode: Mode.CONNECT, observer: "Browser" }),
    ];
    const a = layoutDiagram(hop).arrows;
    expect(a).toHaveLength(1);
    expect(a[0]).toMatchObject({ kind: "reply", from: "UserService", to: "Browser" });
    expect(a[0].events).toHaveLength(2);
    // Message spelling, with the request known: same arrow.
    const msg = connectGetUser();
    const b = layoutDiagram(msg).arrows;
    expect(b.map((x) => `${x.kind}:${x.from}>${x.to}`)).toEqual(["call:Browser>UserService", "reply:UserService>Browser"]);
  });

  it("keeps a reply's direction when its request is filtered away", () => {
    const hop = restGetUser().map((e) =>
      e.kind === EventKind.RESPONSE_SENT || e.kind === EventKind.RESPONSE_RECEIVED ? create(TraceEventSchema, { ...e, from: e.to, to: e.from, observer: "" }) : e,
    );
    const l = layoutDiagram(hop, { filter: { kinds: [EventKind.RESPONSE_SENT, EventKind.RESPONSE_RECEIVED] } });
    expect(l.arrows.map((x) => `${x.from}>${x.to}`)).toEqual(["UserService>Gateway", "Gateway>Browser"]);
  });

  it("draws the MQTT QoS 1 CreateOrder flow: publish, puback, deliveries and their pubacks", () => {
    const l = layoutDiagram(mqttCreateOrder());
    expect(names(l)).toEqual(["Browser", "Gateway", "OrderService", "Broker", "Inventory", "Notification"]);
    const mqtt = l.arrows.filter((a) => a.mode === Mode.MQTT);
    expect(mqtt.map((a) => `${a.kind}:${a.from}>${a.to}`)).toEqual([
      "async:OrderService>Broker",
      "ack:Broker>OrderService",
      "delivery:Broker>Inventory",
      "delivery:Broker>Notification",
      "ack:Inventory>Broker",
      "ack:Notification>Broker",
    ]);
    for (const a of mqtt) {
      expect(a.events).toHaveLength(1);
      expect(a.y2).toBe(a.y1);
    }
    expect(mqtt[0]).toMatchObject({ label: "PUBLISH …/events/order.created", annotation: "QoS 1 · #12" });
    expect(mqtt[1]).toMatchObject({ label: "PUBACK", annotation: "#12" });
    expect(mqtt[0].detail).toBe("MQTT · QoS 1 · #12 · 114 B");
    expect(mqtt[0].text).toContain("topic lab/s-demo/events/order.created");
    const notes = l.arrows.filter((a) => a.kind === "self");
    expect(notes.map((n) => `${n.from}:${n.label}`)).toEqual(["Inventory:stock SKU-42 100→99", "Notification:email queued for user 1"]);
    expect(notes[0].x1).toBe(notes[0].x2);
    const accepted = l.arrows.find((a) => a.kind === "reply" && a.to === "Browser");
    expect(accepted?.status).toBe("202 Accepted");
  });

  it("draws a QoS 2 exchange as four packets with DUP and packet ids annotated", () => {
    const l = layoutDiagram(mqttQos2());
    expect(l.arrows.map((a) => `${a.kind} ${a.label} ${a.annotation}`)).toEqual([
      "async PUBLISH …/GetUser/c42 QoS 2 · #5",
      "ack PUBREC #5",
      "ack PUBREL #5",
      "ack PUBCOMP #5",
    ]);
    const dup = layoutDiagram(deadLetter()).arrows.filter((a) => a.annotation?.includes("DUP"));
    expect(dup).toHaveLength(1);
    expect(dup[0].annotation).toBe("QoS 1 · DUP · #9");
  });

  it("labels MQTT control packets and their acks", () => {
    const l = layoutDiagram(mqttConnect());
    expect(l.arrows.map((a) => `${a.kind}:${a.label}:${a.status ?? ""}`)).toEqual([
      "control:TCP open :1883:",
      "control:CONNECT:",
      "ack:CONNACK:accepted",
      "control:SUBSCRIBE …/events/order.created:",
      "ack:SUBACK:granted QoS 1",
    ]);
  });

  it("pairs stream messages by index and groups them under their call", () => {
    const l = layoutDiagram(listUsersStream());
    const streams = l.arrows.filter((a) => a.kind === "stream");
    expect(streams).toHaveLength(3);
    streams.forEach((s, i) => {
      expect(s.events).toHaveLength(2);
      expect(s.stream).toEqual({ index: i, count: 3 });
      expect(s.from).toBe("UserService");
      expect(s.detail).toContain(`msg ${i + 1}/3`);
    });
    const call = l.arrows[0];
    expect(call.kind).toBe("call");
    expect(streams[0].y1).toBeGreaterThan(call.y1);
    expect(l.groups).toEqual([
      expect.objectContaining({ spanId: "stream-1", count: 3, first: streams[0].index, last: streams[2].index }),
    ]);
    const end = l.arrows[l.arrows.length - 1];
    expect(end).toMatchObject({ kind: "reply", label: "end of stream", status: "ok", latency: "402 ms" });
  });

  it("links a retry to the attempt it repeats and marks the reset and the fault", () => {
    const l = layoutDiagram(retryAfterError());
    const first = l.arrows.find((a) => a.spanId === "retry-1-a1" && a.kind === "call");
    const retry = l.arrows.find((a) => a.spanId === "retry-1-a2" && a.kind === "call");
    expect(first).toBeDefined();
    expect(retry?.retryOf).toBe(first?.id);
    expect(retry?.attempt).toBe(2);
    expect(retry?.detail).toContain("attempt 2");
    expect(retry?.text).toContain("retries GetUser (attempt 1)");
    const err = l.arrows.find((a) => a.events.some((e) => e.kind === EventKind.ERROR));
    expect(err).toMatchObject({ marker: "reset", from: "UserService", to: "Gateway", kind: "reply", label: "read ECONNRESET" });
    expect(err?.detail).toContain("✕ reset");
    const fault = l.arrows.find((a) => a.marker === "fault");
    expect(fault).toMatchObject({ kind: "self", from: "UserService", label: "reset: RST after request (rule reset-user)" });
    // Only the first arrow of the retry span carries the link.
    expect(l.arrows.filter((a) => a.retryOf)).toHaveLength(1);
  });

  it("marks a timeout on the failed hop and on the 504, and draws the late answer alone", () => {
    const l = layoutDiagram(timeoutError());
    const timeouts = l.arrows.filter((a) => a.marker === "timeout");
    expect(timeouts.map((a) => `${a.from}>${a.to}`)).toEqual(["UserService>Gateway", "Gateway>Browser"]);
    expect(timeouts[0].detail).toContain("⏱ timeout");
    expect(timeouts[0].status).toBe("deadline_exceeded");
    expect(timeouts[1].status).toBe("504 Gateway Timeout");
    const late = l.arrows[l.arrows.length - 1];
    expect(late).toMatchObject({ label: "ok (too late)", kind: "reply", marker: undefined });
    expect(late.events).toHaveLength(1);
    const delay = l.arrows.find((a) => a.marker === "fault");
    expect(delay?.label).toBe("delay: 1500 ms (rule slow-user)");
  });

  it("marks dead letters and consumer errors", () => {
    const l = layoutDiagram(deadLetter());
    const dlq = l.arrows.find((a) => a.marker === "dead-letter");
    expect(dlq).toMatchObject({ kind: "self", from: "Notification", label: "undecodable event → dlq/notification" });
    expect(dlq?.detail).toContain("☠ dead letter");
    expect(dlq?.text).toContain("error: cannot decode");
    // Shown as a note between lifelines, a DEAD_LETTER naming a peer is an arrow.
    const arrow = layoutDiagram([create(TraceEventSchema, { timeUnixMs: BASE_TIME, from: "Notification", to: "Broker", kind: EventKind.DEAD_LETTER, mode: Mode.MQTT, observer: "Notification" })]).arrows[0];
    expect(arrow).toMatchObject({ kind: "async", marker: "dead-letter", from: "Notification", to: "Broker" });
    const errs = l.arrows.filter((a) => a.marker === "error");
    expect(errs).toHaveLength(2);
    expect(errs.every((a) => a.kind === "self" && a.from === "Notification")).toBe(true);
  });

  it("gives every arrow a unique, stable id", () => {
    const l = layoutDiagram(demoTrace());
    const ids = l.arrows.map((a) => a.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(layoutDiagram(demoTrace()).arrows.map((a) => a.id)).toEqual(ids);
    l.arrows.forEach((a, i) => expect(a.index).toBe(i));
  });

  it("keys span-less events by seq or time, so their ids survive new events", () => {
    const lone = [
      ev({ t: 10, seq: BigInt(7), from: "curl", to: "Gateway", kind: EventKind.REQUEST_RECEIVED, mode: Mode.REST, observer: "Gateway" }),
      ev({ t: 11, from: "A", to: "Broker", kind: EventKind.MQTT_PACKET, mode: Mode.MQTT, observer: "Broker", mqtt: { packetType: "PINGREQ" } as never }),
    ];
    const a = layoutDiagram(lone).arrows.map((x) => x.id);
    const b = layoutDiagram([...restGetUser(), ...lone]).arrows.map((x) => x.id);
    expect(a).toEqual(["#7/req", "t1750000000011.000/pingreq/A>Broker"]);
    expect(b).toEqual(expect.arrayContaining(a));
  });

  it("is deterministic and independent of the input order of events", () => {
    const events = demoTrace();
    const a = layoutDiagram(events);
    const b = layoutDiagram([...events].reverse());
    const key = (l: DiagramLayout) => l.arrows.map((x) => `${x.id}@${x.y1.toFixed(3)}-${x.y2.toFixed(3)}`);
    expect(key(b)).toEqual(key(a));
    expect(names(b)).toEqual(names(a));
  });
});

describe("layoutDiagram: lifelines", () => {
  it("orders Browser and tools first, then the services in the lab's order, then others by appearance", () => {
    expect(orderParticipants(["Zeta", "Notification", "Broker", "curl", "Inventory", "Gateway", "Alpha", "OrderService", "UserService", "Browser"])).toEqual([
      "Browser",
      "curl",
      "Gateway",
      "UserService",
      "OrderService",
      "Broker",
      "Inventory",
      "Notification",
      "Zeta",
      "Alpha",
    ]);
    expect(names(layoutDiagram(demoTrace()))).toEqual(["Browser", "Gateway", "UserService", "OrderService", "Broker", "Inventory", "Notification"]);
    // The names the lab's server gives tools (lib/trace/participants.ts, server/mqtt/participants.ts).
    expect(orderParticipants(["Broker", "mosquitto_pub", "Gateway", "buf curl", "MQTT.js", "Node client", "grpcurl", "mosquitto"])).toEqual([
      "mosquitto_pub",
      "buf curl",
      "MQTT.js",
      "Node client",
      "grpcurl",
      "mosquitto",
      "Gateway",
      "Broker",
    ]);
  });

  it("fits columns to an available width, within bounds", () => {
    const events = restGetUser();
    expect(layoutDiagram(events, { fitWidth: 1000 }).columnWidth).toBe(Math.floor((1000 - DEFAULTS.gutter - 16) / 3));
    expect(layoutDiagram(events, { fitWidth: 400 }).columnWidth).toBe(170);
    expect(layoutDiagram(events, { fitWidth: 4000 }).columnWidth).toBe(300);
    expect(layoutDiagram(events, { fitWidth: 4000, columnWidth: 123 }).columnWidth).toBe(123);
    const l = layoutDiagram(events, { fitWidth: 1000 });
    expect(l.width).toBeLessThanOrEqual(1000);
  });

  it("honours an explicit order and spaces lifelines by columnWidth", () => {
    const l = layoutDiagram(restGetUser(), { lifelineOrder: ["UserService"], columnWidth: 150, gutter: 50 });
    expect(names(l)).toEqual(["UserService", "Browser", "Gateway"]);
    expect(l.lifelines.map((x) => x.x)).toEqual([125, 275, 425]);
    expect(l.width).toBe(50 + 3 * 150 + 16);
  });
});

describe("layoutDiagram: time axis", () => {
  it("scale: y follows time, with a minimum gap and cut idle gaps", () => {
    const events = [
      ev({ t: 0, spanId: "a", from: "A", to: "B", kind: EventKind.MQTT_PACKET, mode: Mode.MQTT, observer: "B" }),
      ev({ t: 20, spanId: "b", from: "A", to: "B", kind: EventKind.MQTT_PACKET, mode: Mode.MQTT, observer: "B" }),
      ev({ t: 20.5, spanId: "c", from: "A", to: "B", kind: EventKind.MQTT_PACKET, mode: Mode.MQTT, observer: "B" }),
      ev({ t: 5020.5, spanId: "d", from: "A", to: "B", kind: EventKind.MQTT_PACKET, mode: Mode.MQTT, observer: "B" }),
    ];
    const l = layoutDiagram(events, { pxPerMs: 4, minGap: 40, maxGapPx: 160 });
    const ys = l.arrows.map((a) => a.y1);
    const top = DEFAULTS.headerHeight + 40;
    expect(ys[0]).toBe(top);
    expect(ys[1]).toBe(top + 80); // 20 ms × 4 px
    expect(ys[2]).toBe(top + 120); // pushed: 0.5 ms would be 2 px
    expect(ys[3]).toBe(top + 120 + 160); // 5 s cut to maxGapPx
    expect(l.breaks).toEqual([{ y1: top + 120, y2: top + 280, ms: 5000, label: "5 s" }]);
    const z = layoutDiagram(events, { pxPerMs: 4, minGap: 40, maxGapPx: 160, zoom: 2 });
    expect(z.arrows[1].y1 - z.arrows[0].y1).toBe(160);
  });

  it("scale: slanted arrows end at their receive time, never above their start", () => {
    const l = layoutDiagram(demoTrace());
    for (const a of l.arrows) expect(a.y2).toBeGreaterThanOrEqual(a.y1);
    const stream = l.arrows.find((a) => a.kind === "stream")!;
    expect(stream.y2 - stream.y1).toBeCloseTo(0.5 * 4, 5);
    for (let i = 1; i < l.arrows.length; i++) expect(l.arrows[i].y1 - l.arrows[i - 1].y1).toBeGreaterThanOrEqual(40 - 1e-9);
  });

  it("scale: an arrow's slant is its own duration, not rows pushed down in between, and stays above what came later", () => {
    const l = layoutDiagram(mqttCreateOrder());
    const reply = l.arrows.find((a) => a.kind === "reply" && a.from === "OrderService")!;
    // Sent 2.10 ms, received 2.45 ms: two broker deliveries were drawn in between.
    expect(l.arrows.filter((a) => a.y1 > reply.y1 && a.t1 < reply.t2)).toHaveLength(2);
    expect(reply.y2 - reply.y1).toBeCloseTo(0.35 * 4, 2);
    const next = l.arrows.find((a) => a.from === "Gateway" && a.t1 > reply.t2)!;
    expect(reply.y2).toBeLessThan(next.y1);
  });

  it("scale: ticks are increasing, labelled, and at least 42 px apart", () => {
    const l = layoutDiagram(demoTrace());
    expect(l.ticks.length).toBeGreaterThan(3);
    expect(l.ticks[0]).toMatchObject({ ms: 0, label: "0 ms" });
    for (let i = 1; i < l.ticks.length; i++) {
      expect(l.ticks[i].y - l.ticks[i - 1].y).toBeGreaterThanOrEqual(42);
      expect(l.ticks[i].ms).toBeGreaterThan(l.ticks[i - 1].ms);
    }
  });

  it("assignScaleRows keeps a minimum gap per lane but shares the time axis", () => {
    const r = assignScaleRows([0, 0, 0.1, 10], [0, 1, 0, 1], { pxPerMs: 4, minGap: 40, maxGapPx: 160, top: 100 });
    // Lane 1's second slot is 10 ms later: it follows the shared axis (140 + 9.9 ms × 4 px).
    expect(r.ys.map((y) => Math.round(y * 10) / 10)).toEqual([100, 100, 140, 179.6]);
    expect(r.yAt(5)).toBeCloseTo(140 + 4 * 4.9);
  });

  it("compact: one row per arrow, horizontal arrows, no ticks", () => {
    const l = layoutDiagram(demoTrace(), { axis: "compact", rowHeight: 44 });
    l.arrows.forEach((a, i) => {
      expect(a.y1).toBe(DEFAULTS.headerHeight + DEFAULTS.minGap + 44 * i);
      expect(a.y2).toBe(a.y1);
    });
    expect(l.ticks).toEqual([]);
    expect(l.height).toBe(Math.ceil(l.arrows[l.arrows.length - 1].y1 + DEFAULTS.bottomPad));
  });

  it("compact rows never get closer than the minimum gap when zoomed out", () => {
    const l = layoutDiagram(restGetUser(), { axis: "compact", zoom: 0.1 });
    expect(l.arrows[1].y1 - l.arrows[0].y1).toBe(DEFAULTS.minGap);
  });
});

describe("layoutDiagram: filters", () => {
  const events = demoTrace();
  it("filters by mode", () => {
    const l = layoutDiagram(events, { filter: { modes: [Mode.MQTT] } });
    expect(l.arrows.length).toBeGreaterThan(0);
    expect(l.arrows.every((a) => a.mode === Mode.MQTT)).toBe(true);
    expect(l.eventCount).toBeLessThan(l.totalEventCount);
  });
  it("filters by participant (arrows touching it, their other ends as lifelines)", () => {
    const l = layoutDiagram(events, { filter: { participants: ["Inventory"] } });
    expect(l.arrows.every((a) => a.from === "Inventory" || a.to === "Inventory")).toBe(true);
    expect(names(l)).toEqual(["Broker", "Inventory"]);
  });
  it("filters by event kind and by arrow kind", () => {
    const l = layoutDiagram(events, { filter: { kinds: [EventKind.PROCESSED] } });
    expect(kinds(l).every((k) => k === "self")).toBe(true);
    const noAcks = layoutDiagram(events, { filter: { arrowKinds: ["call", "reply", "async", "delivery", "stream", "self"] } });
    expect(noAcks.arrows.some((a) => a.kind === "ack" || a.kind === "control")).toBe(false);
  });
  it("filters by span ids", () => {
    const l = layoutDiagram(events, { filter: { spanIds: spanTree(events, "order-1") } });
    expect(new Set(l.arrows.map((a) => a.spanId))).toEqual(new Set(["order-1", "order-1-g", "order-1-pub", "order-1-inv", "order-1-notif"]));
  });
  it("an empty layout is well formed", () => {
    const l = layoutDiagram([]);
    expect(l.arrows).toEqual([]);
    expect(l.lifelines).toEqual([]);
    expect(l.height).toBeGreaterThan(0);
    expect(arrowsInWindow(l, 0, 1000)).toEqual([]);
  });
});

describe("labels never overlap and never leave the drawing", () => {
  for (const axis of ["scale", "compact"] as const) {
    it(`${axis}: demo trace`, () => {
      const l = layoutDiagram(demoTrace(), { axis });
      const geoms = l.arrows.map((a) => arrowGeometry(a, { columnWidth: l.columnWidth, left: l.gutter, right: l.width }));
      const boxes = geoms.map(labelBoxes);
      const ink = geoms.map((g) => (g.self ? [] : inkBoxes(g)));
      // No text covers any arrowhead or marker badge (its own or another row's).
      for (let i = 0; i < boxes.length; i++) {
        for (const t of boxes[i]) {
          for (let j = 0; j < boxes.length; j++) {
            for (const b of ink[j]) expect(boxesOverlap(t, b), `${l.arrows[i].id} text vs ${l.arrows[j].id} ink`).toBe(false);
          }
        }
      }
      for (let i = 0; i < boxes.length; i++) {
        for (const b of boxes[i]) {
          expect(b.x).toBeGreaterThanOrEqual(l.gutter);
          expect(b.x + b.w).toBeLessThanOrEqual(l.width);
          expect(b.y).toBeGreaterThanOrEqual(l.headerHeight);
          expect(b.y + b.h).toBeLessThanOrEqual(l.height);
        }
        // Within an arrow, the label and the detail do not overlap either.
        if (boxes[i].length === 2) expect(boxesOverlap(boxes[i][0], boxes[i][1])).toBe(false);
        for (let j = i + 1; j < boxes.length; j++) {
          for (const a of boxes[i]) for (const b of boxes[j]) expect(boxesOverlap(a, b), `${l.arrows[i].id} vs ${l.arrows[j].id}`).toBe(false);
        }
      }
    });
  }

  it("cuts long labels to the space between the lifelines, with an ellipsis", () => {
    const events = [
      ev({ t: 0, spanId: "x", from: "Browser", to: "Gateway", kind: EventKind.REQUEST_SENT, mode: Mode.REST, observer: "Browser", summary: `GET /rest/users?${"q=very-long-query&".repeat(10)}` }),
    ];
    const l = layoutDiagram(events);
    const g = arrowGeometry(l.arrows[0], { columnWidth: l.columnWidth, left: l.gutter, right: l.width });
    expect(g.label.truncated).toBe(true);
    expect(g.label.text.endsWith("…")).toBe(true);
    // A row holds one arrow, so its label may use up to two columns, inside the drawing.
    expect(g.label.width).toBeLessThanOrEqual(2 * l.columnWidth - 24);
    expect(g.label.x - g.label.width / 2).toBeGreaterThanOrEqual(l.gutter);
    expect(g.label.x + g.label.width / 2).toBeLessThanOrEqual(l.width);
    expect(l.arrows[0].text).toContain("very-long-query&q=very-long-query&q=very-long-query");
  });

  it("draws a filled head for calls, an open head for MQTT, and stops the head at a marker", () => {
    const l = layoutDiagram(demoTrace());
    const call = arrowGeometry(l.arrows.find((a) => a.kind === "call")!, l.columnWidth);
    const pub = arrowGeometry(l.arrows.find((a) => a.kind === "async")!, l.columnWidth);
    const reply = arrowGeometry(l.arrows.find((a) => a.kind === "reply")!, l.columnWidth);
    expect(call.head?.open).toBe(false);
    expect(call.style.dash).toBeUndefined();
    expect(pub.head?.open).toBe(true);
    expect(reply.style.dash).toBeDefined();
    const failed = l.arrows.find((a) => a.marker === "timeout" && a.kind !== "self")!;
    const g = arrowGeometry(failed, l.columnWidth);
    expect(g.markerAt).toEqual({ x: failed.x2, y: failed.y2 });
    const tipX = Number(g.head!.points.split(" ")[1].split(",")[0]);
    expect(Math.abs(tipX - failed.x2)).toBeGreaterThanOrEqual(g.markerRadius);
  });
});

describe("scale: 10 000 events", () => {
  it("lays out in well under a second and windows in O(visible)", () => {
    const events = manyEvents(10_000);
    const start = performance.now();
    const l = layoutDiagram(events);
    const took = performance.now() - start;
    expect(took).toBeLessThan(1500);
    expect(l.arrows.length).toBeGreaterThan(4000);
    const mid = l.arrows[Math.floor(l.arrows.length / 2)].y1;
    const win = arrowsInWindow(l, mid, mid + 800, 100);
    expect(win.length).toBeGreaterThan(5);
    expect(win.length).toBeLessThan(60);
    // Same answer as a brute-force scan.
    const brute = l.arrows.filter((a) => a.y2 + l.rowGap >= mid - 100 && a.y1 - l.rowGap <= mid + 900);
    expect(win.map((a) => a.id)).toEqual(brute.map((a) => a.id));
    const ticks = inWindow(l.ticks, mid, mid + 800);
    expect(ticks.every((t) => t.y >= mid && t.y <= mid + 800)).toBe(true);
  });
});

describe("facets, span trees and root spans", () => {
  const events = demoTrace();
  it("collects the modes, participants and kinds present", () => {
    const f = collectFacets(events);
    expect(f.modes).toEqual([Mode.REST, Mode.CONNECT, Mode.GRPC, Mode.MQTT, Mode.LOCAL]);
    expect(f.participants.slice(0, 3)).toEqual(["Browser", "Gateway", "UserService"]);
    expect(f.kinds).toContain(EventKind.MQTT_PACKET);
  });
  it("finds a span tree through parent_span_id", () => {
    expect(spanTree(events, "rest-1")).toEqual(new Set(["rest-1", "rest-1-g"]));
    expect(spanTree(events, "order-1").size).toBe(5);
  });
  it("summarises root spans with latency and bytes", () => {
    const roots = rootSpans(events);
    const rest = roots.find((r) => r.spanId === "rest-1")!;
    expect(rest).toMatchObject({ mode: Mode.REST, label: "GET /rest/users/1", responseMs: 3.2 });
    expect(rest.totalMs).toBeCloseTo(3.2);
    expect(rest.bytes).toBe(412 + 193 + 107 + 209);
    const order = roots.find((r) => r.spanId === "order-1")!;
    expect(order.responseMs).toBe(3.5);
    expect(order.totalMs).toBeCloseTo(4.1);
    expect(roots.map((r) => r.spanId)).not.toContain("order-1-g");
  });
});
