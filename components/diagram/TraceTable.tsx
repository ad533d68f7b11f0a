"use client";

import { useCallback, useId, useMemo, useRef, useState, type KeyboardEvent } from "react";
import { flushSync } from "react-dom";
import {
  eventLabel,
  eventStatus,
  formatBytes,
  formatMs,
  formatOffset,
  kindLabel,
  kindText,
  markerOf,
  MARKER_WORDS,
  modeLabel,
  KINDS_IN_ORDER,
  MODES_IN_ORDER,
  type ArrowMarker,
} from "@/lib/diagram";
import { diagramTextFor, type DiagramTextKey } from "@/lib/diagram/diagram-text";
import type { EventKind, Mode, TraceEvent } from "@/lib/gen/lab/v1/trace_pb";
import type { Locale } from "@/lib/lessons/types";
import { modeColor } from "./theme";
import styles from "./diagram.module.css";

type SortKey = "time" | "from" | "to" | "mode" | "kind" | "label" | "status" | "latency" | "bytes" | "span";
type SortDir = "ascending" | "descending";

interface Row {
  e: TraceEvent;
  /** Position in the input. */
  i: number;
  t: number;
  label: string;
  status: string;
  latency: number;
  bytes: number;
  marker?: ArrowMarker;
  search: string;
}

const COLUMNS: { key: SortKey; title: DiagramTextKey; numeric?: boolean }[] = [
  { key: "time", title: "colTime", numeric: true },
  { key: "from", title: "colFrom" },
  { key: "to", title: "colTo" },
  { key: "mode", title: "colMode" },
  { key: "kind", title: "colKind" },
  { key: "label", title: "colLabel" },
  { key: "status", title: "colStatus" },
  { key: "latency", title: "colLatency", numeric: true },
  { key: "bytes", title: "colBytes", numeric: true },
  { key: "span", title: "colSpan" },
];

const ROW_H = 32;
const OVERSCAN_ROWS = 12;

export interface TraceTableProps {
  events: readonly TraceEvent[];
  /** Enter, Space or click on a row. */
  onSelect?: (event: TraceEvent) => void;
  selectedEvent?: TraceEvent | null;
  caption?: string;
  /** Height of the scrolling area. Default 480. */
  height?: number | string;
  /** Epoch ms of time zero. Default: the earliest event. */
  t0?: number;
  className?: string;
  /** The table's language (the trace's own text stays as recorded). */
  locale?: Locale;
}

function compare(a: Row, b: Row, key: SortKey): number {
  switch (key) {
    case "time":
      return a.t - b.t || a.i - b.i;
    case "latency":
      return a.latency - b.latency;
    case "bytes":
      return a.bytes - b.bytes;
    case "mode":
      return a.e.mode - b.e.mode;
    case "kind":
      return a.e.kind - b.e.kind;
    case "from":
      return a.e.from.localeCompare(b.e.from);
    case "to":
      return a.e.to.localeCompare(b.e.to);
    case "label":
      return a.label.localeCompare(b.label);
    case "status":
      return a.status.localeCompare(b.status);
    case "span":
      return a.e.spanId.localeCompare(b.e.spanId);
  }
}

/** Accessible, sortable, filterable table of trace events; windowed for large traces. */
export function TraceTable({ events, onSelect, selectedEvent, caption = "Trace events", height = 480, t0, className, locale = "en" }: TraceTableProps) {
  const tx = diagramTextFor(locale);
  const [sort, setSort] = useState<{ key: SortKey; dir: SortDir }>({ key: "time", dir: "ascending" });
  const [text, setText] = useState("");
  const [mode, setMode] = useState<Mode | "all">("all");
  const [kind, setKind] = useState<EventKind | "all">("all");
  const [active, setActive] = useState(0);
  const [scrollTop, setScrollTop] = useState(0);
  const [viewH, setViewH] = useState(480);
  const [ownSelected, setOwnSelected] = useState<TraceEvent | null>(null);
  const wrapRef = useRef<HTMLDivElement>(null);
  const textId = useId();
  const modeId = useId();
  const kindId = useId();
  const selected = selectedEvent !== undefined ? selectedEvent : ownSelected;

  const rows = useMemo<Row[]>(() => {
    let origin = t0 ?? Infinity;
    if (t0 === undefined) for (const e of events) origin = Math.min(origin, e.timeUnixMs);
    return events.map((e, i) => {
      const label = eventLabel(e);
      const status = eventStatus(e) ?? "";
      const b = e.bytes;
      const marker = markerOf([e]);
      return {
        e,
        i,
        t: e.timeUnixMs - origin,
        label,
        status,
        latency: e.durationMs,
        bytes: b ? b.header + b.body + b.framing : 0,
        marker,
        search: `${e.from} ${e.to} ${label} ${status} ${e.spanId} ${e.error} ${e.mqtt?.topic ?? ""} ${e.http?.path ?? ""} ${modeLabel(e.mode)} ${kindLabel(e.kind)} ${kindText(e.kind, locale)}`.toLowerCase(),
      };
    });
  }, [events, t0, locale]);

  const modes = useMemo(() => MODES_IN_ORDER.filter((m) => rows.some((r) => r.e.mode === m)), [rows]);
  const kinds = useMemo(() => KINDS_IN_ORDER.filter((k) => rows.some((r) => r.e.kind === k)), [rows]);

  const shown = useMemo(() => {
    const q = text.trim().toLowerCase();
    const out = rows.filter((r) => (mode === "all" || r.e.mode === mode) && (kind === "all" || r.e.kind === kind) && (!q || r.search.includes(q)));
    out.sort((a, b) => compare(a, b, sort.key) * (sort.dir === "ascending" ? 1 : -1) || a.i - b.i);
    return out;
  }, [rows, text, mode, kind, sort]);

  const activeIndex = Math.min(active, Math.max(0, shown.length - 1));
  const first = Math.max(0, Math.floor(scrollTop / ROW_H) - OVERSCAN_ROWS);
  const last = Math.min(shown.length, Math.ceil((scrollTop + viewH) / ROW_H) + OVERSCAN_ROWS);
  const windowRows = shown.slice(first, last);
  const tabStop = activeIndex >= first && activeIndex < last ? activeIndex : first;

  const onScroll = () => {
    const el = wrapRef.current;
    if (!el) return;
    setScrollTop(el.scrollTop);
    setViewH(el.clientHeight);
  };

  const choose = useCallback(
    (r: Row, index: number) => {
      setActive(index);
      if (selectedEvent === undefined) setOwnSelected(r.e);
      onSelect?.(r.e);
    },
    [onSelect, selectedEvent],
  );

  const moveTo = (index: number) => {
    const el = wrapRef.current;
    const i = Math.min(shown.length - 1, Math.max(0, index));
    if (!el || i < 0) return;
    // Rows start below the caption and header; the header stays stuck on top.
    const thead = el.querySelector("thead");
    const theadH = thead?.offsetHeight ?? ROW_H;
    const rowTop = (thead ? thead.offsetTop + theadH : 72) + i * ROW_H;
    if (rowTop < el.scrollTop + theadH) el.scrollTop = Math.max(0, rowTop - theadH);
    else if (rowTop + ROW_H > el.scrollTop + el.clientHeight) el.scrollTop = rowTop + ROW_H - el.clientHeight;
    flushSync(() => {
      setActive(i);
      setScrollTop(el.scrollTop);
      setViewH(el.clientHeight);
    });
    el.querySelector<HTMLTableRowElement>(`tr[data-row="${i}"]`)?.focus({ preventScroll: true });
  };

  const onKeyDown = (e: KeyboardEvent<HTMLTableSectionElement>) => {
    const target = (e.target as HTMLElement).closest("tr[data-row]");
    if (!target) return;
    const i = Number(target.getAttribute("data-row"));
    const page = Math.max(1, Math.floor((wrapRef.current?.clientHeight ?? 400) / ROW_H) - 2);
    switch (e.key) {
      case "ArrowDown":
        moveTo(i + 1);
        break;
      case "ArrowUp":
        moveTo(i - 1);
        break;
      case "PageDown":
        moveTo(i + page);
        break;
      case "PageUp":
        moveTo(i - page);
        break;
      case "Home":
        moveTo(0);
        break;
      case "End":
        moveTo(shown.length - 1);
        break;
      case "Enter":
      case " ":
        choose(shown[i], i);
        break;
      default:
        return;
    }
    e.preventDefault();
  };

  const sortBy = (key: SortKey) =>
    setSort((s) => (s.key === key ? { key, dir: s.dir === "ascending" ? "descending" : "ascending" } : { key, dir: "ascending" }));

  return (
    <div className={[styles.root, className].filter(Boolean).join(" ")}>
      <div className={styles.row} role="search" aria-label={tx("filterEvents")}>
        <label htmlFor={textId} className={styles.groupLabel}>
          {tx("filter")}
        </label>
        <input
          id={textId}
          className={styles.input}
          type="search"
          placeholder={tx("filterPlaceholder")}
          value={text}
          onChange={(e) => setText(e.target.value)}
        />
        <label htmlFor={modeId} className={styles.groupLabel}>
          {tx("colMode")}
        </label>
        <select id={modeId} className={styles.select} value={mode} onChange={(e) => setMode(e.target.value === "all" ? "all" : (Number(e.target.value) as Mode))}>
          <option value="all">{tx("allModes")}</option>
          {modes.map((m) => (
            <option key={m} value={m}>
              {modeLabel(m)}
            </option>
          ))}
        </select>
        <label htmlFor={kindId} className={styles.groupLabel}>
          {tx("colKind")}
        </label>
        <select id={kindId} className={styles.select} value={kind} onChange={(e) => setKind(e.target.value === "all" ? "all" : (Number(e.target.value) as EventKind))}>
          <option value="all">{tx("allKinds")}</option>
          {kinds.map((k) => (
            <option key={k} value={k}>
              {kindText(k, locale)}
            </option>
          ))}
        </select>
      </div>
      <div ref={wrapRef} className={styles.tableWrap} style={{ height, overflow: "auto" }} onScroll={onScroll}>
        <table className={styles.table} aria-rowcount={shown.length + 1}>
          <caption>
            {tx("tableSummary", {
              caption,
              shown: shown.length.toLocaleString("en"),
              total: rows.length.toLocaleString("en"),
              column: tx(COLUMNS.find((c) => c.key === sort.key)?.title ?? "colTime").toLowerCase(),
              dir: tx(sort.dir),
            })}
          </caption>
          <thead>
            <tr aria-rowindex={1}>
              {COLUMNS.map((c) => (
                <th key={c.key} scope="col" aria-sort={sort.key === c.key ? sort.dir : undefined}>
                  <button type="button" className={styles.sortButton} onClick={() => sortBy(c.key)}>
                    {tx(c.title)}
                    <span aria-hidden="true">{sort.key === c.key ? (sort.dir === "ascending" ? "▲" : "▼") : ""}</span>
                  </button>
                </th>
              ))}
            </tr>
          </thead>
          <tbody onKeyDown={onKeyDown}>
            {first > 0 ? (
              <tr className={styles.spacer} aria-hidden="true" style={{ height: first * ROW_H }}>
                <td colSpan={COLUMNS.length} />
              </tr>
            ) : null}
            {windowRows.map((r, k) => {
              const index = first + k;
              const isSel = selected === r.e;
              return (
                <tr
                  key={`${r.i}`}
                  data-row={index}
                  aria-rowindex={index + 2}
                  aria-selected={isSel}
                  tabIndex={index === tabStop ? 0 : -1}
                  className={styles.tableRow}
                  onClick={() => choose(r, index)}
                  onFocus={() => (index !== activeIndex ? setActive(index) : undefined)}
                >
                  <td className={styles.mono}>{formatOffset(r.t)}</td>
                  <td title={r.e.from}>{r.e.from}</td>
                  <td title={r.e.to}>{r.e.to}</td>
                  <td>
                    <span className={styles.swatch} style={{ background: modeColor(r.e.mode), marginRight: 6 }} aria-hidden="true" />
                    {modeLabel(r.e.mode)}
                  </td>
                  <td>{kindText(r.e.kind, locale)}</td>
                  <td title={r.label}>{r.label}</td>
                  <td className={r.marker && r.marker !== "fault" ? styles.bad : undefined} title={r.e.error || r.status}>
                    {r.marker ? `${MARKER_WORDS[r.marker]} ` : ""}
                    {r.status}
                  </td>
                  <td className={styles.mono}>{r.latency > 0 ? formatMs(r.latency) : ""}</td>
                  <td className={styles.mono}>{r.bytes > 0 ? formatBytes(r.bytes) : ""}</td>
                  <td className={styles.mono} title={r.e.spanId}>
                    {r.e.spanId}
                  </td>
                </tr>
              );
            })}
            {last < shown.length ? (
              <tr className={styles.spacer} aria-hidden="true" style={{ height: (shown.length - last) * ROW_H }}>
                <td colSpan={COLUMNS.length} />
              </tr>
            ) : null}
          </tbody>
        </table>
        {shown.length === 0 ? <p className={styles.empty}>{rows.length ? tx("noMatch") : tx("noEvents")}</p> : null}
      </div>
    </div>
  );
}
