"use client";

import { useCallback, useMemo, useState } from "react";
import {
  FONT_FAMILY,
  formatBytes,
  formatMs,
  HEADER_FONT,
  LABEL_FONT,
  layoutSideBySide,
  truncateToWidth,
  type DiagramArrow,
  type SideBySideOptions,
} from "@/lib/diagram";
import type { TraceEvent } from "@/lib/gen/lab/v1/trace_pb";
import type { DiagramSelection } from "./SequenceDiagram";
import { ArrowView, LifelineHeaders, LifelineLines, RetryLinkView, StreamGroupView, TimeAxisView } from "./svg-parts";
import { INK, modeColor } from "./theme";
import styles from "./diagram.module.css";

export interface SideBySideProps {
  events: readonly TraceEvent[];
  /** Root spans of the calls to compare (two or three), left to right. */
  rootSpanIds: readonly string[];
  /** Column titles (default: mode and call, e.g. "REST · GET /rest/users/1"). */
  titles?: readonly (string | undefined)[];
  onSelect?: (selection: DiagramSelection, arrow: DiagramArrow) => void;
  /** Height of the scrolling area. Default 520. */
  height?: number | string;
  options?: Omit<SideBySideOptions, "titles">;
  title?: string;
  className?: string;
}

/**
 * The same call in two or three modes, in columns on ONE time axis, each call
 * starting at t = 0, with bars of their latencies on a shared linear scale.
 */
export function SideBySide({ events, rootSpanIds, titles, onSelect, height = 520, options, title = "Side-by-side comparison", className }: SideBySideProps) {
  const layout = useMemo(() => layoutSideBySide(events, rootSpanIds, { ...options, titles }), [events, rootSpanIds, options, titles]);
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const activate = useCallback(
    (rootSpanId: string, a: DiagramArrow) => {
      setSelectedId(`${rootSpanId}:${a.id}`);
      onSelect?.(a.events.length === 1 ? a.events[0] : a.events, a);
    },
    [onSelect],
  );

  const maxLatency = Math.max(1e-6, ...layout.columns.map((c) => c.summary.responseMs ?? c.summary.totalMs));

  return (
    <section className={[styles.root, className].filter(Boolean).join(" ")} aria-label={title}>
      <ul className={styles.bars} aria-label="Latency and bytes per mode">
        {layout.columns.map((c) => {
          const ms = c.summary.responseMs ?? c.summary.totalMs;
          return (
            <li key={c.rootSpanId} className={styles.barRow}>
              <span>
                <strong>{c.title}</strong>
                <br />
                <span className={styles.status}>
                  {formatMs(ms)} · {formatBytes(c.summary.bytes)} · {c.arrows.length} message{c.arrows.length === 1 ? "" : "s"}
                </span>
              </span>
              <span className={styles.barTrack} aria-hidden="true">
                <span className={styles.bar} style={{ display: "block", width: `${(100 * ms) / maxLatency}%`, background: modeColor(c.summary.mode) }} />
              </span>
            </li>
          );
        })}
      </ul>
      <div className={styles.scroller} style={{ height, overflow: "auto" }}>
        {layout.columns.length === 0 ? (
          <div className={styles.empty}>Pick two or three calls to compare.</div>
        ) : (
          <svg
            className={styles.canvas}
            width={layout.width}
            height={layout.height}
            viewBox={`0 0 ${layout.width} ${layout.height}`}
            role="group"
            aria-label={`${title}: ${layout.columns.map((c) => `${c.title}, ${c.stats}`).join("; ")}`}
          >
            <rect x={0} y={0} width={layout.width} height={layout.height} fill={INK.background} />
            <TimeAxisView ticks={layout.ticks} breaks={layout.breaks} gutter={layout.gutter} width={layout.width} top={layout.headerHeight} bottom={layout.height} />
            {layout.columns.map((c, ci) => {
              const cx = c.x + c.width / 2;
              const byId = new Map(c.arrows.map((a) => [a.id, a]));
              return (
                <g key={c.rootSpanId}>
                  {ci > 0 ? (
                    <line x1={c.x - 14} y1={4} x2={c.x - 14} y2={layout.height - 4} stroke={INK.lifeline} strokeWidth={1} aria-hidden="true" />
                  ) : null}
                  <text x={cx} y={layout.titleY} textAnchor="middle" fontFamily={FONT_FAMILY} fontSize={HEADER_FONT} fontWeight={700} fill={modeColor(c.summary.mode)}>
                    {truncateToWidth(c.title, c.width - 16, HEADER_FONT * 1.1)}
                  </text>
                  <text x={cx} y={layout.statsY} textAnchor="middle" fontFamily={FONT_FAMILY} fontSize={12} fill={INK.muted}>
                    {truncateToWidth(c.stats, c.width - 16, 12)}
                  </text>
                  <LifelineLines lifelines={c.lifelines} y1={layout.headerHeight} y2={layout.height} />
                  <LifelineHeaders lifelines={c.lifelines} columnWidth={layout.columnWidth} y={layout.lifelineTop} height={layout.headerHeight - layout.lifelineTop - 8} />
                  {c.groups.map((g) => (
                    <StreamGroupView key={g.spanId} group={g} color={modeColor(c.arrows[g.first].mode)} />
                  ))}
                  {c.arrows
                    .filter((a) => a.retryOf && byId.has(a.retryOf))
                    .map((a) => (
                      <RetryLinkView key={`r-${a.id}`} from={byId.get(a.retryOf!)!} to={a} />
                    ))}
                  {c.arrows.map((a) => (
                    <ArrowView
                      key={a.id}
                      arrow={a}
                      columnWidth={layout.columnWidth}
                      left={c.x}
                      right={c.x + c.width}
                      selected={selectedId === `${c.rootSpanId}:${a.id}`}
                      fresh={false}
                      onActivate={(x) => activate(c.rootSpanId, x)}
                    />
                  ))}
                </g>
              );
            })}
          </svg>
        )}
      </div>
      <p className={styles.status} style={{ margin: 0, fontSize: Math.max(12, LABEL_FONT - 1) }}>
        All columns share one time axis and start at 0: the same height is the same moment in every column (rows are spread apart where messages come close together).
      </p>
    </section>
  );
}
