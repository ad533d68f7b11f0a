import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { demoTrace, manyEvents, restGetUser, connectGetUser, mqttQos2, BASE_TIME } from "@/lib/diagram/fixtures";
import { SequenceDiagram, SideBySide, TraceTable, TraceViewer } from ".";

/** Static renders (no DOM in this test environment): structure and accessibility. */
describe("diagram components (static render)", () => {
  it("SequenceDiagram draws focusable, named arrows with tooltips, lifelines and a legend", () => {
    const html = renderToStaticMarkup(<SequenceDiagram events={demoTrace()} droppedCount={3} follow={false} />);
    expect(html).toContain("3 older events dropped");
    const arrows = html.match(/<g [^>]*role="button"[^>]*>/g) ?? [];
    expect(arrows.length).toBeGreaterThan(5);
    for (const g of arrows) {
      expect(g).toContain('tabindex="0"');
      expect(g).toMatch(/aria-label="(Note on [^"]+|[^"]+ → [^"]+): /);
      expect(g).toMatch(/aria-pressed="false"/);
    }
    expect(html).toContain("<title>Inventory → Broker: TCP open :1883 (MQTT)</title>");
    for (const name of ["Browser", "Gateway", "UserService", "OrderService", "Broker", "Inventory", "Notification"]) expect(html).toContain(`>${name}</text>`);
    expect(html).toContain('aria-label="Legend"');
    expect(html).toContain("0 ms</text>");
  });

  it("SequenceDiagram renders only a window of a 10 000-event trace", () => {
    const html = renderToStaticMarkup(<SequenceDiagram events={manyEvents(10_000)} follow={false} />);
    const arrows = html.match(/role="button"/g) ?? [];
    expect(arrows.length).toBeGreaterThan(5);
    expect(arrows.length).toBeLessThan(80);
  });

  it("SequenceDiagram shows an empty state", () => {
    expect(renderToStaticMarkup(<SequenceDiagram events={[]} />)).toContain("No traffic yet");
    expect(renderToStaticMarkup(<SequenceDiagram events={[]} locale="zh-CN" />)).toContain("还没有流量。");
  });

  it("TraceTable is a real table with caption, column headers and sort state", () => {
    const html = renderToStaticMarkup(<TraceTable events={restGetUser()} />);
    expect(html).toMatch(/<table[^>]*><caption>Trace events: 8 of 8 shown, sorted by time \(ascending\)/);
    expect((html.match(/<th scope="col"/g) ?? []).length).toBe(10);
    expect(html).toContain('aria-sort="ascending"');
    expect((html.match(/<tr [^>]*data-row=/g) ?? []).length).toBe(8);
    expect(html).toContain("GET /rest/users/1");
  });

  it("SideBySide labels each column with latency and bytes", () => {
    const events = [...restGetUser(BASE_TIME), ...connectGetUser(BASE_TIME + 5000), ...mqttQos2(BASE_TIME + 9000)];
    const html = renderToStaticMarkup(<SideBySide events={events} rootSpanIds={["rest-1", "connect-1", "qos2-1"]} />);
    expect(html).toContain("REST · GET /rest/users/1");
    expect(html).toContain("3.2 ms · 921 B");
    expect(html).toContain("Connect · GetUser");
  });

  it("TraceViewer wires controls, tabs and the diagram", () => {
    const html = renderToStaticMarkup(<TraceViewer events={demoTrace()} />);
    expect(html).toContain('role="tablist"');
    expect(html).toContain("Live · 75 events");
    expect(html).toContain('aria-label="Export the diagram as SVG"');
    expect(html).toContain('aria-pressed="true">To scale</button>');
  });
});
