"use client";

import { Component, useCallback, useId, useMemo, useRef, useState, type ErrorInfo, type KeyboardEvent, type ReactNode } from "react";
import { EventKind, Mode, type TraceEvent } from "@/lib/gen/lab/v1/trace_pb";
import { highlightsAt, type ByteBreakdown } from "@/lib/wire";
import { KIND_LABEL, MODE_LABEL } from "@/components/trace/event-format";
import { isLight } from "@/components/trace/whole-events";
import { DecodedBody, LinkContext, type LinkState } from "./DecodedBody";
import { HexDump, TONE_LABELS, toneClass } from "./HexDump";
import {
  formatBytes,
  formatMs,
  formatTime,
  hexOffset,
  linkTargets,
  primaryEventIndex,
  safeBreakdown,
  safeInspect,
  selectionKey,
  targetAt,
  toEventList,
} from "./model";
import { useWholeEvents } from "./use-whole-events";
import styles from "./inspector.module.css";

export type BodyView = "decoded" | "hex" | "both";

export interface WireInspectorProps {
  /**
   * What to inspect: one event (a table row), the events of one arrow (e.g.
   * REQUEST_SENT + REQUEST_RECEIVED of a span: the one with the most
   * information is shown first, with a switcher), or nothing.
   */
  event: TraceEvent | readonly TraceEvent[] | null | undefined;
  /** Shows a close button (and closes on Escape) when given. */
  onClose?: () => void;
  /** Height limit of the panel; its content scrolls inside. Default "80vh". */
  maxHeight?: number | string;
  /** Initial body view. Default "decoded". */
  defaultBodyView?: BodyView;
  /** Hex dump bytes per row; by default 16 when the column is wide enough, else 8. */
  bytesPerRow?: 8 | 16;
  className?: string;
}

/**
 * Explains one trace event's bytes: summary, byte breakdown, headers, and the body decoded and as hex.
 * A light event (from the page's light trace stream) is fetched whole first, with a short loading state.
 */
export function WireInspector({ event, onClose, maxHeight = "80vh", defaultBodyView = "decoded", bytesPerRow, className }: WireInspectorProps) {
  const given = useMemo(() => toEventList(event), [event]);
  const whole = useWholeEvents(given);
  const events = whole.events;
  const key = selectionKey(events);
  const best = primaryEventIndex(events);
  const [picked, setPicked] = useState<{ key: string; index: number } | null>(null);
  const index = picked && picked.key === key && picked.index < events.length ? picked.index : best;
  const [bodyView, setBodyView] = useState<BodyView>(defaultBodyView);
  const headingId = useId();
  const selected = index >= 0 ? events[index] : undefined;

  const onKeyDown = (e: KeyboardEvent<HTMLElement>) => {
    if (e.key === "Escape" && onClose) {
      e.stopPropagation();
      onClose();
    }
  };

  return (
    <aside
      className={[styles.root, className].filter(Boolean).join(" ")}
      style={{ maxHeight }}
      aria-labelledby={headingId}
      onKeyDown={onKeyDown}
    >
      <header className={styles.header}>
        <h2 id={headingId} className={styles.title}>
          Wire inspector
          {selected?.summary ? <span className={styles.titleSummary}> · {selected.summary}</span> : null}
        </h2>
        {onClose ? (
          <button type="button" className={styles.close} onClick={onClose} aria-label="Close the inspector" title="Close (Esc)">
            ×
          </button>
        ) : null}
      </header>
      {!selected ? (
        <p className={styles.hint}>Select an arrow or a row to inspect its bytes.</p>
      ) : whole.loading ? (
        <p className={styles.hint} role="status" aria-live="polite" data-testid="inspector-loading">
          Loading the bytes and headers…
        </p>
      ) : (
        <div className={styles.scroll}>
          {events.length > 1 ? (
            <div className={styles.switcher} role="group" aria-label="Events of this arrow">
              <span className={styles.switcherLabel}>Recorded by</span>
              {events.map((e, i) => (
                <button
                  key={i}
                  type="button"
                  className={styles.switch}
                  aria-pressed={i === index}
                  onClick={() => setPicked({ key, index: i })}
                  title={`${KIND_LABEL[e.kind] ?? "event"} recorded by ${e.observer || "?"}${e.wire?.length ? `, ${e.wire.length} bytes captured` : ""}`}
                >
                  {e.observer || "?"} <span className={styles.switchKind}>{KIND_LABEL[e.kind] ?? "event"}</span>
                  {e.wire?.length ? <span className={styles.switchKind}> · bytes</span> : null}
                </button>
              ))}
            </div>
          ) : null}
          {/* Still light: the whole event could not be fetched. */}
          {isLight(selected) && whole.error ? (
            <p className={styles.error} role="note">
              The bytes and headers could not be loaded ({whole.error}); counts and timing are complete.
            </p>
          ) : isLight(selected) && whole.gone.has(selected) ? (
            <p className={styles.note} role="note">
              The server no longer keeps this event&apos;s bytes and headers (it keeps each session&apos;s latest events); counts and timing are complete.
            </p>
          ) : null}
          <SectionBoundary key={`${key}#${index}`} name="inspector">
            <EventView event={selected} bodyView={bodyView} setBodyView={setBodyView} bytesPerRow={bytesPerRow} />
          </SectionBoundary>
        </div>
      )}
    </aside>
  );
}

// ---------------------------------------------------------------------------

function EventView({ event, bodyView, setBodyView, bytesPerRow }: { event: TraceEvent; bodyView: BodyView; setBodyView: (v: BodyView) => void; bytesPerRow?: 8 | 16 }) {
  const { inspection, error } = useMemo(() => safeInspect(event), [event]);
  const breakdown = useMemo(() => safeBreakdown(event), [event]);
  const targets = useMemo(() => linkTargets(inspection), [inspection]);
  const [active, setActive] = useState<{ key: string; offset?: number } | null>(null);
  const activate = useCallback((k: string | null) => setActive(k ? { key: k } : null), []);
  const link = useMemo<LinkState>(() => ({ activeKey: active?.key ?? null, activate }), [active, activate]);
  const activeTarget = active ? targets.find((t) => t.key === active.key) : undefined;
  const onHoverByte = useCallback(
    (offset: number | undefined) => {
      if (offset === undefined) return setActive(null);
      const t = targetAt(offset, targets);
      setActive(t ? { key: t.key, offset } : null);
    },
    [targets],
  );
  const isMqtt = event.mode === Mode.MQTT;
  const bodyId = useId();

  let status = "";
  if (active?.offset !== undefined) {
    const labels = highlightsAt(active.offset, inspection.highlights)
      .map((h) => h.label)
      .filter(Boolean);
    status = `${hexOffset(active.offset)} (byte ${active.offset}): ${labels.slice(0, 2).join(" ⊂ ") || activeTarget?.label || "no field"}`;
  } else if (activeTarget) {
    status = `${hexOffset(activeTarget.offset)}–${hexOffset(activeTarget.offset + activeTarget.length - 1)} (${activeTarget.length} B): ${activeTarget.label}`;
  }

  return (
    <LinkContext.Provider value={link}>
      <SectionBoundary name="summary">
        <Summary event={event} />
      </SectionBoundary>
      <SectionBoundary name="byte breakdown">
        <Breakdown breakdown={breakdown} isMqtt={isMqtt} />
      </SectionBoundary>
      {isMqtt || event.mode === Mode.LOCAL ? null : (
        <SectionBoundary name="headers">
          <Headers event={event} />
        </SectionBoundary>
      )}
      <SectionBoundary name="body">
        <section className={styles.section} aria-labelledby={bodyId}>
          <BodyHeading id={bodyId} event={event} bodyView={bodyView} setBodyView={setBodyView} total={inspection.bytes.length} />
          {error ? <p className={styles.error}>The decoder failed: {error}</p> : null}
          {bodyView !== "hex" ? (
            <SectionBoundary name="decoded body">
              <DecodedBody inspection={inspection} />
            </SectionBoundary>
          ) : null}
          {bodyView !== "decoded" && inspection.bytes.length > 0 ? (
            <div className={styles.block}>
              {bodyView === "both" ? <h4 className={styles.subheading}>Hex</h4> : null}
              <HexDump
                bytes={inspection.bytes}
                highlights={inspection.highlights}
                redact={inspection.redact}
                active={activeTarget}
                bytesPerRow={bytesPerRow}
                onHoverByte={onHoverByte}
              />
              <p className={styles.status} aria-live="polite">
                {status || "Point at a byte, or at a row of the decoded view, to see which field it belongs to."}
              </p>
              <HexLegend tones={inspection.highlights.map((h) => h.tone ?? "")} redacted={inspection.redact.length > 0} />
            </div>
          ) : null}
          {bodyView === "hex" && inspection.bytes.length === 0 ? <p className={styles.muted}>No bytes were captured for this event.</p> : null}
          {inspection.notes.length > 0 ? (
            <ul className={styles.notes} aria-label="Notes">
              {inspection.notes.map((n, i) => (
                <li key={i}>{n}</li>
              ))}
            </ul>
          ) : null}
        </section>
      </SectionBoundary>
    </LinkContext.Provider>
  );
}

function BodyHeading({ id, event, bodyView, setBodyView, total }: { id: string; event: TraceEvent; bodyView: BodyView; setBodyView: (v: BodyView) => void; total: number }) {
  const tabs: { id: BodyView; label: string }[] = [
    { id: "decoded", label: "Decoded" },
    { id: "hex", label: "Hex" },
    { id: "both", label: "Both" },
  ];
  const refs = useRef<(HTMLButtonElement | null)[]>([]);
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const i = tabs.findIndex((t) => t.id === bodyView);
    let next = -1;
    if (e.key === "ArrowRight") next = (i + 1) % tabs.length;
    else if (e.key === "ArrowLeft") next = (i + tabs.length - 1) % tabs.length;
    else if (e.key === "Home") next = 0;
    else if (e.key === "End") next = tabs.length - 1;
    if (next < 0) return;
    e.preventDefault();
    setBodyView(tabs[next].id);
    refs.current[next]?.focus();
  };
  const isMqtt = event.mode === Mode.MQTT;
  return (
    <div className={styles.bodyHead}>
      <h3 id={id} className={styles.heading}>
        {isMqtt ? "Packet" : "Body"} <span className={styles.headingNote}>{total > 0 ? `${formatBytes(total)} captured` : "nothing captured"}</span>
        {event.wireTruncated ? <span className={styles.badge}>truncated at 4 KiB</span> : null}
      </h3>
      <div className={styles.tabs} role="tablist" aria-label="Body view" onKeyDown={onKeyDown}>
        {tabs.map((t, i) => (
          <button
            key={t.id}
            ref={(el) => {
              refs.current[i] = el;
            }}
            type="button"
            role="tab"
            aria-selected={bodyView === t.id}
            tabIndex={bodyView === t.id ? 0 : -1}
            className={styles.tab}
            onClick={() => setBodyView(t.id)}
          >
            {t.label}
          </button>
        ))}
      </div>
    </div>
  );
}

function HexLegend({ tones, redacted }: { tones: string[]; redacted: boolean }) {
  const seen = [...new Set(tones.filter((t) => t && TONE_LABELS[t]))];
  if (seen.length === 0 && !redacted) return null;
  return (
    <ul className={styles.legend} aria-label="Hex colours">
      {seen.map((t) => (
        <li key={t}>
          <span className={`${styles.swatch} ${toneClass(t)}`} aria-hidden="true" />
          {TONE_LABELS[t]}
        </li>
      ))}
      {redacted ? <li>•• hidden (password)</li> : null}
    </ul>
  );
}

// ---------------------------------------------------------------------------
// Summary

function Summary({ event: e }: { event: TraceEvent }) {
  const id = useId();
  const time = formatTime(e.timeUnixMs);
  const rows: [string, ReactNode][] = [];
  rows.push(["Route", <>{e.from || "?"} → {e.to || "?"}</>]);
  rows.push([
    "Kind",
    <>
      {KIND_LABEL[e.kind] ?? "unknown"}
      {e.observer ? <span className={styles.fieldType}> · recorded by {e.observer}</span> : null}
    </>,
  ]);
  rows.push(["Mode", <>{MODE_LABEL[e.mode] ?? "unknown"}{e.http?.version ? ` · ${e.http.version}` : ""}{e.rpc?.codec ? ` · ${e.rpc.codec}` : ""}</>]);
  if (e.rpc?.service || e.rpc?.method) rows.push(["RPC", <code key="rpc">{`${e.rpc.service}/${e.rpc.method}`}{e.rpc.streamType && e.rpc.streamType !== "unary" ? ` (${e.rpc.streamType})` : ""}</code>]);
  if (e.http?.method || e.http?.path) rows.push(["Request", <code key="req">{`${e.http.method} ${e.http.path}`.trim()}</code>]);
  if (e.mqtt && (e.mqtt.packetType || e.mqtt.topic)) {
    const m = e.mqtt;
    const bits = [m.packetType, m.topic ? `topic ${m.topic}` : "", m.packetType === "PUBLISH" || m.qos ? `QoS ${m.qos}` : "", m.packetId ? `#${m.packetId}` : "", m.dup ? "DUP" : "", m.retain ? "RETAIN" : ""].filter(Boolean);
    rows.push(["MQTT", <span key="mqtt" className={styles.value}>{bits.join(" · ")}</span>]);
    if (m.clientId) rows.push(["Client id", <code key="cid">{m.clientId}</code>]);
  }
  rows.push(["Time", <span key="t" title={time.iso}>{time.short}</span>]);
  rows.push(["Latency", formatMs(e.durationMs)]);
  const status: string[] = [];
  if (e.http?.status) status.push(`HTTP ${e.http.status}`);
  if (e.rpc?.code) status.push(`${e.rpc.code}${e.rpc.message ? `: ${e.rpc.message}` : ""}`);
  if (e.mqtt?.returnCode) status.push(`return code ${e.mqtt.returnCode}`);
  if (status.length) rows.push(["Status", status.join(" · ")]);
  if (e.error) rows.push(["Error", <span key="err" className={styles.danger}>{e.error}</span>]);
  if (e.fault?.ruleId || e.fault?.kind) rows.push(["Fault", <span key="f" className={styles.danger}>{[e.fault.kind, e.fault.ruleId && `rule ${e.fault.ruleId}`, e.fault.detail].filter(Boolean).join(" · ")}</span>]);
  rows.push([
    "Span",
    <>
      <code>{e.spanId || "—"}</code>
      {e.parentSpanId ? <span className={styles.fieldType}> parent {e.parentSpanId}</span> : null}
      {e.kind === EventKind.STREAM_MESSAGE ? <span className={styles.fieldType}> · message {e.streamIndex}</span> : null}
    </>,
  ]);
  if (e.attempt > 1 || e.retryOfSpanId) rows.push(["Attempt", `${e.attempt}${e.retryOfSpanId ? ` (retry of ${e.retryOfSpanId})` : ""}`]);
  return (
    <section className={styles.section} aria-labelledby={id}>
      <h3 id={id} className={styles.heading}>
        Summary
      </h3>
      <dl className={styles.summary}>
        {rows.map(([k, v]) => (
          <div key={k} className={styles.summaryRow}>
            <dt>{k}</dt>
            <dd>{v}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}

// ---------------------------------------------------------------------------
// Byte breakdown

const SEGMENT_CLASS: Record<string, string | undefined> = {
  header: styles.segHeader,
  body: styles.segBody,
  framing: styles.segFraming,
};

function Breakdown({ breakdown: b, isMqtt }: { breakdown: ByteBreakdown | undefined; isMqtt: boolean }) {
  const id = useId();
  return (
    <section className={styles.section} aria-labelledby={id}>
      <h3 id={id} className={styles.heading}>
        Bytes on the wire
        {b && b.total > 0 ? <span className={styles.headingNote}> {formatBytes(b.total)} · {Math.round(b.overheadPercent)}% overhead</span> : null}
      </h3>
      {!b || b.total === 0 ? (
        <p className={styles.muted}>No byte counts were recorded for this event.</p>
      ) : (
        <>
          <div
            className={styles.bar}
            role="img"
            aria-label={b.segments.map((s) => `${s.label} ${formatBytes(s.bytes)} (${s.roundedPercent}%)`).join(", ")}
          >
            {b.segments
              .filter((s) => s.bytes > 0)
              .map((s) => (
                <span key={s.key} className={`${styles.seg} ${SEGMENT_CLASS[s.key] ?? ""}`} style={{ width: `${s.percent}%` }} title={`${s.label}: ${s.description}`}>
                  {s.percent >= 14 ? `${s.roundedPercent}%` : ""}
                </span>
              ))}
          </div>
          <ul className={styles.barLegend}>
            {b.segments.map((s) => (
              <li key={s.key} title={s.description}>
                <span className={`${styles.swatch} ${SEGMENT_CLASS[s.key] ?? ""}`} aria-hidden="true" />
                <span className={styles.barLabel}>{s.label}</span>{" "}
                <span className={styles.mono}>{formatBytes(s.bytes)}</span> <span className={styles.fieldType}>({s.roundedPercent}%)</span>
                {s.estimated ? <span className={styles.badge}>estimated</span> : null}
              </li>
            ))}
          </ul>
          {b.estimated ? (
            <p className={styles.note}>
              Header bytes are estimated: HTTP/2 compresses headers with HPACK (RFC 7541), so the count is the uncompressed header list size.
            </p>
          ) : null}
          {isMqtt ? null : b.segments[2].bytes === 0 ? null : (
            <p className={styles.note}>Framing: 5-byte length prefixes (flags + 4-byte length) around each message, and any trailer frame.</p>
          )}
        </>
      )}
    </section>
  );
}

// ---------------------------------------------------------------------------
// Headers and trailers

function Headers({ event: e }: { event: TraceEvent }) {
  const id = useId();
  const headers = Object.entries(e.http?.headers ?? {});
  const trailers = Object.entries(e.http?.trailers ?? {});
  if (e.http?.contentType && !headers.some(([k]) => k.toLowerCase() === "content-type")) headers.unshift(["content-type", e.http.contentType]);
  return (
    <section className={styles.section} aria-labelledby={id}>
      <h3 id={id} className={styles.heading}>
        Headers and trailers
      </h3>
      {!e.http ? <p className={styles.muted}>No HTTP information was recorded for this event.</p> : null}
      {e.http ? <KvTable caption="Headers" entries={headers} empty="No headers recorded." /> : null}
      {e.http ? (
        <KvTable
          caption="Trailers"
          entries={trailers}
          empty={e.mode === Mode.GRPC_WEB ? "None as HTTP trailers: gRPC-web sends them in the body, as the last frame." : "No trailers."}
        />
      ) : null}
    </section>
  );
}

function KvTable({ caption, entries, empty }: { caption: string; entries: [string, string][]; empty: string }) {
  return (
    <table className={`${styles.table} ${styles.kvTable}`}>
      <caption className={styles.tableCaption}>
        {caption} <span className={styles.fieldType}>({entries.length})</span>
      </caption>
      {entries.length > 0 ? (
        <>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Value</th>
            </tr>
          </thead>
          <tbody>
            {entries.map(([k, v]) => (
              <tr key={k}>
                <td className={styles.mono}>{k}</td>
                <td className={`${styles.mono} ${styles.value}`}>{v}</td>
              </tr>
            ))}
          </tbody>
        </>
      ) : (
        <tbody>
          <tr>
            <td colSpan={2} className={styles.muted}>
              {empty}
            </td>
          </tr>
        </tbody>
      )}
    </table>
  );
}

// ---------------------------------------------------------------------------

/** Keeps one broken part from taking the panel down (client rendering). */
class SectionBoundary extends Component<{ name: string; children: ReactNode }, { error: string | null }> {
  state: { error: string | null } = { error: null };

  static getDerivedStateFromError(error: unknown) {
    return { error: error instanceof Error ? error.message : String(error) };
  }

  componentDidCatch(_error: unknown, _info: ErrorInfo) {}

  render() {
    if (this.state.error !== null) {
      return (
        <p className={styles.error} role="note">
          The {this.props.name} could not be shown: {this.state.error}
        </p>
      );
    }
    return this.props.children;
  }
}
