"use client";

import { useEffect, useMemo, useState } from "react";
import type { MessageInitShape } from "@bufbuild/protobuf";
import { downloadText } from "@/components/diagram";
import { labService } from "@/components/trace/lab-connection";
import { Generator, LoadModel, RunState, type RunConfigSchema } from "@/lib/gen/lab/v1/measure_pb";
import { busyText, evaluateClaims, isFinished, parsePermalink, permalinkFor, plannedRunMs, runConfigProblems, runToCsv, runToJson, normaliseRunConfig, type MeasureLink, type RunView, type SerializationResult } from "@/lib/measure";
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
  /** Heading (default "Measure it"). */
  title?: string;
  /** Read a permalink from the page's address (the playground does). */
  readPermalink?: boolean;
  /** Called with the view when a run ends (a lesson's goal check reads it). */
  onRunEnd?: (view: RunView) => void;
}

const STATE_TEXT: Record<RunState, string> = {
  [RunState.UNSPECIFIED]: "",
  [RunState.QUEUED]: "Waiting for a free slot",
  [RunState.RUNNING]: "Running",
  [RunState.DONE]: "Done",
  [RunState.CANCELLED]: "Cancelled",
  [RunState.FAILED]: "Failed",
};

/**
 * Measure it: load runs from the lab server or this browser, in any mode,
 * closed or open model, with live progress and charts, results side by
 * side, the seeds' claims against this machine, and exports. Lessons embed
 * it with a preset:
 *
 *   <MeasurePanel preset={{ targets: [targetFromKey("rest")!, targetFromKey("grpc")!], call: MeasureCall.ECHO }} />
 */
export function MeasurePanel({ preset, session: givenSession, title = "Measure it", readPermalink = false, onRunEnd }: MeasurePanelProps) {
  const [draft, setDraft] = useState<Draft>(() => (preset ? configToDraft(preset) : DEFAULT_DRAFT));
  const [session, setSession] = useState(givenSession);
  const [link, setLink] = useState<MeasureLink | { error: string }>();
  const [linkApplied, setLinkApplied] = useState<string>();
  const [serialization, setSerialization] = useState<SerializationResult>();
  const [serializing, setSerializing] = useState(false);
  const [serializationError, setSerializationError] = useState<string>();
  const [copied, setCopied] = useState<string>();
  const run = useMeasureRun(session ?? givenSession);
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
  const claims = useMemo(() => evaluateClaims(view, serialization), [view, serialization]);
  const finished = view !== undefined && isFinished(view.state);
  const running = run.running;

  async function applyLink(l: MeasureLink) {
    try {
      await labService.setFaults({ rules: l.faults });
      if (l.defences) await labService.setDefences({ defences: l.defences });
      setLinkApplied(`Applied ${l.faults.length} fault rule${l.faults.length === 1 ? "" : "s"}${l.defences ? " and the defences" : ""} to your session.`);
    } catch (err) {
      setLinkApplied(`Could not apply them: ${(err as Error).message}`);
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
      setSerializationError(`The micro-benchmark failed: ${(err as Error).message}`);
    } finally {
      setSerializing(false);
    }
  }

  const stamp = () => new Date().toISOString().slice(0, 19).replace(/:/g, "-");
  const planned = config.load?.model === LoadModel.OPEN ? plannedRunMs(normaliseRunConfig(config, () => 1n)) : undefined;

  return (
    <section className={`panel ${css.panel}`} aria-labelledby="measure-h" id="measure" data-testid="measure-panel">
      <div className="panel-head">
        <h2 id="measure-h">{title}</h2>
        <span className="muted">load runs against the lab&apos;s own services, in every mode, with the session&apos;s faults and defences</span>
      </div>

      {link && "error" in link && <p className="error">{link.error}</p>}
      {link && !("error" in link) && (
        <div className={css.linkNote} role="note">
          Opened from a measure link: the form holds its configuration (seed {String(link.config.seed)}).
          {link.faults.length > 0 || link.defences ? (
            <>
              {" "}
              It ran with {link.faults.length} fault rule{link.faults.length === 1 ? "" : "s"}
              {link.defences ? " and its own defences" : ""}.{" "}
              <button type="button" onClick={() => void applyLink(link)} disabled={running}>
                Apply them to my session
              </button>
            </>
          ) : null}
          {linkApplied && <span className="muted"> {linkApplied}</span>}
        </div>
      )}

      <div className={css.top}>
        <ConfigForm draft={draft} onChange={setDraft} disabled={running} />
        <div className={css.controls}>
          {running ? (
            <button type="button" className={css.cancel} onClick={run.cancel}>
              Cancel run
            </button>
          ) : (
            <button type="button" className="primary" onClick={() => void run.start(config)} disabled={problems.length > 0 || (draft.generator === Generator.BROWSER && !session)}>
              Start run {planned ? `(${fmtDuration(planned)})` : ""}
            </button>
          )}
          {problems.length > 0 && !running && (
            <ul className={css.problems} data-testid="measure-problems">
              {problems.map((p) => (
                <li key={p.field + p.message}>{p.message}</li>
              ))}
            </ul>
          )}
          {run.error && (
            <p role="alert" className="error" data-testid="measure-error">
              {run.error}
            </p>
          )}
          {view && <RunStatus view={view} />}
          {finished && view && (
            <div className={css.exports}>
              <button type="button" onClick={() => downloadText(runToCsv(view), `wirelab-measure-${stamp()}.csv`, "text/csv")}>
                Download CSV
              </button>
              <button type="button" onClick={() => downloadText(runToJson(view, { claims, serialization }), `wirelab-measure-${stamp()}.json`, "application/json")}>
                Download JSON
              </button>
              <button type="button" onClick={() => void copyPermalink()}>
                Copy permalink
              </button>
              {copied && (
                <input className={css.permalink} readOnly value={copied} aria-label="Permalink of this run" data-testid="measure-permalink" onFocus={(e) => e.target.select()} />
              )}
            </div>
          )}
        </div>
      </div>

      {view && view.targets.length > 0 && (
        <>
          <h3 className={css.h3}>Results</h3>
          <ResultsTable view={view} />
          {view.conditions && (
            <p className={css.small} data-testid="measure-conditions">
              {view.config?.load?.model === LoadModel.OPEN
                ? "Open model: latency runs from each request's intended send time, so stalls are charged to every request they delayed (coordinated omission corrected, as wrk2)."
                : "Closed model: latency runs from each actual send; a stall delays the next sends instead of showing in their latency (as autocannon without -R)."}{" "}
              Generator: {view.conditions.generatorHost} → {view.conditions.serverAddress}. CPU: {view.conditions.cpuMethod}.
              {busyText(view.conditions) ? <strong className={css.warn}> Note: {busyText(view.conditions)}.</strong> : null}
              {view.config?.generator === Generator.BROWSER ? " Browsers open at most 6 HTTP/1.1 connections per host, one of them held by the trace stream: concurrency above 5 queues inside the browser, and that wait counts." : ""}
            </p>
          )}
          <RunCharts view={view} />
        </>
      )}

      <h3 className={css.h3}>Payload size</h3>
      <PayloadSizes call={draft.call} shape={draft.shape} bytes={draft.bytes} seed={config.seed} view={view} />
      <SerializationCard result={serialization} running={serializing} error={serializationError} onRun={() => void measureSerialization()} disabled={running} />

      <h3 className={css.h3}>Claims vs. measured</h3>
      <ClaimsTable rows={claims} />
    </section>
  );
}

function RunStatus({ view }: { view: RunView }) {
  const queued = view.state === RunState.QUEUED;
  const current = view.targets[view.currentTarget];
  return (
    <div className={css.status} aria-live="polite" data-testid="measure-status">
      <div className={css.statusLine}>
        <strong>{STATE_TEXT[view.state]}</strong>
        {queued && view.queuePosition > 0 && <span data-testid="queue-position">position {view.queuePosition} in the queue</span>}
        {view.state === RunState.RUNNING && current && <span>{current.title}</span>}
        {view.error && <span className="error">{view.error}</span>}
      </div>
      <progress max={1} value={view.progress} aria-label="Run progress" data-testid="measure-progress" />
      <div className={css.statusLine}>
        <span>{Math.round(view.progress * 100)} %</span>
        <span>elapsed {fmtDuration(view.elapsedMs)}</span>
        {!isFinished(view.state) && !queued && <span>{view.remainingMs < 0 ? "estimating the time left…" : `≈ ${fmtDuration(view.remainingMs)} left`}</span>}
      </div>
    </div>
  );
}
