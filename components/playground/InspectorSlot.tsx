"use client";

import type { TraceEvent } from "@/lib/gen/lab/v1/trace_pb";

/** Where the wire inspector shows the selected arrow's bytes. */
export function InspectorSlot({ selection }: { selection: TraceEvent | TraceEvent[] | null; onClose: () => void }) {
  const events = selection === null ? [] : Array.isArray(selection) ? selection : [selection];
  return (
    <aside className="inspector-slot" aria-label="Inspector">
      {events.length === 0 ? <p className="muted">Select an arrow or a row to inspect it.</p> : <p>{events.map((e) => e.summary).join(" · ")}</p>}
    </aside>
  );
}
