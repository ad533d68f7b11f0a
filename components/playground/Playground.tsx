"use client";

import { useMemo, useRef, useState } from "react";
import { BROWSER_MODES, clientOptionsFromDefences, createLabClient, type CallResult, type LabClient, type LabClientOptions, type ModeName } from "@/lib/client";
import { CALLS, commandFor, DEFAULT_INPUT, type CallName } from "@/lib/calls";
import { EventKind } from "@/lib/gen/lab/v1/trace_pb";
import { showAnswer } from "@/lib/client/show";
import { useLab } from "@/components/trace/use-lab";
import { wireBytes } from "@/components/trace/event-format";
import { SideBySide, TraceViewer } from "@/components/diagram";
import type { TraceEvent } from "@/lib/gen/lab/v1/trace_pb";
import { CopyButton } from "./CopyButton";
import { WireInspector } from "@/components/inspector";
import { DefencePanel, FaultChips, FaultPanel, OutcomeCountersPanel, ResetSandboxButton, useFaultLab } from "@/components/faults";
import type { Defences } from "@/lib/gen/lab/v1/fault_pb";
import { REPEAT_LIMITS, repeatPlan, runRepeated } from "@/lib/faults/repeat";
import { summariseCounters, worstLevel } from "@/lib/faults/outcome";
import { MeasurePanel } from "@/components/measure";
import { LanguageSwitch, useLocaleState } from "@/components/lessons/LanguageSwitch";
import type { Locale } from "@/lib/lessons/types";
import type { TextVars } from "@/lib/lessons/ui-text";
import { playgroundText as t, type PlaygroundTextKey } from "./playground-text";
import css from "./playground.module.css";

const MODE_TITLE: Record<ModeName, string> = {
  rest: "REST",
  connect: "Connect",
  "grpc-web": "gRPC-web",
  grpc: "gRPC",
  mqtt: "MQTT",
};

type Shown = { mode: ModeName; call: CallName; result: CallResult<unknown> };

/** A message of the page, kept as its key so it follows a change of language. */
type Message = { key: PlaygroundTextKey; vars?: TextVars };

/** A "Repeat ×N" run: progress and tally. */
interface RepeatRun {
  mode: ModeName;
  call: CallName;
  total: number;
  done: number;
  ok: number;
  /** Failures by status ("503", "unavailable", "timeout"). */
  failed: Record<string, number>;
  /** Calls that needed more than one attempt. */
  retried: number;
  running: boolean;
  cancelled: boolean;
}

/**
 * The session's defences as client options: the ONE place where Defences
 * reach the playground's clients (deadline, retries with backoff,
 * idempotency keys; lib/client/defences.ts). Clients are keyed by these
 * options, so a change takes effect on the next call.
 */
function defenceOptions(d: Defences | undefined): Pick<LabClientOptions, "timeoutMs" | "retry" | "idempotencyKeys"> {
  return d ? clientOptionsFromDefences(d) : {};
}

function parseInput(call: CallName, text: string): { ok: true; value: Record<string, unknown> } | { ok: false; error: Message } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { ok: false, error: { key: "notJson", vars: { error: (err as Error).message } } };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return { ok: false, error: { key: "notObject" } };
  const v = value as Record<string, unknown>;
  const int = (k: string, min: number): Message | undefined => {
    const n = v[k];
    if (typeof n === "number" ? Number.isInteger(n) && n >= min : typeof n === "string" && /^\d+$/.test(n)) return undefined;
    return { key: "notInteger", vars: { key: k, min } };
  };
  const err: Message | undefined =
    call === "GetUser" ? int("id", 0)
    : call === "CreateOrder" ? (int("userId", 0) ?? int("quantity", 0) ?? (typeof v.sku === "string" ? undefined : { key: "skuNotString" }))
    : call === "CreateUser" ? (typeof v.name === "string" && typeof v.email === "string" ? undefined : { key: "nameEmailNotStrings" })
    : undefined;
  return err ? { ok: false, error: err } : { ok: true, value: v };
}


/** The playground: one call in any mode, its response, its command line, and the live trace. */
export function Playground({ initialLocale }: { initialLocale: Locale }) {
  const [locale, setLocale] = useLocaleState(initialLocale);
  const text = (key: PlaygroundTextKey, vars?: TextVars) => t(key, locale, vars);
  const { session, error: labError, store, trace } = useLab();
  const [mode, setMode] = useState<ModeName>("rest");
  const [call, setCall] = useState<CallName>("GetUser");
  const [input, setInput] = useState(DEFAULT_INPUT.GetUser);
  const [inputError, setInputError] = useState<Message>();
  const [busy, setBusy] = useState(false);
  const [shown, setShown] = useState<Shown>();
  const clients = useRef(new Map<string, Promise<LabClient>>());
  const [qos, setQos] = useState<0 | 1 | 2>(1);
  const [selected, setSelected] = useState<TraceEvent | TraceEvent[] | null>(null);
  const [compared, setCompared] = useState<{ call: CallName; spans: string[]; titles: string[] }>();
  const lab = useFaultLab({ enabled: session !== undefined });
  const { refreshCounters } = lab;
  /** CreateOrder calls sent from this page, and the orders the sandbox had accepted before (it outlives a reload). */
  const [placed, setPlaced] = useState(0);
  const [acceptedBefore, setAcceptedBefore] = useState<number>();
  if (acceptedBefore === undefined && lab.counters && placed === 0) setAcceptedBefore(Number(lab.counters.ordersAccepted));
  const [repeatTimes, setRepeatTimes] = useState(100);
  const [repeatConcurrency, setRepeatConcurrency] = useState(10);
  const [run, setRun] = useState<RepeatRun>();
  const repeatAbort = useRef<AbortController | null>(null);
  const defenceOpts = useMemo(() => defenceOptions(lab.defences), [lab.defences]);
  const defenceKey = JSON.stringify(defenceOpts);

  const parsed = useMemo(() => parseInput(call, input), [call, input]);
  const endpoints = session && {
    host: typeof window === "undefined" ? "localhost" : window.location.hostname,
    httpPort: session.httpPort,
    grpcPort: session.grpcPort,
    mqttPort: session.mqttPort,
    session: session.session,
  };

  function client(m: ModeName): Promise<LabClient> {
    // One client (and connection) per mode, QoS and defences, reused across calls.
    const base = m === "mqtt" ? `mqtt-qos${qos}` : m;
    const key = `${base}|${defenceKey}`;
    let c = clients.current.get(key);
    if (!c) {
      // The defences (or, over MQTT, the QoS) changed: the same mode's older
      // client is done with. One MQTT connection at a time: each subscribes
      // to the session's reply/#, so a second one would be handed every
      // reply too and draw a delivery to the Browser that nobody waits for.
      const family = m === "mqtt" ? "mqtt-" : `${base}|`;
      for (const [k, old] of clients.current) {
        if (k.startsWith(family)) {
          clients.current.delete(k);
          old.then((x) => x.close()).catch(() => undefined);
        }
      }
      const wsUrl = `${window.location.protocol === "https:" ? "wss" : "ws"}://${window.location.host}/mqtt`;
      c = createLabClient({ mode: m, baseUrl: "", mqttUrl: wsUrl, mqttQos: qos, session: session!.session, onEvent: (e) => store.add([e]), ...defenceOpts });
      clients.current.set(key, c);
    }
    return c;
  }

  async function perform(m: ModeName, v: Record<string, unknown>, c: LabClient | Promise<LabClient> = client(m)): Promise<CallResult<unknown>> {
    if (call === "CreateOrder") setPlaced((n) => n + 1);
    try {
      return await callWith(await c, v);
    } finally {
      refreshCounters();
    }
  }

  function callWith(c: LabClient, v: Record<string, unknown>): Promise<CallResult<unknown>> {
    switch (call) {
      case "GetUser":
        return c.getUser(BigInt(v.id as number));
      case "CreateUser":
        return c.createUser(String(v.name), String(v.email));
      case "ListUsers":
        return c.listUsers({ limit: Number(v.limit ?? 0), intervalMs: Number(v.intervalMs ?? 0) });
      case "CreateOrder":
        return c.createOrder({ userId: BigInt(v.userId as number), sku: String(v.sku), quantity: Number(v.quantity) });
    }
  }

  /** Runs `work` with the input checked, the button busy and failures shown in the page. */
  async function guarded(work: (v: Record<string, unknown>) => Promise<void>) {
    if (!parsed.ok) {
      setInputError(parsed.error);
      return;
    }
    setInputError(undefined);
    setBusy(true);
    try {
      await work(parsed.value);
    } catch (err) {
      setInputError({ key: "callFailed", vars: { error: (err as Error).message } });
    } finally {
      setBusy(false);
    }
  }

  const send = () => guarded(async (v) => setShown({ mode, call, result: await perform(mode, v) }));

  /** The same call in REST, Connect and MQTT, one after another, for the side-by-side view. */
  const compare = () =>
    guarded(async (v) => {
      const modes: ModeName[] = ["rest", "connect", "mqtt"];
      const spans: string[] = [];
      for (const m of modes) {
        const result = await perform(m, v);
        spans.push(result.spanId);
        setShown({ mode: m, call, result });
      }
      setCompared({ call, spans, titles: modes.map((m) => `${MODE_TITLE[m]} · ${call}`) });
    });

  /** "Repeat ×N": the current call N times, at most `repeatConcurrency` in flight, until done or cancelled. */
  async function repeat() {
    if (!parsed.ok) {
      setInputError(parsed.error);
      return;
    }
    setInputError(undefined);
    const plan = repeatPlan(repeatTimes, repeatConcurrency);
    const abort = new AbortController();
    repeatAbort.current = abort;
    const tally: RepeatRun = { mode, call, total: plan.total, done: 0, ok: 0, failed: {}, retried: 0, running: true, cancelled: false };
    setRun({ ...tally });
    setBusy(true);
    let last: CallResult<unknown> | undefined;
    let shownAt = 0;
    const show = () => {
      setRun({ ...tally, failed: { ...tally.failed } });
      if (last) setShown({ mode: tally.mode, call: tally.call, result: last });
    };
    try {
      const c = client(mode);
      await c;
      const v = parsed.value;
      const summary = await runRepeated(plan.total, plan.concurrency, () => perform(tally.mode, v, c), {
        signal: abort.signal,
        onResult: (o, _i, done) => {
          tally.done = done;
          if (o.ok && o.value.ok) tally.ok++;
          else {
            const status = o.ok ? o.value.status : "error";
            tally.failed[status] = (tally.failed[status] ?? 0) + 1;
          }
          if (o.ok) {
            last = o.value;
            if (o.value.attempts > 1) tally.retried++;
          }
          // At most ten page updates a second, however fast the calls are.
          const now = performance.now();
          if (now - shownAt > 100) {
            shownAt = now;
            show();
          }
        },
      });
      tally.cancelled = summary.cancelled;
    } catch (err) {
      setInputError({ key: "callsFailed", vars: { error: (err as Error).message } });
    } finally {
      tally.running = false;
      show();
      repeatAbort.current = null;
      setBusy(false);
    }
  }

  async function resetSandbox() {
    repeatAbort.current?.abort();
    if (await lab.resetSandbox()) {
      store.clear();
      setPlaced(0);
      setAcceptedBefore(0);
      setShown(undefined);
      setCompared(undefined);
      setSelected(null);
      setRun(undefined);
    }
  }

  const verdict = lab.counters ? summariseCounters(lab.counters, { placed, acceptedBefore }, locale) : [];
  const headline = verdict.find((l) => l.level === worstLevel(verdict));

  const serverSide = shown && trace.events.filter((e) => e.spanId === shown.result.spanId && e.seq > 0n);
  const reqWire = serverSide?.find((e) => e.kind === EventKind.REQUEST_RECEIVED);
  const resWire = serverSide?.find((e) => e.kind === EventKind.RESPONSE_SENT);

  return (
    <div className="playground" lang={locale}>
      <div className={css.topRow}>
        <LanguageSwitch locale={locale} onChange={setLocale} />
      </div>
      <section className="panel call-panel" aria-labelledby="call-h">
        <h2 id="call-h">{text("makeCall")}</h2>
        <fieldset className="modes">
          <legend>{text("mode")}</legend>
          {BROWSER_MODES.map((m) => (
            <label key={m} className={m === mode ? "mode on" : "mode"}>
              <input type="radio" name="mode" value={m} checked={m === mode} onChange={() => setMode(m)} />
              {MODE_TITLE[m]}
            </label>
          ))}
        </fieldset>
        {mode === "mqtt" && (
          <label className="field">
            {text("qosField")}
            <select value={qos} onChange={(e) => setQos(Number(e.target.value) as 0 | 1 | 2)}>
              <option value={0}>{text("qos0")}</option>
              <option value={1}>{text("qos1")}</option>
              <option value={2}>{text("qos2")}</option>
            </select>
          </label>
        )}
        <label className="field">
          {text("call")}
          <select
            value={call}
            onChange={(e) => {
              const next = e.target.value as CallName;
              setCall(next);
              setInput(DEFAULT_INPUT[next]);
              setInputError(undefined);
            }}
          >
            {CALLS.map((c) => (
              <option key={c}>{c}</option>
            ))}
          </select>
        </label>
        <label className="field">
          {text("input")}
          <textarea value={input} onChange={(e) => setInput(e.target.value)} rows={4} spellCheck={false} aria-invalid={!parsed.ok} />
        </label>
        {inputError && (
          <p role="alert" className="error" data-testid="input-error">
            {text(inputError.key, inputError.vars)}
          </p>
        )}
        <button className="primary" onClick={send} disabled={busy || !session}>
          {busy ? text("sending") : text("send", { call, mode: MODE_TITLE[mode] })}
        </button>
        <button className="secondary" onClick={compare} disabled={busy || !session}>
          {text("compare")}
        </button>
        <fieldset className={css.repeat}>
          <legend>{text("repeat")}</legend>
          <div className={css.repeatRow}>
            <label>
              ×{" "}
              <input
                type="number"
                aria-label={text("repeatCount")}
                min={REPEAT_LIMITS.minTimes}
                max={REPEAT_LIMITS.maxTimes}
                value={repeatTimes}
                onChange={(e) => setRepeatTimes(Number(e.target.value))}
                disabled={busy}
              />
            </label>
            <label>
              {text("atMostBefore")}{" "}
              <input
                type="number"
                aria-label={text("callsAtATime")}
                min={1}
                max={REPEAT_LIMITS.maxConcurrency}
                value={repeatConcurrency}
                onChange={(e) => setRepeatConcurrency(Number(e.target.value))}
                disabled={busy}
              />{" "}
              {text("atMostAfter")}
            </label>
          </div>
          {run?.running ? (
            <div className={css.repeatRow}>
              <progress max={run.total} value={run.done} aria-label={text("repeatProgress")} />
              <span data-testid="repeat-progress">
                {run.done}/{run.total}
              </span>
              <button type="button" onClick={() => repeatAbort.current?.abort()}>
                {text("cancel")}
              </button>
            </div>
          ) : (
            <button type="button" className={css.repeatButton} onClick={repeat} disabled={busy || !session}>
              {text("repeatButton", { call, n: repeatPlan(repeatTimes, repeatConcurrency).total })}
            </button>
          )}
          {run && (
            <p className={css.summary} data-testid="repeat-summary" aria-live="polite">
              {run.running ? text("runRunning") : run.cancelled ? text("runCancelled") : ""}
              {text("runSummary", { done: run.done, total: run.total, call: run.call, mode: MODE_TITLE[run.mode], ok: run.ok })}
              {Object.entries(run.failed).map(([status, n]) => text("runFailed", { n, status: status === "error" ? text("runError") : status }))}
              {run.retried > 0 ? text("runRetried", { n: run.retried }) : ""}
            </p>
          )}
          {headline && run && (
            <p className={css.headline} data-level={headline.level}>
              {headline.text}
            </p>
          )}
        </fieldset>
        <p className="session-line">
          {text("session")} <code data-testid="session-id">{session?.session ?? "…"}</code>{" "}
          <span className={trace.connected ? "dot live" : "dot"} aria-hidden /> {trace.connected ? text("traceLive") : text("connecting")}
        </p>
        {labError && (
          <p className="error" lang="en">
            {labError}
          </p>
        )}
      </section>

      <div className={css.side}>
        <section className="panel response-panel" aria-labelledby="resp-h" aria-live="polite">
          <h2 id="resp-h">{text("response")}</h2>
          {!shown ? (
            <p className="muted">{text("responseEmpty")}</p>
          ) : (
            <div data-testid="response">
              <div className="metrics">
                <span className={shown.result.ok ? "badge ok" : "badge bad"} data-testid="status">
                  {shown.result.status}
                </span>
                <span>
                  <strong>{shown.result.latencyMs.toFixed(1)} ms</strong> {text("roundTrip")}
                  {shown.result.attempts > 1 ? text("attempts", { n: shown.result.attempts }) : ""}
                </span>
                <span>{text("bytesSentReceived", { sent: shown.result.requestBytes, received: shown.result.responseBytes })}</span>
                {reqWire && resWire && <span title={text("onTheWireTitle")}>{text("onTheWire", { sent: wireBytes(reqWire) ?? 0, received: wireBytes(resWire) ?? 0 })}</span>}
              </div>
              <pre className="json">{shown.result.ok ? showAnswer(shown.result) : shown.result.error}</pre>
            </div>
          )}
        </section>

        <section className="panel command-panel" aria-labelledby="cmd-h">
          <h2 id="cmd-h">{text("fromTerminal")}</h2>
          {endpoints && parsed.ok ? (
            <>
              <pre className="command" data-testid="command">
                {commandFor(mode, call, parsed.value, endpoints)}
              </pre>
              <CopyButton text={commandFor(mode, call, parsed.value, endpoints)} locale={locale} />
              {mode !== "grpc" && (
                <details>
                  <summary>{text("nativeGrpc", { port: endpoints.grpcPort })}</summary>
                  <pre className="command">{commandFor("grpc", call, parsed.value, endpoints)}</pre>
                </details>
              )}
            </>
          ) : (
            <p className="muted">{parsed.ok ? text("waitingSession") : text("fixInput")}</p>
          )}
        </section>
      </div>

      {compared && (
        <section className="panel compare-panel" aria-labelledby="compare-h">
          <div className="panel-head">
            <h2 id="compare-h">{text("compareTitle")}</h2>
            <span className="muted">{text("compareNote", { call: compared.call })}</span>
            <button onClick={() => setCompared(undefined)}>{text("close")}</button>
          </div>
          <SideBySide events={trace.events} rootSpanIds={compared.spans} titles={compared.titles} onSelect={(s) => setSelected(s)} height={420} title={text("compareDiagram")} />
        </section>
      )}

      <section className={css.breakGrid} aria-label={text("breakIt")}>
        <div className={`panel ${css.faults}`}>
          <FaultPanel rules={lab.rules} onRulesChange={lab.setRules} onClear={lab.clearRules} error={lab.rulesError} saving={lab.savingRules} available={lab.available} locale={locale} />
        </div>
        <div className={`panel ${css.defences}`}>
          <DefencePanel defences={lab.defences} onChange={lab.setDefences} error={lab.defencesError} saving={lab.savingDefences} available={lab.available} locale={locale} />
        </div>
        <div className={`panel ${css.outcome}`}>
          <OutcomeCountersPanel
            locale={locale}
            counters={lab.counters}
            error={lab.countersError ?? lab.resetError}
            placed={placed}
            acceptedBefore={acceptedBefore}
            onVisibleChange={lab.setCountersVisible}
            actions={<ResetSandboxButton onReset={resetSandbox} resetting={lab.resetting} disabled={!session || run?.running} locale={locale} />}
          />
        </div>
      </section>

      <section className="panel trace-panel" aria-labelledby="trace-h">
        <div className="panel-head">
          <h2 id="trace-h">{text("trace")}</h2>
          <span className="muted" data-testid="trace-count">
            {text("events", { n: trace.events.length })}
            {trace.dropped > 0 ? text("dropped", { n: trace.dropped }) : ""}
          </span>
        </div>
        <FaultChips rules={lab.rules} className={css.traceChips} locale={locale} />
        <div className={selected ? "trace-layout with-inspector" : "trace-layout"}>
          <TraceViewer events={trace.events} droppedCount={trace.dropped} onSelect={(s) => setSelected(s)} height={560} title={text("diagram")} locale={locale} />
          {selected && (
            <div className="inspector-column">
              <WireInspector event={selected} onClose={() => setSelected(null)} maxHeight={720} locale={locale} />
            </div>
          )}
        </div>
      </section>

      <MeasurePanel session={session?.session} readPermalink locale={locale} />
    </div>
  );
}
