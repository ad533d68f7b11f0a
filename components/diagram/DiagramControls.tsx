"use client";

import { useId, useRef, useState, type ChangeEvent } from "react";
import {
  importTrace,
  kindText,
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
import { diagramTextFor } from "@/lib/diagram/diagram-text";
import type { EventKind, Mode, TraceEvent } from "@/lib/gen/lab/v1/trace_pb";
import type { Locale } from "@/lib/lessons/types";
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
  /** The controls' language (the trace's own text stays as recorded). */
  locale?: Locale;
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
  locale = "en",
}: DiagramControlsProps) {
  const fileRef = useRef<HTMLInputElement>(null);
  const [importError, setImportError] = useState<string | null>(null);
  const [importNote, setImportNote] = useState<string | null>(null);
  const speedId = useId();
  const fileId = useId();

  const t = diagramTextFor(locale);
  const status =
    p.mode === "replay"
      ? `${t(p.imported ? "statusImported" : "statusReplay", { position: p.position, total: p.total })}${p.ended ? t("statusDone") : p.paused ? t("statusPaused") : ` · ${p.speed}×`}`
      : p.paused
        ? `${t("statusPausedLive", { position: p.position })}${p.bufferedCount ? (p.bufferedCount === 1 ? t("statusWaitingOne") : t("statusWaiting", { n: p.bufferedCount })) : ""}`
        : p.total === 1
          ? t("statusLiveOne")
          : t("statusLive", { n: p.total });

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
      setImportError(t("readFailed", { file: file.name, error: (err as Error).message }));
      return;
    }
    const result = importTrace(text);
    if (!result.ok) {
      setImportError(`${file.name}: ${result.error}`);
      return;
    }
    p.replay(result.events, { imported: true });
    setImportNote(
      `${t("replaying", { n: result.events.length, file: file.name })}${result.warnings.length ? `. ${result.warnings.join(" ")}` : ""}`,
    );
    onImported?.(result.events, file.name);
  };

  return (
    <div className={[styles.controls, className].filter(Boolean).join(" ")}>
      <div className={styles.row}>
        <div className={styles.group} role="group" aria-label={t("playback")}>
          <button type="button" className={`${styles.button} ${styles.primary}`} onClick={p.togglePause} aria-pressed={p.paused}>
            {p.paused ? (p.mode === "replay" && p.ended ? t("playAgain") : t("resume")) : t("pause")}
          </button>
          <button type="button" className={styles.button} onClick={p.stepBack} disabled={p.position === 0} aria-label={t("backLabel")}>
            {t("back")}
          </button>
          <button
            type="button"
            className={styles.button}
            onClick={p.stepForward}
            disabled={p.mode === "replay" ? p.position >= p.total : p.paused && p.bufferedCount === 0}
            aria-label={t("nextLabel")}
          >
            {t("next")}
          </button>
          <button type="button" className={styles.button} onClick={p.clear} disabled={p.position === 0 && p.mode === "live"}>
            {t("clear")}
          </button>
          <button type="button" className={styles.button} onClick={() => p.replay()} disabled={p.mode === "live" && p.total === 0}>
            {t("replay")}
          </button>
          <label htmlFor={speedId} className={styles.groupLabel}>
            {t("speed")}
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
              {t("backToLive")}
            </button>
          ) : null}
        </div>
        <span className={p.mode === "live" && !p.paused ? `${styles.status} ${styles.live}` : styles.status} role="status" aria-live="polite">
          {status}
        </span>
      </div>

      <div className={styles.row}>
        <div className={styles.group} role="group" aria-label={t("timeAxis")}>
          <span className={styles.groupLabel}>{t("timeAxis")}</span>
          <button type="button" className={styles.button} aria-pressed={axis === "scale"} onClick={() => onAxisChange("scale")}>
            {t("toScale")}
          </button>
          <button type="button" className={styles.button} aria-pressed={axis === "compact"} onClick={() => onAxisChange("compact")}>
            {t("compact")}
          </button>
        </div>
        <div className={styles.group} role="group" aria-label={t("exportImport")}>
          <span className={styles.groupLabel}>{t("export")}</span>
          <button type="button" className={styles.button} onClick={() => void exportJson()} disabled={!exports?.events.length} aria-label={t("exportJson")}>
            JSON
          </button>
          <button type="button" className={styles.button} onClick={exportSvg} disabled={!exports?.getSvg || !exports.events.length} aria-label={t("exportSvg")}>
            SVG
          </button>
          <button type="button" className={styles.button} onClick={exportMermaid} disabled={!exports?.events.length} aria-label={t("exportMermaid")}>
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
          <button type="button" className={styles.button} onClick={() => fileRef.current?.click()} aria-label={t("importJsonLabel")}>
            {t("importJson")}
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
          label={t("modes")}
          showOnly={(what) => t("showOnly", { what })}
          values={facets.modes}
          selected={filter.modes}
          text={(m: Mode) => modeLabel(m)}
          swatch={(m: Mode) => modeColor(m)}
          onToggle={(m) => onFilterChange({ ...filter, modes: toggle(filter.modes, m) })}
        />
        <ChipGroup
          label={t("participants")}
          showOnly={(what) => t("showOnly", { what })}
          values={facets.participants}
          selected={filter.participants}
          text={(x: string) => x}
          onToggle={(x) => onFilterChange({ ...filter, participants: toggle(filter.participants, x) })}
        />
      </div>
      <div className={styles.row}>
        <ChipGroup
          label={t("kinds")}
          showOnly={(what) => t("showOnly", { what })}
          values={facets.kinds}
          selected={filter.kinds}
          text={(k: EventKind) => kindText(k, locale)}
          onToggle={(k) => onFilterChange({ ...filter, kinds: toggle(filter.kinds, k) })}
        />
        <div className={styles.group} role="group" aria-label={t("noise")}>
          <button
            type="button"
            className={styles.chip}
            aria-pressed={hideNoise}
            onClick={() => onFilterChange({ ...filter, arrowKinds: hideNoise ? undefined : ALL_BUT_NOISE })}
            title={t("hideNoiseTitle", { kinds: NOISE.join(t("and")) })}
          >
            {t("hideNoise")}
          </button>
          <button type="button" className={styles.button} onClick={() => onFilterChange({})} disabled={!filtered}>
            {t("showAll")}
          </button>
        </div>
      </div>
    </div>
  );
}

interface ChipGroupProps<T> {
  label: string;
  /** The group's accessible name: "Show only these <label>". */
  showOnly: (what: string) => string;
  values: readonly T[];
  selected: readonly T[] | undefined;
  text: (v: T) => string;
  swatch?: (v: T) => string;
  onToggle: (v: T) => void;
}

/** "Show only" chips: none pressed shows everything. */
function ChipGroup<T extends string | number>({ label, showOnly, values, selected, text, swatch, onToggle }: ChipGroupProps<T>) {
  if (!values.length) return null;
  const on = new Set(selected ?? []);
  return (
    <div className={styles.group} role="group" aria-label={showOnly(label.toLowerCase())}>
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
