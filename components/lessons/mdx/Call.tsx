"use client";

import { useState } from "react";
import type { CallName } from "@/lib/calls";
import type { ModeName } from "@/lib/client";
import { showAnswer, showValue } from "@/lib/client/show";
import { modeTitle } from "@/lib/lessons/actions";
import { ui } from "@/lib/lessons/ui-text";
import type { Action, CallAction } from "@/lib/lessons/types";
import { useLesson, useRuntimeVersion } from "../lesson-context";
import type { CallOutcome } from "../runtime/lesson-runtime";
import { RepeatBadge, RunSummary } from "./RepeatSummary";
import css from "../lessons.module.css";

export interface CallProps {
  call: CallName;
  /** One mode, or `modes` for one button each. */
  mode?: ModeName;
  modes?: readonly ModeName[];
  input?: Record<string, unknown>;
  codec?: "json" | "binary";
  qos?: 0 | 1 | 2;
  /** Make the call this many times per press (a `repeat` action), with a summary of the run. */
  repeat?: number;
  /** With `repeat`: how many calls at once (default 1). */
  concurrency?: number;
  /** Round-robin over these instances of the service (Connect, gRPC-web). */
  instances?: readonly number[];
  /** With `instances`: leave a failed instance out of the turn this long, in ms. */
  ejectMs?: number;
  /** After a transient failure, one more attempt over this mode. */
  fallback?: ModeName;
}


/** The title of a call button: "GetUser over REST" / "用 REST 调用 GetUser", with the codec or QoS when set. */
export function callButtonText(a: CallAction, locale: "en" | "zh-CN"): string {
  const extra = a.codec === "binary" ? " · protobuf" : a.codec === "json" ? " · JSON" : a.qos !== undefined ? ` · QoS ${a.qos}` : "";
  const route = [
    a.instances ? ui("roundRobin", locale, { instances: a.instances.map((n) => `#${n}`).join(locale === "zh-CN" ? "、" : ", ") }) : "",
    a.ejectMs ? ui("ejecting", locale, { s: a.ejectMs / 1000 }) : "",
    a.fallback ? ui("fallingBack", locale, { mode: modeTitle(a.fallback) }) : "",
  ].filter(Boolean);
  return ui("send", locale, { call: a.call, mode: `${modeTitle(a.mode)}${extra}` }) + route.map((r) => ` · ${r}`).join("");
}

/**
 * `<Call call="GetUser" modes={["rest","connect","mqtt"]} input={{ id: 123 }} />`:
 * live buttons that make the call through the lab's client (the same
 * action the step's solution uses), each with its last outcome: status,
 * latency, body bytes and the value. With `repeat={50}` a press makes 50
 * calls and the outcome sums them up (statuses, median and p90 latency).
 */
export function Call({ call, mode, modes, input, codec, qos, repeat, concurrency, instances, ejectMs, fallback }: CallProps) {
  const { locale, runtime, session } = useLesson();
  useRuntimeVersion(runtime);
  const list = modes ?? (mode ? [mode] : ["rest" as const]);
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState<string>();

  async function run(a: CallAction) {
    setError(undefined);
    setBusy(a.mode);
    const action: Action = repeat ? { repeat, concurrency, action: a } : a;
    try {
      await runtime.runOne(action);
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(undefined);
    }
  }

  const actions: CallAction[] = list.map((m) => withoutUndefined({ call, mode: m, input, codec, qos, instances, ejectMs, fallback }));
  return (
    <div className={css.widget} data-widget="call">
      <div className={css.buttonRow}>
        {actions.map((a) => (
          <button key={a.mode} type="button" className={css.live} onClick={() => run(a)} disabled={!session || busy === a.mode}>
            <span aria-hidden>▶ </span>
            {busy === a.mode ? ui("sending", locale) : callButtonText(a, locale)}
            {repeat ? <RepeatBadge repeat={repeat} concurrency={concurrency} /> : null}
            {a.input ? <code className={css.inputCode}>{JSON.stringify(a.input)}</code> : null}
          </button>
        ))}
      </div>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <div className={css.outcomes} aria-live="polite">
        {actions.map((a) => {
          if (repeat) return <RunSummary key={a.mode} action={a} repeat={repeat} concurrency={concurrency} />;
          const o = runtime.outcome(a) as CallOutcome | undefined;
          return o ? <CallOutcomeView key={a.mode} outcome={o} /> : null;
        })}
      </div>
    </div>
  );
}

function CallOutcomeView({ outcome }: { outcome: CallOutcome }) {
  const { locale } = useLesson();
  const r = outcome.result;
  if (!r) {
    return (
      <div className={css.outcome} data-testid="call-outcome" data-mode={outcome.action.mode}>
        <div className="metrics">
          <span className={css.outcomeMode}>{modeTitle(outcome.action.mode)}</span>
          <span>{ui("streaming", locale, { n: outcome.streamed?.length ?? 0 })}</span>
        </div>
        <pre className={`json ${css.compactPre}`}>{showValue(outcome.streamed ?? [])}</pre>
      </div>
    );
  }
  return (
    <div className={css.outcome} data-testid="call-outcome" data-mode={outcome.action.mode}>
      <div className="metrics">
        <span className={css.outcomeMode}>{modeTitle(outcome.action.mode)}</span>
        <span className={r.ok ? "badge ok" : "badge bad"} data-testid="status">
          {r.status}
        </span>
        <span>
          <strong>{r.latencyMs.toFixed(1)} ms</strong> {ui("roundTrip", locale)}
        </span>
        <span>{ui("bytesSentReceived", locale, { sent: r.requestBytes, received: r.responseBytes })}</span>
        {r.attempts > 1 && <span>{ui(r.fellBackTo ? "answeredByFallback" : "afterAttempts", locale, { n: r.attempts, mode: r.fellBackTo ? modeTitle(r.fellBackTo) : "" })}</span>}
      </div>
      {!r.ok && outcome.streamed && outcome.streamed.length > 0 && (
        <p className={css.muted}>{ui("streamedBeforeError", locale, { n: outcome.streamed.length })}</p>
      )}
      <pre className={`json ${css.compactPre}`}>{r.ok ? showAnswer(r) : r.error}</pre>
    </div>
  );
}

/** A call action without the props the MDX left out, so it keys the same as the lesson's solution. */
function withoutUndefined(a: CallAction): CallAction {
  return Object.fromEntries(Object.entries(a).filter(([, v]) => v !== undefined)) as unknown as CallAction;
}
