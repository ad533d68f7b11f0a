"use client";

import { useEffect, useId, useMemo, useState } from "react";
import type { MessageInitShape } from "@bufbuild/protobuf";
import { downloadText } from "@/components/diagram";
import { labService } from "@/components/trace/lab-connection";
import { Generator, LoadModel, RunState, type RunConfigSchema } from "@/lib/gen/lab/v1/measure_pb";
import type { Locale } from "@/lib/lessons/types";
import { busyText, evaluateClaims, isFinished, measureTextFor, parsePermalink, permalinkFor, plannedRunMs, runConfigProblems, runToCsv, runToJson, normaliseRunConfig, type MeasureLink, type MeasureTextKey, type RunView, type SerializationResult } from "@/lib/measure";
import { ClaimsTable } from "./ClaimsTable";
import { ConfigForm } from "./ConfigForm";
import { configToDraft, DEFAULT_DRAFT, draftToConfig, type Draft } from "./draft";
import { fmtDuration } from "./format";
import { PayloadSizes } from "./PayloadSizes";
import { ResultsTable } from "./ResultsTable";
import { RunCharts } from "./RunCharts";
import { SerializationCard } from "./SerializationCard";
import { runSerializationBench, useMeasureRun } from "./use-measure-run";
import css from "./measure.module.css";

export interface MeasurePanelProps {
  /** A lesson's starting configuration (modes, call, payload, load, generator); the learner can still change it. */
  preset?: MessageInitShape<typeof RunConfigSchema>;
  /** The session, when the page knows it; otherwise the panel asks LabService. */
  session?: string;
  /** Heading (default "Measure it" in `locale`). */
  title?: string;
  /** The language of every word the panel shows (a lesson's; the playground's is English). Server messages stay as sent. */
  locale?: Locale;
  /** Read a permalink from the page's address (the playground does). */
  readPermalink?: boolean;
  /** Called with the view when a run ends (a lesson's goal check reads it). */
  onRunEnd?: (view: RunView) => void;
}

const STATE_TEXT: Record<RunState, MeasureTextKey | undefined> = {
  [RunState.UNSPECIFIED]: undefined,
  [RunState.QUEUED]: "state.queued",
  [RunState.RUNNING]: "state.running",
  [RunState.DONE]: "state.done",
  [RunState.CANCELLED]: "state.cancelled",
  [RunState.FAILED]: "state.failed",
};

/**
 * Measure it: load runs from the lab server or this browser, in any mode,
 * closed or open model, with live progress and charts, results side by
 * side, the seeds' claims against this machine, and exports. Lessons embed
 * it with a preset:
 *
 *   <MeasurePanel preset={{ targets: [targetFromKey("rest")!, targetFromKey("grpc")!], call: MeasureCall.ECHO }} />
 */
export function MeasurePanel({ preset, session: givenSession, title, locale = "en", readPermalink = false, onRunEnd }: MeasurePanelProps) {
  const t = measureTextFor(locale);
  const [draft, setDraft] = useState<Draft>(() => (preset ? configToDraft(preset) : DEFAULT_DRAFT));
  const [session, setSession] = useState(givenSession);
  const [link, setLink] = useState<MeasureLink | { error: string }>();
  const [linkApplied, setLinkApplied] = useState<string>();
  const [serialization, setSerialization] = useState<SerializationResult>();
  const [serializing, setSerializing] = useState(false);
  const [serializationError, setSerializationError] = useState<string>();
  const [copied, setCopied] = useState<string>();
  const run = useMeasureRun(session ?? givenSession, locale);
  const { view } = run;

  useEffect(() => {
    if (givenSession) return;
    labService.getSession({}).then(
      (s) => setSession(s.session),
      () => undefined,
    );
  }, [givenSession]);

  // A permalink in the address: the same configuration, and its faults and defences offered to apply.
  useEffect(() => {
    if (!readPermalink) return;
    const parsed = parsePermalink(window.location.search);
    if (!parsed) return;
    // eslint-disable-next-line react-hooks/set-state-in-effect -- the address is read once, after hydration
    setLink(parsed);
    if (!("error" in parsed)) setDraft(configToDraft(parsed.config));
  }, [readPermalink]);

  useEffect(() => {
    if (view && isFinished(view.state)) onRunEnd?.(view);
  }, [view, onRunEnd]);

  const config = useMemo(() => draftToConfig(draft), [draft]);
  const problems = useMemo(() => runConfigProblems(normaliseRunConfig(config, () => 1n)), [config]);
  const claims = useMemo(() => evaluateClaims(view, serialization, locale), [view, serialization, locale]);
  const finished = view !== undefined && isFinished(view.state);
  const running = run.running;

  async function applyLink(l: MeasureLink) {
    try {
      await labService.setFaults({ rules: l.faults });
      if (l.defences) await labService.setDefences({ defences: l.defences });
      setLinkApplied(t(l.defences ? "linkAppliedDefences" : "linkApplied", { faults: faultRules(l.faults.length) }));
    } catch (err) {
      setLinkApplied(t("linkApplyFailed", { error: (err as Error).message }));
    }
  }

  async function copyPermalink() {
    const [faults, defences] = await Promise.all([labService.listFaults({}).catch(() => ({ rules: [] })), labService.getDefences({}).catch(() => ({ defences: undefined }))]);
    const url = permalinkFor(window.location.origin, { config: view?.config ?? normaliseRunConfig(config), faults: view?.conditions?.faults ?? faults.rules, defences: view?.conditions?.defences ?? defences.defences });
    try {
      await navigator.clipboard.writeText(url);
      setCopied(url);
    } catch {
      setCopied(url);
    }
  }

  async function measureSerialization() {
    setSerializing(true);
    setSerializationError(undefined);
    try {
      setSerialization(await runSerializationBench(config));
    } catch (err) {
      setSerializationError(t("serializationFailed", { error: (err as Error).message }));
    } finally {
      setSerializing(false);
    }
  }

  const faultRules = (n: number) => t(n === 1 ? "faultRule" : "faultRules", { n });
  const stamp = () => new Date().toISOString().slice(0, 19).replace(/:/g, "-");
  const planned = config.load?.model === LoadModel.OPEN ? plannedRunMs(normaliseRunConfig(config, () => 1n)) : undefined;

  // A lesson shows a panel in several steps: ids of its own. The permalink's #measure anchor is the panel that reads permalinks (the playground's).
  const headingId = useId();
  return (
    <section className={`panel ${css.panel}`} aria-labelledby={headingId} id={readPermalink ? "measure" : undefined} data-testid="measure-panel">
      <div className="panel-head">
        <h2 id={headingId}>{title ?? t("title")}</h2>
        <span className="muted">{t("lede")}</span>
      </div>

      {link && "error" in link && <p className="error">{link.error}</p>}
      {link && !("error" in link) && (
        <div className={css.linkNote} role="note">
          {t("linkOpened", { seed: String(link.config.seed) })}
          {link.faults.length > 0 || link.defences ? (
            <>
              {" "}
              {t(link.defences ? "linkRanWithDefences" : "linkRanWith", { faults: faultRules(link.faults.length) })}{" "}
              <button type="button" onClick={() => void applyLink(link)} disabled={running}>
                {t("linkApply")}
              </button>
            </>
          ) : null}
          {linkApplied && <span className="muted"> {linkApplied}</span>}
        </div>
      )}

      <div className={css.top}>
        <ConfigForm draft={draft} onChange={setDraft} disabled={running} locale={locale} />
        <div className={css.controls}>
          {running ? (
            <button type="button" className={css.cancel} onClick={run.cancel}>
              {t("cancelRun")}
            </button>
          ) : (
            <button type="button" className="primary" onClick={() => void run.start(config)} disabled={problems.length > 0 || (draft.generator === Generator.BROWSER && !session)}>
              {t("startRun")} {planned ? `(${fmtDuration(planned)})` : ""}
            </button>
          )}
          {problems.length > 0 && !running && (
            <div className={css.problems} data-testid="measure-problems">
              {t("problems")}
              <ul>
                {problems.map((p) => (
                  <li key={p.field + p.message}>{p.message}</li>
                ))}
              </ul>
            </div>
          )}
          {run.error && (
            <p role="alert" className="error" data-testid="measure-error">
              {t("runError", { error: run.error })}
            </p>
          )}
          {view && <RunStatus view={view} locale={locale} />}
          {finished && view && (
            <div className={css.exports}>
              <button type="button" onClick={() => downloadText(runToCsv(view), `wirelab-measure-${stamp()}.csv`, "text/csv")}>
                {t("downloadCsv")}
              </button>
              {/* A file keeps English whatever the page's language, like its field and column names. */}
              <button type="button" onClick={() => downloadText(runToJson(view, { claims: evaluateClaims(view, serialization), serialization }), `wirelab-measure-${stamp()}.json`, "application/json")}>
                {t("downloadJson")}
              </button>
              <button type="button" onClick={() => void copyPermalink()}>
                {t("copyPermalink")}
              </button>
              {copied && (
                <input className={css.permalink} readOnly value={copied} aria-label={t("permalinkLabel")} data-testid="measure-permalink" onFocus={(e) => e.target.select()} />
              )}
            </div>
          )}
        </div>
      </div>

      {view && view.targets.length > 0 && (
        <>
          <h3 className={css.h3}>{t("results")}</h3>
          <ResultsTable view={view} locale={locale} />
          {view.conditions && (
            <p className={css.small} data-testid="measure-conditions">
              {t(view.config?.load?.model === LoadModel.OPEN ? "openModelNote" : "closedModelNote")}{" "}
              {t("generatorLine", { host: view.conditions.generatorHost, server: view.conditions.serverAddress, cpu: view.conditions.cpuMethod })}
              {busyText(view.conditions, locale) ? <strong className={css.warn}> {t("busyNote", { busy: busyText(view.conditions, locale) })}</strong> : null}
              {view.config?.generator === Generator.BROWSER ? ` ${t("browserConnections")}` : ""}
            </p>
          )}
          <RunCharts view={view} locale={locale} />
        </>
      )}

      <h3 className={css.h3}>{t("payloadSize")}</h3>
      <PayloadSizes call={draft.call} shape={draft.shape} bytes={draft.bytes} seed={config.seed} view={view} locale={locale} />
      <SerializationCard result={serialization} running={serializing} error={serializationError} onRun={() => void measureSerialization()} disabled={running} locale={locale} />

      <h3 className={css.h3}>{t("claimsVsMeasured")}</h3>
      <ClaimsTable rows={claims} locale={locale} />
    </section>
  );
}

function RunStatus({ view, locale }: { view: RunView; locale: Locale }) {
  const t = measureTextFor(locale);
  const state = STATE_TEXT[view.state];
  const queued = view.state === RunState.QUEUED;
  const current = view.targets[view.currentTarget];
  return (
    <div className={css.status} aria-live="polite" data-testid="measure-status">
      <div className={css.statusLine}>
        <strong>{state ? t(state) : ""}</strong>
        {queued && view.queuePosition > 0 && <span data-testid="queue-position">{t("queuePosition", { n: view.queuePosition })}</span>}
        {view.state === RunState.RUNNING && current && <span>{current.title}</span>}
        {view.error && <span className="error">{view.error}</span>}
      </div>
      <progress max={1} value={view.progress} aria-label={t("runProgress")} data-testid="measure-progress" />
      <div className={css.statusLine}>
        <span>{Math.round(view.progress * 100)} %</span>
        <span>{t("elapsed", { t: fmtDuration(view.elapsedMs) })}</span>
        {!isFinished(view.state) && !queued && <span>{view.remainingMs < 0 ? t("estimating") : t("timeLeft", { t: fmtDuration(view.remainingMs) })}</span>}
      </div>
    </div>
  );
}
