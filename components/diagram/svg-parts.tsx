"use client";

/**
 * SVG building blocks shared by SequenceDiagram and SideBySide. Everything
 * essential is drawn with presentation attributes, so the drawing is right
 * without the stylesheet (static rendering, SVG export); CSS classes only add
 * states (focus, hover, the entry animation).
 */
import { memo, type KeyboardEvent } from "react";
import {
  arrowGeometry,
  AXIS_FONT,
  DETAIL_FONT,
  FONT_FAMILY,
  HEADER_FONT,
  LABEL_FONT,
  truncateToWidth,
  type ArrowMarker,
  type AxisBreak,
  type AxisTick,
  type DiagramArrow,
  type Lifeline,
  type StreamGroup,
} from "@/lib/diagram";
import { INK, MARKER_COLORS, modeColor } from "./theme";
import styles from "./diagram.module.css";

const halo = { paintOrder: "stroke" as const, stroke: INK.background, strokeWidth: 3, strokeLinejoin: "round" as const };

/** ✕ (error, reset), clock (timeout), bolt (fault), envelope (dead letter): shape, not colour alone. */
export function MarkerIcon({ marker, x, y, r = 7 }: { marker: ArrowMarker; x: number; y: number; r?: number }) {
  const c = MARKER_COLORS[marker];
  let body;
  switch (marker) {
    case "error":
    case "reset":
      body = (
        <>
          <circle r={r} fill={INK.background} stroke={c} strokeWidth={2} />
          <path d="M-3,-3 L3,3 M3,-3 L-3,3" stroke={c} strokeWidth={2} strokeLinecap="round" />
        </>
      );
      break;
    case "timeout":
      body = (
        <>
          <circle r={r} fill={INK.background} stroke={c} strokeWidth={2} />
          <path d="M0,-4 L0,0 L3,2" fill="none" stroke={c} strokeWidth={1.8} strokeLinecap="round" />
        </>
      );
      break;
    case "fault":
      body = <path d="M1.5,-8 L-5,1 L-0.5,1 L-1.5,8 L5,-1 L0.5,-1 Z" fill={c} stroke={INK.background} strokeWidth={1} />;
      break;
    case "dead-letter":
    default:
      body = (
        <>
          <rect x={-r} y={-r + 1.5} width={2 * r} height={2 * r - 3} rx={2} fill={c} />
          <path d="M-5,-3 L0,1 L5,-3" fill="none" stroke={INK.background} strokeWidth={1.5} />
        </>
      );
  }
  return (
    <g transform={`translate(${x},${y})`} aria-hidden="true">
      {body}
    </g>
  );
}

export interface ArrowViewProps {
  arrow: DiagramArrow;
  columnWidth: number;
  /** Horizontal bounds for the texts (the drawing, or a side-by-side column). */
  left: number;
  right: number;
  selected: boolean;
  fresh: boolean;
  onActivate?: (arrow: DiagramArrow) => void;
  onNavigate?: (arrow: DiagramArrow, key: string) => void;
}

/** One arrow or note: focusable, selectable, with its full text as name and tooltip. */
export const ArrowView = memo(function ArrowView({ arrow: a, columnWidth, left, right, selected, fresh, onActivate, onNavigate }: ArrowViewProps) {
  const g = arrowGeometry(a, { columnWidth, left, right });
  const color = a.kind === "self" ? (a.marker ? MARKER_COLORS[a.marker] : INK.noteStroke) : modeColor(a.mode);
  const onKeyDown = (e: KeyboardEvent<SVGGElement>) => {
    if (e.key === "Enter" || e.key === " ") {
      e.preventDefault();
      onActivate?.(a);
    } else if (e.key === "ArrowDown" || e.key === "ArrowUp" || e.key === "Home" || e.key === "End") {
      e.preventDefault();
      onNavigate?.(a, e.key);
    }
  };
  const cls = [styles.arrow, fresh ? styles.fresh : "", selected ? styles.selected : ""].filter(Boolean).join(" ");
  return (
    <>
      <g
        className={cls}
        data-arrow-index={a.index}
        data-arrow-id={a.id}
        tabIndex={0}
        role="button"
        aria-label={a.text}
        aria-pressed={selected}
        onClick={() => onActivate?.(a)}
        onKeyDown={onKeyDown}
        style={{ cursor: "pointer", outline: "none" }}
      >
        <title>{a.text}</title>
        {/* Hit area (and the selection highlight). */}
        <rect
          className={styles.hit}
          x={g.box.x}
          y={g.box.y}
          width={g.box.w}
          height={g.box.h}
          rx={4}
          fill={selected ? INK.selection : "transparent"}
          fillOpacity={selected ? 0.55 : 0}
          pointerEvents="all"
        />
        {fresh ? <rect className={styles.flash} x={g.box.x} y={g.box.y} width={g.box.w} height={g.box.h} rx={4} fill={color} opacity={0} /> : null}
        <rect
          className={styles.focusRing}
          x={g.box.x - 2}
          y={g.box.y - 2}
          width={g.box.w + 4}
          height={g.box.h + 4}
          rx={5}
          fill="none"
          stroke={INK.focus}
          strokeWidth={2}
          visibility="hidden"
        />
        {g.self && g.note ? (
          <>
            <rect
              x={g.note.x}
              y={g.note.y}
              width={g.note.w}
              height={g.note.h}
              rx={3}
              fill={INK.noteFill}
              stroke={color}
              strokeWidth={selected ? 2.5 : 1.25}
            />
            {a.marker && g.markerAt ? <MarkerIcon marker={a.marker} x={g.markerAt.x} y={g.markerAt.y} r={6} /> : null}
          </>
        ) : null}
        {!g.self && g.line && g.head ? (
          <>
            <line
              x1={g.line.x1}
              y1={g.line.y1}
              x2={g.line.x2}
              y2={g.line.y2}
              stroke={color}
              strokeWidth={selected ? 3 : 1.75}
              strokeDasharray={g.style.dash}
              strokeLinecap="butt"
            />
            {g.head.open ? (
              <polyline points={g.head.points} fill="none" stroke={color} strokeWidth={selected ? 2.5 : 1.75} strokeLinejoin="miter" />
            ) : (
              <polygon points={g.head.points} fill={color} stroke={color} strokeWidth={1} strokeLinejoin="miter" />
            )}
            {a.marker && g.markerAt ? <MarkerIcon marker={a.marker} x={g.markerAt.x} y={g.markerAt.y} /> : null}
          </>
        ) : null}
      </g>
      {/* The label and detail sit beside the button, not in it: they may be
          cut short to fit ("GetUs…"), and the button's name is the whole
          text (WCAG 2.5.3 wants visible text inside a control to be part of
          its name). Clicks pass through them to the hit area below. */}
      <g aria-hidden="true" pointerEvents="none">
        <text x={g.label.x} y={g.label.y} textAnchor={g.label.anchor} fontFamily={FONT_FAMILY} fontSize={LABEL_FONT} fill={INK.text} {...(g.self ? {} : halo)}>
          {g.label.text}
        </text>
        {g.detail?.text ? (
          <text x={g.detail.x} y={g.detail.y} textAnchor={g.detail.anchor} fontFamily={FONT_FAMILY} fontSize={DETAIL_FONT} fill={a.marker ? MARKER_COLORS[a.marker] : INK.muted} {...halo}>
            {g.detail.text}
          </text>
        ) : null}
      </g>
    </>
  );
});

/** Boxes naming each lifeline, at the top. */
export function LifelineHeaders({ lifelines, columnWidth, y, height }: { lifelines: readonly Lifeline[]; columnWidth: number; y: number; height: number }) {
  const w = Math.min(columnWidth - 16, 180);
  return (
    <g aria-hidden="true">
      {lifelines.map((l) => {
        const name = truncateToWidth(l.name, w - 16, HEADER_FONT * 1.08);
        return (
          <g key={l.name}>
            <title>{l.name}</title>
            <rect x={l.x - w / 2} y={y} width={w} height={height} rx={6} fill={INK.headerFill} stroke={INK.headerStroke} strokeWidth={1.25} />
            <text x={l.x} y={y + height / 2 + HEADER_FONT * 0.36} textAnchor="middle" fontFamily={FONT_FAMILY} fontSize={HEADER_FONT} fontWeight={600} fill={INK.text}>
              {name}
            </text>
          </g>
        );
      })}
    </g>
  );
}

/** The dashed vertical lifelines. */
export function LifelineLines({ lifelines, y1, y2 }: { lifelines: readonly Lifeline[]; y1: number; y2: number }) {
  return (
    <g aria-hidden="true">
      {lifelines.map((l) => (
        <line key={l.name} x1={l.x} y1={y1} x2={l.x} y2={y2} stroke={INK.lifeline} strokeWidth={1} strokeDasharray="4 4" />
      ))}
    </g>
  );
}

/** Scale-mode axis: tick labels in the gutter with faint grid lines, and cut gaps. */
export function TimeAxisView({
  ticks,
  breaks,
  gutter,
  width,
  top,
  bottom,
}: {
  ticks: readonly AxisTick[];
  breaks: readonly AxisBreak[];
  gutter: number;
  width: number;
  top: number;
  bottom: number;
}) {
  const axisX = gutter - 6;
  return (
    <g aria-hidden="true">
      <line x1={axisX} y1={top} x2={axisX} y2={bottom} stroke={INK.lifeline} strokeWidth={1} />
      {ticks.map((t) => (
        <g key={`t${t.ms}-${t.y}`}>
          <line x1={gutter} y1={t.y} x2={width - 8} y2={t.y} stroke={INK.grid} strokeWidth={1} />
          <line x1={axisX - 5} y1={t.y} x2={axisX} y2={t.y} stroke={INK.faint} strokeWidth={1} />
          <text x={axisX - 8} y={t.y + 4} textAnchor="end" fontFamily={FONT_FAMILY} fontSize={AXIS_FONT} fill={INK.muted}>
            {t.label}
          </text>
        </g>
      ))}
      {breaks.map((b) => {
        const mid = (b.y1 + b.y2) / 2;
        return (
          <g key={`b${b.y1}`}>
            <rect x={axisX - 4} y={mid - 7} width={8} height={14} fill={INK.background} />
            <path d={`M${axisX - 5},${mid - 3} l10,-4 M${axisX - 5},${mid + 5} l10,-4`} stroke={INK.faint} strokeWidth={1.25} />
            <line x1={gutter} y1={mid} x2={width - 8} y2={mid} stroke={INK.lifeline} strokeWidth={1} strokeDasharray="2 6" />
            <text x={axisX - 10} y={mid + 4} textAnchor="end" fontFamily={FONT_FAMILY} fontSize={AXIS_FONT} fill={INK.faint}>
              {truncateToWidth(`⋯ ${b.label}`, gutter - 18, AXIS_FONT)}
              <title>{`${b.label} without traffic (cut)`}</title>
            </text>
          </g>
        );
      })}
    </g>
  );
}

/** Compact-mode axis: each row's time since the start, in the gutter. */
export function RowTimes({ arrows, gutter, format }: { arrows: readonly DiagramArrow[]; gutter: number; format: (ms: number) => string }) {
  return (
    <g aria-hidden="true">
      {arrows.map((a) => (
        <text key={a.id} x={gutter - 10} y={a.y1 - 6} textAnchor="end" fontFamily={FONT_FAMILY} fontSize={AXIS_FONT} fill={INK.muted}>
          {truncateToWidth(format(a.t1), gutter - 16, AXIS_FONT)}
        </text>
      ))}
    </g>
  );
}

/** A light band behind the messages of one stream. */
export function StreamGroupView({ group, color }: { group: StreamGroup; color: string }) {
  return (
    <rect
      aria-hidden="true"
      x={group.x1 - 6}
      y={group.y1 - 33}
      width={group.x2 - group.x1 + 12}
      height={group.y2 - group.y1 + 41}
      rx={6}
      fill={color}
      fillOpacity={0.06}
      stroke={color}
      strokeOpacity={0.35}
      strokeDasharray="3 3"
    />
  );
}

/** A dashed curve on the caller's side from a failed attempt to its retry (the retry's label says "attempt n"). */
export function RetryLinkView({ from, to }: { from: DiagramArrow; to: DiagramArrow }) {
  const x = to.x1;
  const side = to.x2 > to.x1 ? -1 : 1;
  const bow = x + side * 26;
  const y1 = from.y1 + 4;
  const y2 = to.y1 - 4;
  return (
    <g aria-hidden="true">
      <path d={`M${x + side * 3},${y1} C${bow},${y1} ${bow},${y2} ${x + side * 3},${y2}`} fill="none" stroke={INK.faint} strokeWidth={1.5} strokeDasharray="4 3" />
      <path d={`M${x + side * 9},${y2 - 4} L${x + side * 3},${y2} L${x + side * 9},${y2 + 4}`} fill="none" stroke={INK.faint} strokeWidth={1.5} />
    </g>
  );
}
