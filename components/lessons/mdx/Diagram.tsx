"use client";

import { useMemo, useState } from "react";
import { TraceViewer, type DiagramSelection } from "@/components/diagram";
import { WireInspector } from "@/components/inspector";
import { ui } from "@/lib/lessons/ui-text";
import { useLesson, useStep, useTrace } from "../lesson-context";
import css from "../lessons.module.css";

export interface DiagramProps {
  /** "step" (default): the traffic since the step opened; "session": everything. */
  scope?: "step" | "session";
  /** Viewport height in px (default 380). */
  height?: number;
  /** Start in the table view. */
  table?: boolean;
}

/**
 * `<Diagram />`: the live sequence diagram (and its table view) of the
 * step's traffic. Click an arrow to inspect its bytes.
 */
export function Diagram({ scope = "step", height = 380, table = false }: DiagramProps) {
  const { locale, runtime } = useLesson();
  const step = useStep();
  const trace = useTrace(runtime);
  const [selected, setSelected] = useState<DiagramSelection | null>(null);
  const events = useMemo(() => {
    runtime.observe(trace.events);
    return scope === "step" ? runtime.stepEvents(step?.def.id, trace.events) : trace.events;
  }, [runtime, trace.events, scope, step]);

  return (
    <div className={`${css.widget} ${css.diagram}`} data-widget="diagram" data-testid="lesson-diagram">
      {events.length === 0 && <p className={css.muted}>{ui("diagramEmpty", locale)}</p>}
      <div className={selected ? "trace-layout with-inspector" : "trace-layout"}>
        <TraceViewer events={events} onSelect={(s) => setSelected(s)} height={height} defaultView={table ? "table" : "diagram"} title={ui("diagram", locale)} locale={locale} />
        {selected && (
          <div className="inspector-column">
            <WireInspector event={selected} onClose={() => setSelected(null)} maxHeight={height + 120} locale={locale} />
          </div>
        )}
      </div>
    </div>
  );
}
