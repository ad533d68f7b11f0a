"use client";

import { useState } from "react";
import { prettyBody } from "@/lib/client/show";
import { ui } from "@/lib/lessons/ui-text";
import type { RestAction } from "@/lib/lessons/types";
import { useLesson, useRuntimeVersion } from "../lesson-context";
import type { Outcome } from "../runtime/lesson-runtime";
import { RepeatBadge, RunSummary } from "./RepeatSummary";
import css from "../lessons.module.css";

export interface RestProps {
  method: RestAction["rest"];
  /** Under /rest; `{created}` is the id of the last user created here. */
  path: string;
  body?: Record<string, unknown>;
  /** Send If-None-Match with the last ETag seen for the path. */
  ifNoneMatch?: boolean;
  /** Send it this many times per press (a `repeat` action), and sum them up. */
  repeat?: number;
  /** With `repeat`: at most this many requests in flight (default 1). */
  concurrency?: number;
}

/**
 * `<Rest method="PUT" path="/users/{created}" body={{…}} />`: one raw HTTP
 * request to the REST gateway and its answer — status, the headers that
 * matter (ETag, Location, Cache-Control…) and the body.
 */

export function Rest({ method, path, body, ifNoneMatch, repeat, concurrency }: RestProps) {
  const { locale, runtime, session } = useLesson();
  useRuntimeVersion(runtime);
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const action: RestAction = { rest: method, path, body, ifNoneMatch };
  const o = runtime.outcome(action) as Extract<Outcome, { kind: "rest" }> | undefined;

  async function run() {
    setError(undefined);
    setBusy(true);
    try {
      await runtime.runOne(repeat ? { repeat, concurrency, action } : action);
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className={css.widget} data-widget="rest">
      <button type="button" className={css.live} onClick={run} disabled={!session || busy}>
        <span aria-hidden>▶ </span>
        <code>
          {method} /rest{path}
        </code>
        {repeat ? <RepeatBadge repeat={repeat} concurrency={concurrency} /> : null}
        {ifNoneMatch ? <span> + If-None-Match</span> : null}
        {body ? <code className={css.inputCode}>{JSON.stringify(body)}</code> : null}
      </button>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {repeat ? (
        <div className={css.outcomes} aria-live="polite">
          <RunSummary action={action} repeat={repeat} concurrency={concurrency} />
        </div>
      ) : null}
      {o && (
        <div className={css.outcome} aria-live="polite" data-testid="rest-outcome">
          <div className="metrics">
            <code className={css.requestLine}>{o.requestLine}</code>
            <span className={o.ok ? "badge ok" : "badge bad"} data-testid="status">
              {o.status}
            </span>
            <span>
              <strong>{o.latencyMs.toFixed(1)} ms</strong> {ui("roundTrip", locale)}
            </span>
            <span>{o.responseBytes} B</span>
          </div>
          {Object.keys(o.headers).length > 0 && (
            <dl className={css.headersList} aria-label={ui("headers", locale)}>
              {Object.entries(o.headers).map(([k, v]) => (
                <div key={k}>
                  <dt>{k}</dt>
                  <dd>{v}</dd>
                </div>
              ))}
            </dl>
          )}
          <pre className={`json ${css.compactPre}`}>{o.error ?? (o.body ? prettyBody(o.body) : ui("noBody", locale))}</pre>
        </div>
      )}
    </div>
  );
}
