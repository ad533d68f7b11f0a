"use client";

import { useCallback, useId, useMemo, useRef, useState } from "react";
import { collectFacets, filterEvents, type DiagramArrow, type DiagramFilter, type TimeAxis } from "@/lib/diagram";
import { diagramTextFor } from "@/lib/diagram/diagram-text";
import type { TraceEvent } from "@/lib/gen/lab/v1/trace_pb";
import type { Locale } from "@/lib/lessons/types";
import { DiagramControls } from "./DiagramControls";
import { SequenceDiagram, type DiagramSelection, type SequenceDiagramHandle } from "./SequenceDiagram";
import { TraceTable } from "./TraceTable";
import { useTracePlayback } from "./use-trace-playback";
import styles from "./diagram.module.css";

export interface TraceViewerProps {
  /** The live events (a growing array; a new array on every change). */
  events: readonly TraceEvent[];
  /** Events the bounded live buffer dropped. */
  droppedCount?: number;
  /** A selected arrow's or row's event(s), e.g. for an inspector panel. */
  onSelect?: (selection: DiagramSelection, arrow?: DiagramArrow) => void;
  defaultAxis?: TimeAxis;
  defaultView?: "diagram" | "table";
  /** Height of the diagram/table viewport. Default 560. */
  height?: number | string;
  title?: string;
  className?: string;
  /** The viewer's language (the trace's own text stays as recorded). */
  locale?: Locale;
}

/**
 * Everything wired together: playback (live, pause, step, replay, import),
 * filters, the sequence diagram and the table view of the same events.
 */
export function TraceViewer({
  events,
  droppedCount = 0,
  onSelect,
  defaultAxis = "scale",
  defaultView = "diagram",
  height = 560,
  title = "Traffic",
  className,
  locale = "en",
}: TraceViewerProps) {
  const t = diagramTextFor(locale);
  const playback = useTracePlayback(events);
  const [axis, setAxis] = useState<TimeAxis>(defaultAxis);
  const [filter, setFilter] = useState<DiagramFilter>({});
  const [view, setView] = useState<"diagram" | "table">(defaultView);
  const [selected, setSelected] = useState<TraceEvent | null>(null);
  const diagramRef = useRef<SequenceDiagramHandle>(null);
  const tabsId = useId();

  const shown = playback.visibleEvents;
  const facets = useMemo(() => collectFacets(shown), [shown]);
  const tableEvents = useMemo(() => filterEvents(shown, filter), [shown, filter]);
  const getSvg = useCallback(() => diagramRef.current?.toSvgString() ?? null, []);

  const selectFromDiagram = useCallback(
    (s: DiagramSelection, arrow: DiagramArrow) => {
      setSelected(Array.isArray(s) ? s[0] : s);
      onSelect?.(s, arrow);
    },
    [onSelect],
  );
  const selectFromTable = useCallback(
    (e: TraceEvent) => {
      setSelected(e);
      onSelect?.(e);
    },
    [onSelect],
  );

  return (
    <div className={[styles.root, className].filter(Boolean).join(" ")}>
      <DiagramControls
        playback={playback}
        axis={axis}
        onAxisChange={setAxis}
        filter={filter}
        onFilterChange={setFilter}
        facets={facets}
        exports={{ events: shown, filter, getSvg }}
        locale={locale}
      />
      <div className={styles.tabs} role="tablist" aria-label={t("view")}>
        {(["diagram", "table"] as const).map((v) => (
          <button
            key={v}
            id={`${tabsId}-${v}`}
            type="button"
            role="tab"
            className={styles.tab}
            aria-selected={view === v}
            aria-controls={`${tabsId}-${v}-panel`}
            tabIndex={view === v ? 0 : -1}
            onClick={() => setView(v)}
            onKeyDown={(e) => {
              if (e.key === "ArrowRight" || e.key === "ArrowLeft") {
                const next = v === "diagram" ? "table" : "diagram";
                setView(next);
                document.getElementById(`${tabsId}-${next}`)?.focus();
              }
            }}
          >
            {v === "diagram" ? t("sequenceDiagram") : t("table")}
          </button>
        ))}
      </div>
      <div id={`${tabsId}-diagram-panel`} role="tabpanel" aria-labelledby={`${tabsId}-diagram`} hidden={view !== "diagram"}>
        <SequenceDiagram
          ref={diagramRef}
          events={shown}
          axis={axis}
          filter={filter}
          selectedEvent={selected}
          onSelect={selectFromDiagram}
          droppedCount={droppedCount}
          height={height}
          follow={playback.mode === "replay" || !playback.paused}
          title={title}
          locale={locale}
        />
      </div>
      <div id={`${tabsId}-table-panel`} role="tabpanel" aria-labelledby={`${tabsId}-table`} hidden={view !== "table"}>
        {view === "table" ? (
          <TraceTable events={tableEvents} selectedEvent={selected} onSelect={selectFromTable} height={height} caption={t("tableCaption", { title })} locale={locale} />
        ) : null}
      </div>
    </div>
  );
}
