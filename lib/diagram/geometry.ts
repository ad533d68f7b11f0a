/**
 * Drawing geometry of one arrow or note: line, arrowhead, label positions and
 * the label texts cut to fit. Pure, so the React component, the tests and any
 * other renderer agree on where things go.
 *
 * A row (one arrow) occupies the band [y1 − 33, y1 + 7]: the label baseline is
 * at y1 − 22, the detail baseline at y1 − 8, the line, head and marker at
 * y1 ± 7. With rows at least 40 px apart (layout minGap), no two rows' texts
 * can overlap; and since a row holds exactly one arrow or note, its texts may
 * be wider than the arrow (up to two columns), kept inside the drawing.
 */
import { textWidth, truncateToWidth } from "./format";
import type { ArrowKind, ArrowMarker, DiagramArrow } from "./layout";

export const FONT_FAMILY =
  'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "DejaVu Sans", sans-serif';
export const LABEL_FONT = 13;
export const DETAIL_FONT = 12;
export const HEADER_FONT = 13;
export const AXIS_FONT = 12;

const LABEL_DY = -22;
const DETAIL_DY = -8;
const EDGE_PAD = 12;
const HEAD_LEN = 10;
const HEAD_HALF = 4.5;
const MARKER_R = 7;
const NOTE_H = 24;
const NOTE_DY = -29;

export interface ArrowStyle {
  /** SVG stroke-dasharray, or undefined for a solid line. */
  dash?: string;
  /** Filled triangle (synchronous) or open chevron (asynchronous). */
  head: "filled" | "open";
}

/** Line style and arrowhead of each arrow kind (also drawn by the legend). */
export function arrowStyle(kind: ArrowKind): ArrowStyle {
  switch (kind) {
    case "call":
      return { head: "filled" };
    case "reply":
      return { dash: "6 4", head: "filled" };
    case "stream":
      return { dash: "2 3", head: "filled" };
    case "ack":
      return { dash: "6 4", head: "open" };
    case "async":
    case "delivery":
    case "control":
    case "self":
    default:
      return { head: "open" };
  }
}

export interface TextSpec {
  x: number;
  /** Baseline. */
  y: number;
  text: string;
  truncated: boolean;
  fontSize: number;
  anchor: "start" | "middle";
  /** Estimated width of the shown text. */
  width: number;
}

export interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface ArrowGeometry {
  self: boolean;
  /** The shaft (arrows only). */
  line?: { x1: number; y1: number; x2: number; y2: number };
  /** Arrowhead polygon/polyline points "x,y x,y x,y". */
  head?: { points: string; open: boolean };
  /** Note box (self only). */
  note?: Box;
  label: TextSpec;
  detail?: TextSpec;
  /** Centre of the marker badge (✕, ⏱, ⚡, ☠). */
  markerAt?: { x: number; y: number };
  markerRadius: number;
  /** Click/selection area. */
  box: Box;
  style: ArrowStyle;
}

const GLYPH: Record<ArrowMarker, string> = {
  error: "✕",
  reset: "✕",
  timeout: "⏱",
  fault: "⚡",
  "dead-letter": "☠",
};

export function markerGlyph(m: ArrowMarker): string {
  return GLYPH[m];
}

function textSpec(text: string, x: number, y: number, fontSize: number, maxWidth: number, anchor: "start" | "middle"): TextSpec {
  const shown = truncateToWidth(text, Math.max(0, maxWidth), fontSize);
  return { x, y, text: shown, truncated: shown !== text, fontSize, anchor, width: textWidth(shown, fontSize) };
}

export interface GeometryOptions {
  columnWidth: number;
  /** Horizontal bounds texts must stay inside (the drawing, or a side-by-side column). */
  left?: number;
  right?: number;
}

/** Places a text of `width` centred at `cx`, moved inside [left, right]. */
function clampCentre(cx: number, width: number, left: number, right: number): number {
  const half = width / 2;
  if (cx - half < left) cx = left + half;
  if (cx + half > right) cx = right - half;
  return cx;
}

/** Geometry of one arrow or note. */
export function arrowGeometry(a: DiagramArrow, opts: GeometryOptions | number): ArrowGeometry {
  const o: GeometryOptions = typeof opts === "number" ? { columnWidth: opts } : opts;
  const left = (o.left ?? -Infinity) + 2;
  const right = (o.right ?? Infinity) - 2;
  const room = Math.min(2 * o.columnWidth - 24, right - left);
  const style = arrowStyle(a.kind);
  if (a.kind === "self" || a.x1 === a.x2) {
    const icon = a.marker ? 2 * MARKER_R + 6 : 0;
    const maxW = Math.max(o.columnWidth - 16, room);
    const label = textSpec(a.label, 0, a.y1 + NOTE_DY + 17, LABEL_FONT, maxW - 16 - icon, "start");
    const w = Math.min(maxW, label.width + 16 + icon);
    const nx = clampCentre(a.x1, w, left, right) - w / 2;
    const note: Box = { x: nx, y: a.y1 + NOTE_DY, w, h: NOTE_H };
    label.x = note.x + 8 + icon;
    return {
      self: true,
      note,
      label,
      markerAt: a.marker ? { x: note.x + 6 + MARKER_R, y: note.y + NOTE_H / 2 } : undefined,
      markerRadius: MARKER_R,
      box: { x: note.x - 3, y: note.y - 3, w: note.w + 6, h: note.h + 6 },
      style,
    };
  }

  const dir = a.x2 > a.x1 ? 1 : -1;
  const span = Math.abs(a.x2 - a.x1);
  // With a marker the badge sits on the receiving lifeline; the head stops before it.
  const tipX = a.marker ? a.x2 - dir * (MARKER_R + 1) : a.x2 - dir;
  const tipY = a.y1 + ((tipX - a.x1) / (a.x2 - a.x1)) * (a.y2 - a.y1);
  const dx = tipX - a.x1;
  const dy = tipY - a.y1;
  const len = Math.hypot(dx, dy) || 1;
  const ux = dx / len;
  const uy = dy / len;
  const baseX = tipX - ux * HEAD_LEN;
  const baseY = tipY - uy * HEAD_LEN;
  const p1 = `${r(baseX - uy * HEAD_HALF)},${r(baseY + ux * HEAD_HALF)}`;
  const p2 = `${r(tipX)},${r(tipY)}`;
  const p3 = `${r(baseX + uy * HEAD_HALF)},${r(baseY - ux * HEAD_HALF)}`;
  const open = style.head === "open";
  // A filled head covers the shaft's end; an open chevron needs the shaft to reach the tip.
  const shaftEnd = open ? { x: tipX, y: tipY } : { x: baseX + ux * 2, y: baseY + uy * 2 };

  const mid = (a.x1 + a.x2) / 2;
  const maxText = Math.max(span - 2 * EDGE_PAD, room);
  // A text wider than the arrow ends before the head and overflows past the tail.
  const centre = (w: number) =>
    w <= span - 2 * EDGE_PAD ? mid : clampCentre(a.x2 - dir * (EDGE_PAD + w / 2), w, left, right);
  const label = textSpec(a.label, mid, a.y1 + LABEL_DY, LABEL_FONT, maxText, "middle");
  label.x = centre(label.width);
  let detail: TextSpec | undefined;
  if (a.detail) {
    detail = textSpec(a.detail, mid, a.y1 + DETAIL_DY, DETAIL_FONT, maxText, "middle");
    detail.x = centre(detail.width);
  }
  const textLo = Math.min(label.x - label.width / 2, detail ? detail.x - detail.width / 2 : Infinity);
  const textHi = Math.max(label.x + label.width / 2, detail ? detail.x + detail.width / 2 : -Infinity);
  const lo = Math.min(a.x1, a.x2, textLo);
  const hi = Math.max(a.x1, a.x2, textHi);
  return {
    self: false,
    line: { x1: a.x1, y1: a.y1, x2: r(shaftEnd.x), y2: r(shaftEnd.y) },
    head: { points: `${p1} ${p2} ${p3}`, open },
    label,
    detail,
    markerAt: a.marker ? { x: a.x2, y: a.y2 } : undefined,
    markerRadius: MARKER_R,
    box: { x: lo - 2, y: a.y1 - 33, w: hi - lo + 4, h: a.y2 - a.y1 + 39 },
    style,
  };
}

function r(v: number): number {
  return Math.round(v * 10) / 10;
}

/** Bounding box of a text (for overlap tests). */
export function textBox(t: TextSpec): Box {
  const x = t.anchor === "middle" ? t.x - t.width / 2 : t.x;
  return { x, y: t.y - t.fontSize * 0.8, w: t.width, h: t.fontSize * 1.05 };
}

export function boxesOverlap(a: Box, b: Box): boolean {
  return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

/** Boxes of the non-text ink that texts must not cover: arrowhead, marker badge, note. */
export function inkBoxes(g: ArrowGeometry): Box[] {
  const out: Box[] = [];
  if (g.head) {
    const pts = g.head.points.split(" ").map((p) => p.split(",").map(Number));
    const xs = pts.map((p) => p[0]);
    const ys = pts.map((p) => p[1]);
    out.push({ x: Math.min(...xs), y: Math.min(...ys), w: Math.max(...xs) - Math.min(...xs), h: Math.max(...ys) - Math.min(...ys) });
  }
  if (g.markerAt && !g.self) {
    const r = g.markerRadius;
    out.push({ x: g.markerAt.x - r, y: g.markerAt.y - r, w: 2 * r, h: 2 * r });
  }
  if (g.note) out.push(g.note);
  return out;
}

/** Every text box of an arrow's drawing: label, detail, note. */
export function labelBoxes(g: ArrowGeometry): Box[] {
  const out: Box[] = [];
  if (g.label.text) out.push(g.note ?? textBox(g.label));
  if (g.detail?.text) out.push(textBox(g.detail));
  return out;
}
