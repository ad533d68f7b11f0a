/**
 * Side-by-side layout: the same call made in two or three modes, one column
 * per span tree (a root span and its descendants), all on ONE time axis with
 * each call starting at t = 0. Pure.
 */
import { type TraceEvent } from "../gen/lab/v1/trace_pb";
import { formatBytes, formatMs, modeLabel } from "./format";
import {
  assignScaleRows,
  buildArrowDrafts,
  DEFAULTS,
  materializeArrows,
  orderParticipants,
  spanTree,
  summarizeTree,
  type ArrowDraft,
  type AxisBreak,
  type AxisTick,
  type DiagramArrow,
  type Lifeline,
  type RootSpanSummary,
  type StreamGroup,
} from "./layout";

export interface SideBySideOptions {
  /**
   * Pixels per ms at zoom 1. Default: fitted so the longest call spans about
   * `targetHeight` px (between 0.5 and 400 px/ms), so the axis stays close to
   * linear for the millisecond calls a comparison is about.
   */
  pxPerMs?: number;
  /** Height the longest call should span when pxPerMs is fitted. Default 440. */
  targetHeight?: number;
  zoom?: number;
  minGap?: number;
  maxGapPx?: number;
  /** Lifeline spacing inside a column. Default 160. */
  columnWidth?: number;
  /** Space between two columns. Default 28. */
  columnGap?: number;
  gutter?: number;
  /** Custom column titles (default: "REST · GET /rest/users/1"). */
  titles?: readonly (string | undefined)[];
}

export interface SideBySideColumn {
  rootSpanId: string;
  title: string;
  /** "3.2 ms · 1234 B" (response latency if recorded, else the tree's extent). */
  stats: string;
  summary: RootSpanSummary;
  /** Left edge and width of the column. */
  x: number;
  width: number;
  lifelines: Lifeline[];
  arrows: DiagramArrow[];
  groups: StreamGroup[];
}

export interface SideBySideLayout {
  columns: SideBySideColumn[];
  ticks: AxisTick[];
  breaks: AxisBreak[];
  width: number;
  height: number;
  /** y of the column titles' first and second line. */
  titleY: number;
  statsY: number;
  /** Lifeline headers span [lifelineTop, headerHeight]. */
  lifelineTop: number;
  headerHeight: number;
  gutter: number;
  columnWidth: number;
  rowGap: number;
  maxSpanY: number;
  /** Longest tree, ms (for a shared latency bar scale). */
  maxMs: number;
}

export function layoutSideBySide(
  events: readonly TraceEvent[],
  rootSpanIds: readonly string[],
  options: SideBySideOptions = {},
): SideBySideLayout {
  const zoom = Math.min(50, Math.max(0.05, options.zoom ?? 1));
  const minGap = options.minGap ?? DEFAULTS.minGap;
  const columnWidth = options.columnWidth ?? 160;
  const columnGap = options.columnGap ?? 28;
  const gutter = options.gutter ?? DEFAULTS.gutter;
  const titleY = 20;
  const statsY = 38;
  const lifelineTop = 52;
  const headerHeight = lifelineTop + 44;
  const top = headerHeight + minGap;

  // One pass to group events by span.
  const bySpan = new Map<string, TraceEvent[]>();
  for (const e of events) {
    if (!e.spanId) continue;
    let list = bySpan.get(e.spanId);
    if (!list) bySpan.set(e.spanId, (list = []));
    list.push(e);
  }

  interface Col {
    root: string;
    drafts: ArrowDraft[];
    start: number;
    summary: RootSpanSummary;
    lifelines: Lifeline[];
    x: number;
    width: number;
  }
  const cols: Col[] = [];
  let x = gutter;
  for (const root of rootSpanIds) {
    const tree = spanTree(events, root);
    const treeEvents: TraceEvent[] = [];
    for (const s of tree) treeEvents.push(...(bySpan.get(s) ?? []));
    treeEvents.sort((a, b) => a.timeUnixMs - b.timeUnixMs);
    const drafts = buildArrowDrafts(treeEvents);
    const start = treeEvents.length ? treeEvents[0].timeUnixMs : 0;
    const appearance: string[] = [];
    for (const d of drafts) appearance.push(d.from, d.to);
    const names = orderParticipants(appearance);
    const width = Math.max(1, names.length) * columnWidth;
    const lifelines = names.map((name, index) => ({ name, index, x: x + columnWidth * (index + 0.5) }));
    cols.push({ root, drafts, start, summary: summarizeTree(treeEvents, root), lifelines, x, width });
    x += width + columnGap;
  }

  const longest = Math.max(0, ...cols.map((c) => c.summary.totalMs));
  const fitted = longest > 0 ? Math.min(400, Math.max(0.5, (options.targetHeight ?? 440) / longest)) : DEFAULTS.pxPerMs;
  const pxPerMs = (options.pxPerMs ?? fitted) * zoom;
  const maxGapPx = Math.max(minGap * 2, (options.maxGapPx ?? 480) * zoom);

  // Shared rows: every column's arrows on one axis, each column keeping its own gaps.
  interface Slot {
    col: number;
    k: number;
    t: number;
    order: number;
  }
  const slots: Slot[] = [];
  cols.forEach((c, col) => c.drafts.forEach((d, k) => slots.push({ col, k, t: d.time1 - c.start, order: d.order })));
  slots.sort((a, b) => a.t - b.t || a.col - b.col || a.order - b.order);
  const rows = assignScaleRows(
    slots.map((s) => s.t),
    slots.map((s) => s.col),
    { pxPerMs, minGap, maxGapPx, top },
  );
  const yOf = cols.map((c) => new Array<number>(c.drafts.length));
  slots.forEach((s, i) => (yOf[s.col][s.k] = rows.ys[i]));

  let maxSpanY = 0;
  let maxY = top;
  let maxMs = 0;
  const columns: SideBySideColumn[] = cols.map((c, ci) => {
    const xOf = new Map(c.lifelines.map((l) => [l.name, l.x]));
    const placed = materializeArrows(c.drafts, (d, k) => {
      const y1 = yOf[ci][k];
      return {
        x1: xOf.get(d.from) ?? c.x,
        x2: xOf.get(d.to) ?? c.x,
        y1,
        y2: rows.yEnd(y1, d.time1 - c.start, d.time2 - c.start),
        t1: d.time1 - c.start,
        t2: d.time2 - c.start,
      };
    });
    maxSpanY = Math.max(maxSpanY, placed.maxSpanY);
    maxY = Math.max(maxY, placed.maxY);
    const s = c.summary;
    maxMs = Math.max(maxMs, s.totalMs, s.responseMs ?? 0);
    const latency = s.responseMs ?? s.totalMs;
    const stats = [
      formatMs(latency),
      s.responseMs !== undefined && s.totalMs > s.responseMs + 0.05 ? `all done ${formatMs(s.totalMs)}` : "",
      formatBytes(s.bytes),
    ]
      .filter(Boolean)
      .join(" · ");
    return {
      rootSpanId: c.root,
      title: options.titles?.[ci] ?? `${modeLabel(s.mode)} · ${s.label}`,
      stats,
      summary: s,
      x: c.x,
      width: c.width,
      lifelines: c.lifelines,
      arrows: placed.arrows,
      groups: placed.groups,
    };
  });

  const width = Math.max(x - columnGap, gutter + columnWidth) + 16;
  return {
    columns,
    ticks: rows.ticks(maxMs),
    breaks: rows.breaks,
    width,
    height: Math.ceil(maxY + DEFAULTS.bottomPad),
    titleY,
    statsY,
    lifelineTop,
    headerHeight,
    gutter,
    columnWidth,
    rowGap: minGap,
    maxSpanY,
    maxMs,
  };
}
