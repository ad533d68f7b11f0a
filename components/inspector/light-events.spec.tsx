import { renderToStaticMarkup } from "react-dom/server";
import { afterEach, describe, expect, it } from "vitest";
import type { TraceEvent } from "@/lib/gen/lab/v1/trace_pb";
import { fetchWhole, markLight, setWholeEventSource } from "@/components/trace/whole-events";
import { WireInspector } from ".";
import { grpcWebResponse } from "./samples";

/** The sample response as the page's light stream delivers it: no wire bytes, no header maps. */
function lightCopy(e: TraceEvent): TraceEvent {
  return { ...e, wire: new Uint8Array(0), wireTruncated: false, http: e.http && { ...e.http, headers: {}, trailers: {} } };
}

afterEach(() => setWholeEventSource(undefined));

describe("WireInspector with light events", () => {
  it("shows a loading state while the whole event is fetched", () => {
    const light = lightCopy(grpcWebResponse());
    markLight([light]);
    const html = renderToStaticMarkup(<WireInspector event={light} />);
    expect(html).toContain('data-testid="inspector-loading"');
    expect(html).toContain("Loading the bytes and headers");
    expect(html).not.toContain("Headers and trailers");
  });

  it("shows the whole event (headers, decoded body) once fetched", async () => {
    const whole = grpcWebResponse();
    const light = lightCopy(whole);
    markLight([light]);
    setWholeEventSource(async (seqs) => (seqs.includes(whole.seq) ? [whole] : []));
    await fetchWhole([light]);
    const html = renderToStaticMarkup(<WireInspector event={light} />);
    expect(html).not.toContain("inspector-loading");
    expect(html).toContain("access-control-expose-headers");
    expect(html).toContain("lab.v1.GetUserResponse");
    // The same render as for the whole event itself.
    expect(html).toBe(renderToStaticMarkup(<WireInspector event={whole} />));
  });

  it("an event the server no longer has is shown light, with a note", async () => {
    const light = lightCopy(grpcWebResponse());
    markLight([light]);
    setWholeEventSource(async () => []);
    await fetchWhole([light]);
    const html = renderToStaticMarkup(<WireInspector event={light} />);
    expect(html).toContain("no longer keeps this event");
    expect(html).toContain("Bytes on the wire");
  });

  it("whole events (files, tests, the browser's own) are shown at once, nothing fetched", () => {
    const html = renderToStaticMarkup(<WireInspector event={grpcWebResponse()} />);
    expect(html).not.toContain("inspector-loading");
    expect(html).toContain("access-control-expose-headers");
  });
});
