import { create, equals } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { EventKind, Mode, TraceEventSchema } from "../gen/lab/v1/trace_pb";
import { BASE_TIME, demoTrace, mqttCreateOrder, restGetUser, timeoutError } from "./fixtures";
import { exportTrace, importTrace, mermaidText, toMermaid, TRACE_FORMAT } from "./export";
import { layoutDiagram } from "./layout";

/**
 * A line-level check against the Mermaid sequence grammar
 * (packages/mermaid/src/diagrams/sequence/parser/sequenceDiagram.jison):
 * message and note text stops at "#", ";" and newlines, so only entity codes
 * may contain them.
 */
function assertMermaidLines(text: string) {
  const lines = text.trimEnd().split("\n");
  expect(lines[0]).toBe("sequenceDiagram");
  const ids = new Set<string>();
  for (const line of lines.slice(1)) {
    const p = /^ {2}participant ([A-Za-z][A-Za-z0-9_]*)( as (.+))?$/.exec(line);
    if (p) {
      ids.add(p[1]);
      if (p[3]) expect(p[3].replace(/#\w+;/g, "")).not.toMatch(/[#;\n]/);
      continue;
    }
    if (/^ {2}title [^#\n;]+$/.test(line)) continue;
    const m = /^ {2}(?:Note over ([A-Za-z0-9_]+)|([A-Za-z0-9_]+)(->>|-->>|-\)|--\)|-x|--x)([A-Za-z0-9_]+)): (.+)$/.exec(line);
    expect(m, line).not.toBeNull();
    const [, note, from, , to, msg] = m!;
    for (const id of [note, from, to].filter(Boolean)) expect(ids.has(id), `${id} declared`).toBe(true);
    expect(msg.replace(/#\w+;/g, "")).not.toMatch(/[#;%<>]/);
    expect(msg.trim().length).toBeGreaterThan(0);
  }
}

describe("toMermaid", () => {
  it("writes a REST GetUser as calls and dashed replies", () => {
    const text = toMermaid(layoutDiagram(restGetUser()));
    expect(text).toBe(
      [
        "sequenceDiagram",
        "  participant Browser",
        "  participant Gateway",
        "  participant UserService",
        "  Browser->>Gateway: GET /rest/users/1 · REST · 412 B",
        "  Gateway->>UserService: GetUser · gRPC · 193 B",
        "  UserService-->>Gateway: ok · gRPC · 1.1 ms · 107 B",
        "  Gateway-->>Browser: 200 OK · REST · 3.2 ms · 209 B",
        "",
      ].join("\n"),
    );
  });

  it("uses -) for MQTT publishes, --) for acks and notes for processing", () => {
    const text = toMermaid(layoutDiagram(mqttCreateOrder()), { details: false });
    expect(text).toContain("  OrderService-)Broker: PUBLISH …/events/order.created\n");
    expect(text).toContain("  Broker--)OrderService: PUBACK\n");
    expect(text).toContain("  Broker-)Inventory: PUBLISH …/events/order.created\n");
    expect(text).toContain("  Note over Inventory: stock SKU-42 100→99\n");
    assertMermaidLines(text);
  });

  it("draws failures with Mermaid's cross and says what failed in words", () => {
    const text = toMermaid(layoutDiagram(timeoutError()));
    expect(text).toContain("  UserService--xGateway: deadline exceeded after 1000 ms · gRPC · ⏱ timeout · deadline_exceeded · 1 s\n");
    expect(text).toContain("  Gateway--xBrowser: 504 Gateway Timeout · REST · ⏱ timeout");
    assertMermaidLines(text);
  });

  it("escapes what Mermaid cannot take and aliases unsafe participant names", () => {
    expect(mermaidText("a#b;c%d<e>f\ng")).toBe("a#35;b#59;c#37;d#lt;e#gt;f g");
    expect(mermaidText("   ")).toBe("(no label)");
    expect(mermaidText("wrap: x")).toBe("#119;rap: x");
    const events = [
      create(TraceEventSchema, { timeUnixMs: BASE_TIME, spanId: "s", from: "end-user", to: "Options", kind: EventKind.REQUEST_SENT, mode: Mode.REST, summary: "GET /a?x=1;y=#2 %% <b>" }),
      create(TraceEventSchema, { timeUnixMs: BASE_TIME + 1, spanId: "n", from: "Options", to: "Options", kind: EventKind.PROCESSED, observer: "Options", summary: "done; 100%" }),
    ];
    const text = toMermaid(layoutDiagram(events), { title: "Trace #1" });
    expect(text).toContain("  title Trace 1\n");
    expect(text).toContain("  participant P1 as end-user\n");
    expect(text).toContain("  participant P2 as Options\n");
    expect(text).toContain("  P1->>P2: GET /a?x=1#59;y=#35;2 #37;#37; #lt;b#gt; · REST\n");
    expect(text).toContain("  Note over P2: done#59; 100#37;\n");
    assertMermaidLines(text);
  });

  it("writes the whole demo trace as valid lines", () => {
    assertMermaidLines(toMermaid(layoutDiagram(demoTrace())));
    assertMermaidLines(toMermaid(layoutDiagram(demoTrace(), { axis: "compact" })));
  });
});

describe("trace JSON", () => {
  it("exports a versioned file and imports it back unchanged", () => {
    const events = demoTrace();
    const text = exportTrace(events, new Date("2025-06-15T15:00:00Z"));
    const json = JSON.parse(text);
    expect(json).toMatchObject({ format: TRACE_FORMAT, version: 1, exportedAt: "2025-06-15T15:00:00.000Z" });
    expect(json.events).toHaveLength(events.length);
    // uint64 as a string and bytes as base64, per the protobuf JSON mapping.
    expect(typeof json.events.find((e: { seq?: string }) => e.seq).seq).toBe("string");
    expect(json.events.some((e: { wire?: string }) => typeof e.wire === "string")).toBe(true);
    const back = importTrace(text);
    expect(back.ok).toBe(true);
    if (!back.ok) return;
    expect(back.exportedAt).toBe("2025-06-15T15:00:00.000Z");
    expect(back.events).toHaveLength(events.length);
    back.events.forEach((e, i) => expect(equals(TraceEventSchema, e, events[i])).toBe(true));
    // And the diagram of the imported trace is the same diagram.
    expect(toMermaid(layoutDiagram(back.events))).toBe(toMermaid(layoutDiagram(events)));
  });

  it("round-trips an empty trace", () => {
    const back = importTrace(exportTrace([]));
    expect(back).toEqual({ ok: true, events: [], exportedAt: expect.any(String), warnings: [] });
  });

  it("explains what is wrong with a bad file", () => {
    const err = (text: string) => {
      const r = importTrace(text);
      expect(r.ok).toBe(false);
      return r.ok ? "" : r.error;
    };
    expect(err("{not json")).toMatch(/^Not valid JSON/);
    expect(err("[1,2]")).toMatch(/expected an object with "format": "wirelab-trace"/);
    expect(err('{"format":"other"}')).toMatch(/"format" is "other"/);
    expect(err('{"format":"wirelab-trace","version":2,"events":[]}')).toMatch(/format version 2/);
    expect(err('{"format":"wirelab-trace","version":1,"events":{}}')).toMatch(/Not a valid Wirelab trace:\n.*events/s);
    expect(err('{"format":"wirelab-trace","version":1,"events":[1]}')).toMatch(/events/);
    expect(err('{"format":"wirelab-trace","version":1,"events":[{"timeUnixMs":1},{"timeUnixMs":"soon"}]}')).toMatch(/^Event 2 is not a valid TraceEvent: .*time_unix_ms.*"soon"/);
    expect(err('{"format":"wirelab-trace","version":1,"events":[{"seq":"abc"}]}')).toMatch(/^Event 1/);
  });

  it("reads fields and enum values it does not know (a newer exporter's additions) with a warning", () => {
    const r = importTrace(
      '{"format":"wirelab-trace","version":1,"exportedAt":"x","events":[{"timeUnixMs":5,"from":"A","futureField":1},{"mode":"MODE_AMQP"},{"timeUnixMs":6}]}',
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.events[0]).toMatchObject({ timeUnixMs: 5, from: "A" });
    expect(r.events).toHaveLength(3);
    expect(r.warnings).toEqual(["2 events have fields or values this Wirelab does not know; they were ignored."]);
  });
});
