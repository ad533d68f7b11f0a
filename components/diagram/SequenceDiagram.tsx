"use client";

import {
  useCallback,
  useEffect,
  useImperativeHandle,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
  type ReactNode,
  type Ref,
} from "react";
import { flushSync } from "react-dom";
import {
  arrowsInWindow,
  arrowStyle,
  formatMs,
  formatOffset,
  inWindow,
  layoutDiagram,
  modeLabel,
  MODES_IN_ORDER,
  type ArrowKind,
  type ArrowMarker,
  type DiagramArrow,
  type DiagramFilter,
  type DiagramLayout,
  type LayoutOptions,
  type TimeAxis,
} from "@/lib/diagram";
import { diagramTextFor, type DiagramTextKey } from "@/lib/diagram/diagram-text";
import { Mode, type TraceEvent } from "@/lib/gen/lab/v1/trace_pb";
import type { Locale } from "@/lib/lessons/types";
import {
  ArrowView,
  LifelineHeaders,
  LifelineLines,
  MarkerIcon,
  RetryLinkView,
  RowTimes,
  StreamGroupView,
  TimeAxisView,
} from "./svg-parts";
import { INK, MARKER_COLORS, modeColor } from "./theme";
import styles from "./diagram.module.css";

export const MIN_ZOOM = 0.25;
export const MAX_ZOOM = 8;
const ZOOM_STEP = 1.25;
/** At most this many arrows arriving together are animated. */
const MAX_ANIMATED = 6;
/** Extra px rendered above and below the visible window. */
const OVERSCAN = 400;

export interface SequenceDiagramHandle {
  /** The whole diagram (every arrow, not only the visible ones) as standalone SVG markup. */
  toSvgString(): string | null;
  /** Scrolls an arrow into view (by id). */
  scrollToArrow(id: string): void;
  scrollToEnd(): void;
}

export type DiagramSelection = TraceEvent | TraceEvent[];

export interface SequenceDiagramProps {
  events: readonly TraceEvent[];
  /** "scale" (y ∝ time) or "compact" (one row per arrow). Default "scale". */
  axis?: TimeAxis;
  filter?: DiagramFilter;
  /** Further layout options (column width, px per ms, lifeline order…). */
  layoutOptions?: Omit<LayoutOptions, "axis" | "filter" | "zoom">;
  /** Controlled vertical zoom; uncontrolled when absent. */
  zoom?: number;
  defaultZoom?: number;
  onZoomChange?: (zoom: number) => void;
  /** Controlled selection by arrow id, or by one of its events. Uncontrolled when both are absent. */
  selectedId?: string | null;
  selectedEvent?: TraceEvent | null;
  /** Click, Enter or Space on an arrow: its event (one observation) or events (a pair). */
  onSelect?: (selection: DiagramSelection, arrow: DiagramArrow) => void;
  /** Events the bounded live buffer dropped before these. */
  droppedCount?: number;
  /** Height of the scrolling viewport. Default 560. */
  height?: number | string;
  /** Keep the newest arrow in view while the user is at the bottom. Default true. */
  follow?: boolean;
  showLegend?: boolean;
  /** Accessible name of the diagram. */
  title?: string;
  emptyMessage?: ReactNode;
  className?: string;
  ref?: Ref<SequenceDiagramHandle>;
  /** The legend's language (the trace's own text stays as recorded). */
  locale?: Locale;
}

interface Viewport {
  top: number;
  height: number;
  /** Inner width of the scroller, 0 until measured. */
  width: number;
  /** Scrolled to the end (so following keeps the newest arrow in view). */
  atBottom: boolean;
}

/** Live sequence diagram of trace events: lifelines, arrows, markers, time axis; windowed for large traces. */
export function SequenceDiagram({
  events,
  axis = "scale",
  filter,
  layoutOptions,
  zoom: zoomProp,
  defaultZoom = 1,
  onZoomChange,
  selectedId: selectedIdProp,
  selectedEvent,
  onSelect,
  droppedCount = 0,
  height = 560,
  follow = true,
  showLegend = true,
  title = "Sequence diagram",
  emptyMessage,
  className,
  ref,
  locale = "en",
}: SequenceDiagramProps) {
  const [zoomState, setZoomState] = useState(defaultZoom);
  const zoom = zoomProp ?? zoomState;
  const [ownSelection, setOwnSelection] = useState<string | null>(null);
  const [viewport, setViewport] = useState<Viewport>({ top: 0, height: 900, width: 0, atBottom: true });
  const [exporting, setExporting] = useState(false);
  const scrollRef = useRef<HTMLDivElement>(null);
  const svgRef = useRef<SVGSVGElement>(null);
  const atBottomRef = useRef(true);
  const frameRef = useRef(0);
  const zoomRef = useRef(zoom);
  const anchorRef = useRef<{ contentY: number; offsetY: number; oldHeight: number } | null>(null);

  const fitWidth = viewport.width || undefined;
  const layout: DiagramLayout = useMemo(
    () => layoutDiagram(events, { fitWidth, ...layoutOptions, axis, filter, zoom }),
    [events, layoutOptions, axis, filter, zoom, fitWidth],
  );
  const arrowsById = useMemo(() => new Map(layout.arrows.map((a) => [a.id, a])), [layout]);

  // Selection: by id, by event, or our own.
  const selectedFromEvent = useMemo(() => {
    if (!selectedEvent) return null;
    return layout.arrows.find((a) => a.events.includes(selectedEvent))?.id ?? null;
  }, [layout, selectedEvent]);
  const selectedId = selectedIdProp !== undefined ? selectedIdProp : selectedEvent !== undefined ? selectedFromEvent : ownSelection;

  // Arrows that appeared since the previous layout get a brief entry
  // animation; not when many arrive at once (a fast replay, a reconnect).
  const count = layout.arrows.length;
  const [seen, setSeen] = useState({ count, freshFrom: count });
  if (seen.count !== count) {
    const added = count - seen.count;
    setSeen({ count, freshFrom: added > 0 && added <= MAX_ANIMATED ? seen.count : count });
  }

  // --- zoom -----------------------------------------------------------------
  const setZoom = useCallback(
    (next: number, anchorOffsetY?: number) => {
      const z = Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, Math.round(next * 1000) / 1000));
      if (z === zoomRef.current) return;
      const el = scrollRef.current;
      if (el) {
        const offsetY = anchorOffsetY ?? el.clientHeight / 2;
        anchorRef.current = { contentY: el.scrollTop + offsetY, offsetY, oldHeight: el.scrollHeight };
      }
      zoomRef.current = z;
      if (zoomProp === undefined) setZoomState(z);
      onZoomChange?.(z);
    },
    [zoomProp, onZoomChange],
  );

  useEffect(() => {
    zoomRef.current = zoom;
  }, [zoom]);

  // Ctrl/⌘ + wheel zooms (a non-passive listener, so the page does not zoom).
  useEffect(() => {
    const el = scrollRef.current;
    if (!el) return;
    const onWheel = (e: WheelEvent) => {
      if (!e.ctrlKey && !e.metaKey) return;
      e.preventDefault();
      const rect = el.getBoundingClientRect();
      setZoom(zoomRef.current * (e.deltaY < 0 ? ZOOM_STEP : 1 / ZOOM_STEP), e.clientY - rect.top);
    };
    el.addEventListener("wheel", onWheel, { passive: false });
    return () => el.removeEventListener("wheel", onWheel);
  }, [setZoom]);

  // --- scrolling and windowing ---------------------------------------------
  const readViewport = useCallback(() => {
    const el = scrollRef.current;
    if (!el) return;
    const atBottom = el.scrollTop + el.clientHeight >= el.scrollHeight - 24;
    atBottomRef.current = atBottom;
    setViewport((v) => {
      // Small width changes (a scrollbar appearing) do not re-fit the columns.
      const width = Math.abs(v.width - el.clientWidth) < 12 ? v.width : el.clientWidth;
      return v.top === el.scrollTop && v.height === el.clientHeight && v.width === width && v.atBottom === atBottom
        ? v
        : { top: el.scrollTop, height: el.clientHeight, width, atBottom };
    });
  }, []);

  const onScroll = useCallback(() => {
    if (frameRef.current) return;
    frameRef.current = requestAnimationFrame(() => {
      frameRef.current = 0;
      readViewport();
    });
  }, [readViewport]);

  useEffect(() => {
    const el = scrollRef.current;
    if (!el) return;
    const ro = new ResizeObserver(() => readViewport());
    ro.observe(el);
    return () => {
      ro.disconnect();
      if (frameRef.current) cancelAnimationFrame(frameRef.current);
      frameRef.current = 0;
    };
  }, [readViewport]);

  // After a zoom keep the anchored point still; otherwise follow the newest arrow.
  useLayoutEffect(() => {
    const el = scrollRef.current;
    if (!el) return;
    const anchor = anchorRef.current;
    if (anchor) {
      anchorRef.current = null;
      const ratio = el.scrollHeight / Math.max(1, anchor.oldHeight);
      el.scrollTop = Math.max(0, anchor.contentY * ratio - anchor.offsetY);
    } else if (follow && atBottomRef.current) {
      el.scrollTop = el.scrollHeight;
    }
    // The content changed height (and the browser may have clamped the
    // scroll position without a scroll event): re-read the viewport.
    onScroll();
  }, [layout.height, follow, onScroll]);

  const scrollToY = useCallback((y1: number, y2: number) => {
    const el = scrollRef.current;
    if (!el) return;
    const top = el.scrollTop + layout.headerHeight;
    const bottom = el.scrollTop + el.clientHeight;
    if (y1 - 40 < top) el.scrollTop = Math.max(0, y1 - 40 - layout.headerHeight - 8);
    else if (y2 + 16 > bottom) el.scrollTop = y2 + 16 - el.clientHeight + 8;
    const atBottom = el.scrollTop + el.clientHeight >= el.scrollHeight - 24;
    atBottomRef.current = atBottom;
    flushSync(() => setViewport((v) => ({ ...v, top: el.scrollTop, height: el.clientHeight, atBottom })));
  }, [layout.headerHeight]);

  const focusArrow = useCallback(
    (index: number) => {
      const a = layout.arrows[index];
      if (!a) return;
      scrollToY(a.y1, a.y2);
      svgRef.current?.querySelector<SVGGElement>(`[data-arrow-index="${index}"]`)?.focus({ preventScroll: true });
    },
    [layout, scrollToY],
  );

  // Bring an externally selected arrow (e.g. from the table) into view, once
  // per selection: new events arriving later must not pull the view back.
  const selectedArrow = selectedId ? arrowsById.get(selectedId) : undefined;
  const controlled = selectedIdProp !== undefined || selectedEvent !== undefined;
  const revealedRef = useRef<string | null>(null);
  useEffect(() => {
    if (!controlled || !selectedArrow || revealedRef.current === selectedArrow.id) return;
    revealedRef.current = selectedArrow.id;
    const el = scrollRef.current;
    if (!el) return;
    if (selectedArrow.y1 - 34 < el.scrollTop + layout.headerHeight || selectedArrow.y2 > el.scrollTop + el.clientHeight) {
      el.scrollTop = Math.max(0, selectedArrow.y1 - el.clientHeight / 2);
    }
  }, [controlled, selectedArrow, layout.headerHeight]);

  // --- interaction -----------------------------------------------------------
  const activate = useCallback(
    (a: DiagramArrow) => {
      if (selectedIdProp === undefined && selectedEvent === undefined) setOwnSelection(a.id);
      onSelect?.(a.events.length === 1 ? a.events[0] : a.events, a);
    },
    [onSelect, selectedIdProp, selectedEvent],
  );

  const navigate = useCallback(
    (a: DiagramArrow, key: string) => {
      const last = layout.arrows.length - 1;
      const i = key === "ArrowDown" ? a.index + 1 : key === "ArrowUp" ? a.index - 1 : key === "Home" ? 0 : last;
      focusArrow(Math.min(last, Math.max(0, i)));
    },
    [layout, focusArrow],
  );

  useImperativeHandle(
    ref,
    () => ({
      toSvgString() {
        if (!svgRef.current) return null;
        flushSync(() => setExporting(true));
        const svg = svgRef.current;
        let text: string | null = null;
        if (svg) {
          const clone = svg.cloneNode(true) as SVGSVGElement;
          clone.setAttribute("xmlns", "http://www.w3.org/2000/svg");
          clone.removeAttribute("class");
          clone.querySelectorAll("[tabindex]").forEach((n) => n.removeAttribute("tabindex"));
          text = `<?xml version="1.0" encoding="UTF-8"?>\n${new XMLSerializer().serializeToString(clone)}\n`;
        }
        flushSync(() => setExporting(false));
        return text;
      },
      scrollToArrow(id: string) {
        const a = arrowsById.get(id);
        if (a) scrollToY(a.y1, a.y2);
      },
      scrollToEnd() {
        const el = scrollRef.current;
        if (el) el.scrollTop = el.scrollHeight;
      },
    }),
    [arrowsById, scrollToY],
  );

  // --- what to draw ------------------------------------------------------------
  // The scroll position as it is now: clamped to the content (it may have
  // shrunk), and at the end while following the newest arrow.
  const maxTop = Math.max(0, layout.height - viewport.height);
  const top = follow && viewport.atBottom ? maxTop : Math.min(viewport.top, maxTop);
  const winTop = exporting ? -Infinity : top - OVERSCAN;
  const winBottom = exporting ? Infinity : top + viewport.height + OVERSCAN;
  const visible = useMemo(
    () => (exporting ? layout.arrows : arrowsInWindow(layout, winTop, winBottom, 0)),
    [layout, winTop, winBottom, exporting],
  );
  const ticks = useMemo(() => (exporting ? layout.ticks : inWindow(layout.ticks, winTop, winBottom)), [layout, winTop, winBottom, exporting]);
  const breaks = useMemo(() => (exporting ? layout.breaks : inWindow(layout.breaks, winTop - 200, winBottom)), [layout, winTop, winBottom, exporting]);
  const groups = layout.groups.filter((g) => g.y2 >= winTop && g.y1 <= winBottom);
  const retryLinks = visible
    .filter((a) => a.retryOf && arrowsById.has(a.retryOf))
    .map((a) => ({ to: a, from: arrowsById.get(a.retryOf!)! }));
  const modesPresent = useMemo(() => {
    const s = new Set<Mode>();
    for (const a of layout.arrows) s.add(a.mode);
    // Local work is drawn as notes, which the legend explains separately.
    return MODES_IN_ORDER.filter((m) => s.has(m) && m !== Mode.LOCAL);
  }, [layout]);

  const hh = layout.headerHeight;
  const headerBox = { y: 8, h: hh - 16 };
  const empty = layout.arrows.length === 0;
  const t = diagramTextFor(locale);
  const plural = (n: number, one: DiagramTextKey, many: DiagramTextKey) => (n === 1 ? t(one) : t(many, { n: n.toLocaleString("en") }));
  const counts = `${plural(layout.arrows.length, "arrowOne", "arrows")} · ${plural(layout.eventCount, "eventOne", "events")}`;

  return (
    <section className={[styles.root, className].filter(Boolean).join(" ")} aria-label={title}>
      {droppedCount > 0 ? (
        <p className={styles.dropped} role="status">
          {droppedCount === 1 ? t("droppedOne") : t("dropped", { n: droppedCount.toLocaleString("en") })}
        </p>
      ) : null}
      <div className={styles.toolbar}>
        <span className={styles.toolbarGroup} role="group" aria-label={t("zoomGroup")}>
          <button type="button" className={styles.button} onClick={() => setZoom(zoom / ZOOM_STEP)} disabled={zoom <= MIN_ZOOM} aria-label={t("zoomOut")}>
            −
          </button>
          <button type="button" className={styles.button} onClick={() => setZoom(1)} aria-label={t("zoomReset", { pct: Math.round(zoom * 100) })}>
            {Math.round(zoom * 100)}%
          </button>
          <button type="button" className={styles.button} onClick={() => setZoom(zoom * ZOOM_STEP)} disabled={zoom >= MAX_ZOOM} aria-label={t("zoomIn")}>
            +
          </button>
        </span>
        <span>
          {counts}
          {layout.eventCount < layout.totalEventCount ? t("filteredOf", { total: layout.totalEventCount.toLocaleString("en") }) : ""}
          {layout.durationMs > 0 ? ` · ${formatMs(layout.durationMs)}` : ""}
        </span>
        <span className={styles.srOnly}>{t("keysHint")}</span>
      </div>
      <div ref={scrollRef} className={styles.scroller} style={{ height, overflow: "auto", position: "relative" }} onScroll={onScroll} data-testid="diagram-scroller">
        {empty ? (
          <div className={styles.empty}>{emptyMessage ?? t("noTraffic")}</div>
        ) : (
          <>
            <div
              className={styles.stickyHeader}
              style={{ position: "sticky", top: 0, zIndex: 2, width: layout.width, height: hh, marginBottom: -hh, background: INK.background }}
              aria-hidden="true"
            >
              <svg width={layout.width} height={hh}>
                <LifelineHeaders lifelines={layout.lifelines} columnWidth={layout.columnWidth} y={headerBox.y} height={headerBox.h} />
              </svg>
            </div>
            <svg
              ref={svgRef}
              className={styles.canvas}
              width={layout.width}
              height={layout.height}
              viewBox={`0 0 ${layout.width} ${layout.height}`}
              role="group"
              aria-label={`${title}: ${layout.lifelines.map((l) => l.name).join(", ")}; ${layout.arrows.length} arrows`}
            >
              <rect x={0} y={0} width={layout.width} height={layout.height} fill={INK.background} />
              {layout.axis === "scale" ? (
                <TimeAxisView ticks={ticks} breaks={breaks} gutter={layout.gutter} width={layout.width} top={hh} bottom={layout.height} />
              ) : (
                <RowTimes arrows={visible} gutter={layout.gutter} format={formatOffset} />
              )}
              <LifelineLines lifelines={layout.lifelines} y1={hh} y2={layout.height} />
              <LifelineHeaders lifelines={layout.lifelines} columnWidth={layout.columnWidth} y={headerBox.y} height={headerBox.h} />
              {groups.map((g) => (
                <StreamGroupView key={g.spanId} group={g} color={modeColor(layout.arrows[g.first].mode)} />
              ))}
              {retryLinks.map(({ from, to }) => (
                <RetryLinkView key={`r-${to.id}`} from={from} to={to} />
              ))}
              <g>
                {visible.map((a) => (
                  <ArrowView
                    key={a.id}
                    arrow={a}
                    columnWidth={layout.columnWidth}
                    left={layout.gutter}
                    right={layout.width}
                    selected={a.id === selectedId}
                    fresh={!exporting && a.index >= seen.freshFrom}
                    onActivate={activate}
                    onNavigate={navigate}
                  />
                ))}
              </g>
            </svg>
          </>
        )}
      </div>
      {showLegend ? <Legend modes={modesPresent} locale={locale} /> : null}
    </section>
  );
}

function LineSample({ kind, color }: { kind: ArrowKind; color: string }) {
  const s = arrowStyle(kind);
  return (
    <svg width={44} height={12} aria-hidden="true">
      <line x1={2} y1={6} x2={s.head === "open" ? 41 : 34} y2={6} stroke={color} strokeWidth={1.75} strokeDasharray={s.dash} />
      {s.head === "open" ? (
        <polyline points="33,1.5 41,6 33,10.5" fill="none" stroke={color} strokeWidth={1.75} />
      ) : (
        <polygon points="32,1.5 41,6 32,10.5" fill={color} />
      )}
    </svg>
  );
}

const LEGEND_KINDS: { kind: ArrowKind; label: DiagramTextKey }[] = [
  { kind: "call", label: "legendCall" },
  { kind: "reply", label: "legendReply" },
  { kind: "async", label: "legendAsync" },
  { kind: "ack", label: "legendAck" },
  { kind: "stream", label: "legendStream" },
];

const LEGEND_MARKERS: { marker: ArrowMarker; label: DiagramTextKey }[] = [
  { marker: "error", label: "legendError" },
  { marker: "timeout", label: "legendTimeout" },
  { marker: "fault", label: "legendFault" },
  { marker: "dead-letter", label: "legendDeadLetter" },
];

/** Colour per mode, line style per arrow kind, shape per marker. */
export function Legend({ modes = MODES_IN_ORDER.filter((m) => m !== Mode.LOCAL), locale = "en" }: { modes?: readonly Mode[]; locale?: Locale }) {
  const t = diagramTextFor(locale);
  return (
    <ul className={styles.legend} aria-label={t("legend")}>
      {modes.map((m) => (
        <li key={`m${m}`} className={styles.legendItem}>
          <LineSample kind="call" color={modeColor(m)} />
          {modeLabel(m)}
        </li>
      ))}
      {LEGEND_KINDS.map(({ kind, label }) => (
        <li key={kind} className={styles.legendItem}>
          <LineSample kind={kind} color={INK.muted} />
          {t(label)}
        </li>
      ))}
      <li className={styles.legendItem}>
        <svg width={22} height={16} aria-hidden="true">
          <rect x={1} y={2} width={20} height={12} rx={2} fill={INK.noteFill} stroke={INK.noteStroke} />
        </svg>
        {t("legendNote")}
      </li>
      {LEGEND_MARKERS.map(({ marker, label }) => (
        <li key={marker} className={styles.legendItem} style={{ color: MARKER_COLORS[marker] }}>
          <svg width={18} height={18} aria-hidden="true">
            <MarkerIcon marker={marker} x={9} y={9} />
          </svg>
          {t(label)}
        </li>
      ))}
    </ul>
  );
}
