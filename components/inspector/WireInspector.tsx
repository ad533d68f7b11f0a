"use client";

import { Component, useCallback, useContext, useId, useMemo, useRef, useState, type ErrorInfo, type KeyboardEvent, type ReactNode } from "react";
import { EventKind, Mode, type TraceEvent } from "@/lib/gen/lab/v1/trace_pb";
import { highlightsAt, type ByteBreakdown } from "@/lib/wire";
import { MODE_LABEL } from "@/components/trace/event-format";
import { kindText } from "@/lib/diagram/format";
import type { Locale } from "@/lib/lessons/types";
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
import { InspectorLocale, useInspectorText, type InspectorTextKey } from "./inspector-text";
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
  /** The page's language (English by default); what the decoder reads out of the bytes stays in English. */
  locale?: Locale;
}

/**
 * Explains one trace event's bytes: summary, byte breakdown, headers, and the body decoded and as hex.
 * A light event (from the page's light trace stream) is fetched whole first, with a short loading state.
 */
export function WireInspector({ locale = "en", ...props }: WireInspectorProps) {
  return (
    <InspectorLocale.Provider value={locale}>
      <Inspector {...props} />
    </InspectorLocale.Provider>
  );
}

function Inspector({ event, onClose, maxHeight = "80vh", defaultBodyView = "decoded", bytesPerRow, className }: Omit<WireInspectorProps, "locale">) {
  const t = useInspectorText();
  const locale = useContext(InspectorLocale);
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
          {t("title")}
          {selected?.summary ? <span className={styles.titleSummary}> · {selected.summary}</span> : null}
        </h2>
        {onClose ? (
          <button type="button" className={styles.close} onClick={onClose} aria-label={t("close")} title={t("closeTitle")}>
            ×
          </button>
        ) : null}
      </header>
      {!selected ? (
        <p className={styles.hint}>{t("selectHint")}</p>
      ) : whole.loading ? (
        <p className={styles.hint} role="status" aria-live="polite" data-testid="inspector-loading">
          {t("loading")}
        </p>
      ) : (
        <div className={styles.scroll}>
          {events.length > 1 ? (
            <div className={styles.switcher} role="group" aria-label={t("eventsOfArrow")}>
              <span className={styles.switcherLabel}>{t("recordedBy")}</span>
              {events.map((e, i) => (
                <button
                  key={i}
                  type="button"
                  className={styles.switch}
                  aria-pressed={i === index}
                  onClick={() => setPicked({ key, index: i })}
                  title={t(e.wire?.length ? "switchTitleBytes" : "switchTitle", { kind: kindText(e.kind, locale), observer: e.observer || "?", n: e.wire?.length ?? 0 })}
                >
                  {e.observer || "?"} <span className={styles.switchKind}>{kindText(e.kind, locale)}</span>
                  {e.wire?.length ? <span className={styles.switchKind}>{t("bytesBadge")}</span> : null}
                </button>
              ))}
            </div>
          ) : null}
          {/* Still light: the whole event could not be fetched. */}
          {isLight(selected) && whole.error ? (
            <p className={styles.error} role="note">
              {t("loadFailed", { error: whole.error })}
            </p>
          ) : isLight(selected) && whole.gone.has(selected) ? (
            <p className={styles.note} role="note">
              {t("gone")}
            </p>
          ) : null}
          <SectionBoundary key={`${key}#${index}`} name="inspector" t={t}>
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
  const t = useInspectorText();

  let status = "";
  if (active?.offset !== undefined) {
    const labels = highlightsAt(active.offset, inspection.highlights)
      .map((h) => h.label)
      .filter(Boolean);
    status = t("atByte", { offset: hexOffset(active.offset), n: active.offset, labels: labels.slice(0, 2).join(" ⊂ ") || activeTarget?.label || t("noField") });
  } else if (activeTarget) {
    status = `${hexOffset(activeTarget.offset)}–${hexOffset(activeTarget.offset + activeTarget.length - 1)} (${activeTarget.length} B): ${activeTarget.label}`;
  }

  return (
    <LinkContext.Provider value={link}>
      <SectionBoundary name={t("summary")} t={t}>
        <Summary event={event} />
      </SectionBoundary>
      <SectionBoundary name={t("bytesOnWire")} t={t}>
        <Breakdown breakdown={breakdown} isMqtt={isMqtt} />
      </SectionBoundary>
      {isMqtt || event.mode === Mode.LOCAL ? null : (
        <SectionBoundary name={t("headersAndTrailers")} t={t}>
          <Headers event={event} />
        </SectionBoundary>
      )}
      <SectionBoundary name={t(isMqtt ? "packet" : "body")} t={t}>
        <section className={styles.section} aria-labelledby={bodyId}>
          <BodyHeading id={bodyId} event={event} bodyView={bodyView} setBodyView={setBodyView} total={inspection.bytes.length} />
          {error ? <p className={styles.error}>{t("decoderFailed", { error })}</p> : null}
          {bodyView !== "hex" ? (
            <SectionBoundary name={t("decoded")} t={t}>
              <DecodedBody inspection={inspection} />
            </SectionBoundary>
          ) : null}
          {bodyView !== "decoded" && inspection.bytes.length > 0 ? (
            <div className={styles.block}>
              {bodyView === "both" ? <h4 className={styles.subheading}>{t("hex")}</h4> : null}
              <HexDump
                bytes={inspection.bytes}
                highlights={inspection.highlights}
                redact={inspection.redact}
                active={activeTarget}
                bytesPerRow={bytesPerRow}
                onHoverByte={onHoverByte}
              />
              <p className={styles.status} aria-live="polite">
                {status || t("pointHint")}
              </p>
              <HexLegend tones={inspection.highlights.map((h) => h.tone ?? "")} redacted={inspection.redact.length > 0} />
            </div>
          ) : null}
          {bodyView === "hex" && inspection.bytes.length === 0 ? <p className={styles.muted}>{t("noBytesEvent")}</p> : null}
          {inspection.notes.length > 0 ? (
            <ul className={styles.notes} aria-label={t("notes")}>
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
  const t = useInspectorText();
  const tabs: { id: BodyView; label: string }[] = [
    { id: "decoded", label: t("decoded") },
    { id: "hex", label: t("hex") },
    { id: "both", label: t("both") },
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
        {t(isMqtt ? "packet" : "body")} <span className={styles.headingNote}>{total > 0 ? t("captured", { size: formatBytes(total) }) : t("nothingCaptured")}</span>
        {event.wireTruncated ? <span className={styles.badge}>{t("truncated")}</span> : null}
      </h3>
      <div className={styles.tabs} role="tablist" aria-label={t("bodyView")} onKeyDown={onKeyDown}>
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
  const t = useInspectorText();
  const seen = [...new Set(tones.filter((tone) => tone && TONE_LABELS[tone]))];
  if (seen.length === 0 && !redacted) return null;
  return (
    <ul className={styles.legend} aria-label={t("hexColours")}>
      {seen.map((tone) => (
        <li key={tone}>
          <span className={`${styles.swatch} ${toneClass(tone)}`} aria-hidden="true" />
          {t(TONE_LABELS[tone])}
        </li>
      ))}
      {redacted ? <li>{t("hiddenPassword")}</li> : null}
    </ul>
  );
}

// ---------------------------------------------------------------------------
// Summary

function Summary({ event: e }: { event: TraceEvent }) {
  const id = useId();
  const t = useInspectorText();
  const locale = useContext(InspectorLocale);
  const time = formatTime(e.timeUnixMs);
  const rows: [InspectorTextKey | "RPC" | "MQTT", ReactNode][] = [];
  rows.push(["route", <>{e.from || "?"} → {e.to || "?"}</>]);
  rows.push([
    "kind",
    <>
      {kindText(e.kind, locale)}
      {e.observer ? <span className={styles.fieldType}>{t("recordedByWho", { observer: e.observer })}</span> : null}
    </>,
  ]);
  rows.push(["mode", <>{MODE_LABEL[e.mode] ?? t("unknown")}{e.http?.version ? ` · ${e.http.version}` : ""}{e.rpc?.codec ? ` · ${e.rpc.codec}` : ""}</>]);
  if (e.rpc?.service || e.rpc?.method) rows.push(["RPC", <code key="rpc">{`${e.rpc.service}/${e.rpc.method}`}{e.rpc.streamType && e.rpc.streamType !== "unary" ? ` (${e.rpc.streamType})` : ""}</code>]);
  if (e.http?.method || e.http?.path) rows.push(["request", <code key="req">{`${e.http.method} ${e.http.path}`.trim()}</code>]);
  if (e.mqtt && (e.mqtt.packetType || e.mqtt.topic)) {
    const m = e.mqtt;
    const bits = [m.packetType, m.topic ? t("topic", { topic: m.topic }) : "", m.packetType === "PUBLISH" || m.qos ? `QoS ${m.qos}` : "", m.packetId ? `#${m.packetId}` : "", m.dup ? "DUP" : "", m.retain ? "RETAIN" : ""].filter(Boolean);
    rows.push(["MQTT", <span key="mqtt" className={styles.value}>{bits.join(" · ")}</span>]);
    if (m.clientId) rows.push(["clientId", <code key="cid">{m.clientId}</code>]);
  }
  rows.push(["time", <span key="t" title={time.iso}>{time.short}</span>]);
  rows.push(["latency", formatMs(e.durationMs)]);
  const status: string[] = [];
  if (e.http?.status) status.push(`HTTP ${e.http.status}`);
  if (e.rpc?.code) status.push(`${e.rpc.code}${e.rpc.message ? `: ${e.rpc.message}` : ""}`);
  if (e.mqtt?.returnCode) status.push(t("returnCode", { code: e.mqtt.returnCode }));
  if (status.length) rows.push(["status", status.join(" · ")]);
  if (e.error) rows.push(["error", <span key="err" className={styles.danger}>{e.error}</span>]);
  if (e.fault?.ruleId || e.fault?.kind) rows.push(["fault", <span key="f" className={styles.danger}>{[e.fault.kind, e.fault.ruleId && t("rule", { id: e.fault.ruleId }), e.fault.detail].filter(Boolean).join(" · ")}</span>]);
  rows.push([
    "span",
    <>
      <code>{e.spanId || "—"}</code>
      {e.parentSpanId ? <span className={styles.fieldType}>{t("parent", { id: e.parentSpanId })}</span> : null}
      {e.kind === EventKind.STREAM_MESSAGE ? <span className={styles.fieldType}>{t("message", { n: e.streamIndex })}</span> : null}
    </>,
  ]);
  if (e.attempt > 1 || e.retryOfSpanId) rows.push(["attempt", e.retryOfSpanId ? t("retryOf", { n: e.attempt, id: e.retryOfSpanId }) : String(e.attempt)]);
  return (
    <section className={styles.section} aria-labelledby={id}>
      <h3 id={id} className={styles.heading}>
        {t("summary")}
      </h3>
      <dl className={styles.summary}>
        {rows.map(([k, v]) => (
          <div key={k} className={styles.summaryRow}>
            <dt>{k === "RPC" || k === "MQTT" ? k : t(k)}</dt>
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

/** Each segment's name and explanation, by transport (lib/wire's byteBreakdown gives the English). */
const SEGMENT_TEXT: Record<"http" | "mqtt", Record<ByteBreakdown["segments"][number]["key"], [InspectorTextKey, InspectorTextKey]>> = {
  http: { header: ["headers", "segHttpHeaderHelp"], body: ["body", "segHttpBodyHelp"], framing: ["framing", "segHttpFramingHelp"] },
  mqtt: { header: ["segMqttHeader", "segMqttHeaderHelp"], body: ["payload", "segMqttBodyHelp"], framing: ["framing", "segMqttFramingHelp"] },
};

function Breakdown({ breakdown: b, isMqtt }: { breakdown: ByteBreakdown | undefined; isMqtt: boolean }) {
  const id = useId();
  const t = useInspectorText();
  const segments = (b?.segments ?? []).map((s) => {
    const [label, help] = SEGMENT_TEXT[isMqtt ? "mqtt" : "http"][s.key];
    return { ...s, label: t(label), description: s.estimated ? t("segEstimated", { help: t(help) }) : t(help) };
  });
  return (
    <section className={styles.section} aria-labelledby={id}>
      <h3 id={id} className={styles.heading}>
        {t("bytesOnWire")}
        {b && b.total > 0 ? <span className={styles.headingNote}> {t("overhead", { size: formatBytes(b.total), pct: Math.round(b.overheadPercent) })}</span> : null}
      </h3>
      {!b || b.total === 0 ? (
        <p className={styles.muted}>{t("noByteCounts")}</p>
      ) : (
        <>
          <div className={styles.bar} role="img" aria-label={segments.map((s) => `${s.label} ${formatBytes(s.bytes)} (${s.roundedPercent}%)`).join(", ")}>
            {segments
              .filter((s) => s.bytes > 0)
              .map((s) => (
                <span key={s.key} className={`${styles.seg} ${SEGMENT_CLASS[s.key] ?? ""}`} style={{ width: `${s.percent}%` }} title={`${s.label}: ${s.description}`}>
                  {s.percent >= 14 ? `${s.roundedPercent}%` : ""}
                </span>
              ))}
          </div>
          <ul className={styles.barLegend}>
            {segments.map((s) => (
              <li key={s.key} title={s.description}>
                <span className={`${styles.swatch} ${SEGMENT_CLASS[s.key] ?? ""}`} aria-hidden="true" />
                <span className={styles.barLabel}>{s.label}</span>{" "}
                <span className={styles.mono}>{formatBytes(s.bytes)}</span> <span className={styles.fieldType}>({s.roundedPercent}%)</span>
                {s.estimated ? <span className={styles.badge}>{t("estimated")}</span> : null}
              </li>
            ))}
          </ul>
          {b.estimated ? <p className={styles.note}>{t("hpackNote")}</p> : null}
          {isMqtt ? null : b.segments[2].bytes === 0 ? null : <p className={styles.note}>{t("framingNote")}</p>}
        </>
      )}
    </section>
  );
}

// ---------------------------------------------------------------------------
// Headers and trailers

function Headers({ event: e }: { event: TraceEvent }) {
  const id = useId();
  const t = useInspectorText();
  const headers = Object.entries(e.http?.headers ?? {});
  const trailers = Object.entries(e.http?.trailers ?? {});
  if (e.http?.contentType && !headers.some(([k]) => k.toLowerCase() === "content-type")) headers.unshift(["content-type", e.http.contentType]);
  return (
    <section className={styles.section} aria-labelledby={id}>
      <h3 id={id} className={styles.heading}>
        {t("headersAndTrailers")}
      </h3>
      {!e.http ? <p className={styles.muted}>{t("noHttp")}</p> : null}
      {e.http ? <KvTable caption={t("headers")} entries={headers} empty={t("noHeaders")} /> : null}
      {e.http ? <KvTable caption={t("trailers")} entries={trailers} empty={t(e.mode === Mode.GRPC_WEB ? "grpcWebTrailers" : "noTrailers")} /> : null}
    </section>
  );
}

function KvTable({ caption, entries, empty }: { caption: string; entries: [string, string][]; empty: string }) {
  const t = useInspectorText();
  return (
    <table className={`${styles.table} ${styles.kvTable}`}>
      <caption className={styles.tableCaption}>
        {caption} <span className={styles.fieldType}>({entries.length})</span>
      </caption>
      {entries.length > 0 ? (
        <>
          <thead>
            <tr>
              <th scope="col">{t("name")}</th>
              <th scope="col">{t("value")}</th>
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
class SectionBoundary extends Component<{ name: string; t: ReturnType<typeof useInspectorText>; children: ReactNode }, { error: string | null }> {
  state: { error: string | null } = { error: null };

  static getDerivedStateFromError(error: unknown) {
    return { error: error instanceof Error ? error.message : String(error) };
  }

  componentDidCatch(_error: unknown, _info: ErrorInfo) {}

  render() {
    if (this.state.error !== null) {
      return (
        <p className={styles.error} role="note">
          {this.props.t("sectionFailed", { name: this.props.name, error: this.state.error })}
        </p>
      );
    }
    return this.props.children;
  }
}
