"use client";

import { useId, useRef, useState, type ChangeEvent } from "react";
import {
  importTrace,
  kindLabel,
  layoutDiagram,
  modeLabel,
  PLAYBACK_SPEEDS,
  toMermaid,
  type ArrowKind,
  type DiagramFilter,
  type Facets,
  type PlaybackSpeed,
  type TimeAxis,
} from "@/lib/diagram";
import type { EventKind, Mode, TraceEvent } from "@/lib/gen/lab/v1/trace_pb";
import { downloadText, fileStamp, wholeTraceJson } from "./download";
import { modeColor } from "./theme";
import type { TracePlayback } from "./use-trace-playback";
import styles from "./diagram.module.css";

export interface DiagramExports {
  /** The events to export (what is shown, before chip filters). */
  events: readonly TraceEvent[];
  /** Filter applied to the Mermaid export (what the diagram shows). */
  filter?: DiagramFilter;
  /** Serialized SVG of the rendered diagram (SequenceDiagramHandle.toSvgString). */
  getSvg?: () => string | null;
  /** File name prefix. Default "wirelab-trace". */
  fileBase?: string;
}

export interface DiagramControlsProps {
  playback: TracePlayback;
  axis: TimeAxis;
  onAxisChange: (axis: TimeAxis) => void;
  filter: DiagramFilter;
  onFilterChange: (filter: DiagramFilter) => void;
  /** What can be filtered: the modes, participants and kinds present (collectFacets). */
  facets: Facets;
  exports?: DiagramExports;
  /** Called with the events of an imported file (after the replay starts). */
  onImported?: (events: TraceEvent[], fileName: string) => void;
  className?: string;
}

const NOISE: readonly ArrowKind[] = ["ack", "control"];
const ALL_BUT_NOISE: readonly ArrowKind[] = ["call", "reply", "async", "delivery", "stream", "self"];

function toggle<T>(list: readonly T[] | undefined, v: T): T[] {
  const s = new Set(list ?? []);
  if (s.has(v)) s.delete(v);
  else s.add(v);
  return [...s];
}

/** Playback, axis, filter chips, export and import for a trace diagram. */
export function DiagramControls({
  playback: p,
  axis,
  onAxisChange,
  filter,
  onFilterChange,
  facets,
  exports,
  onImported,
  className,
}: DiagramControlsProps) {
  const fileRef = useRef<HTMLInputElement>(null);
  const [importError, setImportError] = useState<string | null>(null);
  const [importNote, setImportNote] = useState<string | null>(null);
  const speedId = useId();
  const fileId = useId();

  const status =
    p.mode === "replay"
      ? `${p.imported ? "Imported trace" : "Replay"} · ${p.position}/${p.total} events${p.ended ? " · done" : p.paused ? " · paused" : ` · ${p.speed}×`}`
      : p.paused
        ? `Paused · ${p.position} shown${p.bufferedCount ? ` · ${p.bufferedCount} new event${p.bufferedCount === 1 ? "" : "s"} waiting` : ""}`
        : `Live · ${p.total} event${p.total === 1 ? "" : "s"}`;

  const hideNoise = !!filter.arrowKinds?.length;
  const filtered = !!(filter.modes?.length || filter.participants?.length || filter.kinds?.length || hideNoise);

  const base = exports?.fileBase ?? "wirelab-trace";
  const exportJson = async () => {
    if (!exports) return;
    // Whole events: the live stream's light ones are fetched first.
    downloadText(await wholeTraceJson(exports.events), `${fileStamp(base)}.json`, "application/json");
  };
  const exportMermaid = () => {
    if (!exports) return;
    const layout = layoutDiagram(exports.events, { axis: "compact", filter: exports.filter });
    downloadText(toMermaid(layout, { title: "Wirelab trace" }), `${fileStamp(base)}.mmd`, "text/plain");
  };
  const exportSvg = () => {
    const svg = exports?.getSvg?.();
    if (svg) downloadText(svg, `${fileStamp(base)}.svg`, "image/svg+xml");
  };

  const onFile = async (e: ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0];
    e.target.value = "";
    if (!file) return;
    setImportError(null);
    setImportNote(null);
    let text: string;
    try {
      text = await file.text();
    } catch (err) {
      setImportError(`Could not read ${file.name}: ${(err as Error).message}`);
      return;
    }
    const result = importTrace(text);
    if (!result.ok) {
      setImportError(`${file.name}: ${result.error}`);
      return;
    }
    p.replay(result.events, { imported: true });
    setImportNote(
      `Replaying ${result.events.length} events from ${file.name}${result.warnings.length ? `. ${result.warnings.join(" ")}` : ""}`,
    );
    onImported?.(result.events, file.name);
  };

  return (
    <div className={[styles.controls, className].filter(Boolean).join(" ")}>
      <div className={styles.row}>
        <div className={styles.group} role="group" aria-label="Playback">
          <button type="button" className={`${styles.button} ${styles.primary}`} onClick={p.togglePause} aria-pressed={p.paused}>
            {p.paused ? (p.mode === "replay" && p.ended ? "↺ Play again" : "▶ Resume") : "❚❚ Pause"}
          </button>
          <button type="button" className={styles.button} onClick={p.stepBack} disabled={p.position === 0} aria-label="Back: step back one event">
            ◀ Back
          </button>
          <button
            type="button"
            className={styles.button}
            onClick={p.stepForward}
            disabled={p.mode === "replay" ? p.position >= p.total : p.paused && p.bufferedCount === 0}
            aria-label="Next: step forward one event"
          >
            Next ▶
          </button>
          <button type="button" className={styles.button} onClick={p.clear} disabled={p.position === 0 && p.mode === "live"}>
            Clear
          </button>
          <button type="button" className={styles.button} onClick={() => p.replay()} disabled={p.mode === "live" && p.total === 0}>
            ↺ Replay from start
          </button>
          <label htmlFor={speedId} className={styles.groupLabel}>
            Speed
          </label>
          <select
            id={speedId}
            className={styles.select}
            value={p.speed}
            onChange={(e) => p.setSpeed(Number(e.target.value) as PlaybackSpeed)}
          >
            {PLAYBACK_SPEEDS.map((s) => (
              <option key={s} value={s}>
                {s}×
              </option>
            ))}
          </select>
          {p.mode === "replay" ? (
            <button type="button" className={styles.button} onClick={p.goLive}>
              ● Back to live
            </button>
          ) : null}
        </div>
        <span className={p.mode === "live" && !p.paused ? `${styles.status} ${styles.live}` : styles.status} role="status" aria-live="polite">
          {status}
        </span>
      </div>

      <div className={styles.row}>
        <div className={styles.group} role="group" aria-label="Time axis">
          <span className={styles.groupLabel}>Time axis</span>
          <button type="button" className={styles.button} aria-pressed={axis === "scale"} onClick={() => onAxisChange("scale")}>
            To scale
          </button>
          <button type="button" className={styles.button} aria-pressed={axis === "compact"} onClick={() => onAxisChange("compact")}>
            Compact
          </button>
        </div>
        <div className={styles.group} role="group" aria-label="Export and import">
          <span className={styles.groupLabel}>Export</span>
          <button type="button" className={styles.button} onClick={() => void exportJson()} disabled={!exports?.events.length} aria-label="Export the trace as JSON">
            JSON
          </button>
          <button type="button" className={styles.button} onClick={exportSvg} disabled={!exports?.getSvg || !exports.events.length} aria-label="Export the diagram as SVG">
            SVG
          </button>
          <button type="button" className={styles.button} onClick={exportMermaid} disabled={!exports?.events.length} aria-label="Export the diagram as Mermaid text">
            Mermaid
          </button>
          <input
            ref={fileRef}
            id={fileId}
            type="file"
            accept=".json,application/json"
            className={styles.fileInput}
            onChange={onFile}
            tabIndex={-1}
            aria-hidden="true"
          />
          <button type="button" className={styles.button} onClick={() => fileRef.current?.click()} aria-label="Import JSON: a trace file to replay">
            Import JSON…
          </button>
        </div>
      </div>
      {importError ? (
        <p className={styles.error} role="alert">
          {importError}
        </p>
      ) : null}
      {importNote && !importError ? (
        <p className={styles.status} role="status">
          {importNote}
        </p>
      ) : null}

      <div className={styles.row}>
        <ChipGroup
          label="Modes"
          values={facets.modes}
          selected={filter.modes}
          text={(m: Mode) => modeLabel(m)}
          swatch={(m: Mode) => modeColor(m)}
          onToggle={(m) => onFilterChange({ ...filter, modes: toggle(filter.modes, m) })}
        />
        <ChipGroup
          label="Participants"
          values={facets.participants}
          selected={filter.participants}
          text={(x: string) => x}
          onToggle={(x) => onFilterChange({ ...filter, participants: toggle(filter.participants, x) })}
        />
      </div>
      <div className={styles.row}>
        <ChipGroup
          label="Kinds"
          values={facets.kinds}
          selected={filter.kinds}
          text={(k: EventKind) => kindLabel(k)}
          onToggle={(k) => onFilterChange({ ...filter, kinds: toggle(filter.kinds, k) })}
        />
        <div className={styles.group} role="group" aria-label="Noise">
          <button
            type="button"
            className={styles.chip}
            aria-pressed={hideNoise}
            onClick={() => onFilterChange({ ...filter, arrowKinds: hideNoise ? undefined : ALL_BUT_NOISE })}
            title={`Hides ${NOISE.join(" and ")} arrows (MQTT acks, CONNECT, SUBSCRIBE, pings, connections)`}
          >
            Hide acks &amp; control
          </button>
          <button type="button" className={styles.button} onClick={() => onFilterChange({})} disabled={!filtered}>
            Show all
          </button>
        </div>
      </div>
    </div>
  );
}

interface ChipGroupProps<T> {
  label: string;
  values: readonly T[];
  selected: readonly T[] | undefined;
  text: (v: T) => string;
  swatch?: (v: T) => string;
  onToggle: (v: T) => void;
}

/** "Show only" chips: none pressed shows everything. */
function ChipGroup<T extends string | number>({ label, values, selected, text, swatch, onToggle }: ChipGroupProps<T>) {
  if (!values.length) return null;
  const on = new Set(selected ?? []);
  return (
    <div className={styles.group} role="group" aria-label={`Show only these ${label.toLowerCase()}`}>
      <span className={styles.groupLabel}>{label}</span>
      {values.map((v) => (
        <button key={String(v)} type="button" className={styles.chip} aria-pressed={on.has(v)} onClick={() => onToggle(v)}>
          {swatch ? <span className={styles.swatch} style={{ background: swatch(v) }} aria-hidden="true" /> : null}
          {text(v)}
        </button>
      ))}
    </div>
  );
}
