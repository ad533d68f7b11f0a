"use client";

import { useId, useState } from "react";
import { ui } from "@/lib/lessons/ui-text";
import type { MqttAction } from "@/lib/lessons/types";
import { useLesson, useRuntimeVersion } from "../lesson-context";
import css from "../lessons.module.css";

export interface MqttClientProps {
  /** The client's name, and its lifeline in the diagram ("Logistics"). */
  name: string;
  /** A topic filter it can subscribe to (relative to lab/<session>/). */
  subscribe?: string;
  /** A message it can publish. */
  publish?: { topic: string; payload: string; qos?: 0 | 1 | 2; retain?: boolean };
  /** QoS of the subscription (default 1). */
  qos?: 0 | 1 | 2;
  /** The Clean session box starts ticked (default) or not. */
  clean?: boolean;
  /** Connect with this name's client id (its lifeline) instead of its own: two widgets `as` one name share a client id (MQTT 3.1.1 §3.1.4). */
  as?: string;
  /** Reconnect by itself after losing the connection, as a service does. */
  reconnect?: boolean;
}

/**
 * `<MqttClient name="Logistics" subscribe="events/order.created" />`: an MQTT
 * client the learner drives by hand — connect with a clean or persistent
 * session, subscribe, publish (RETAIN optional), disconnect — and what it
 * received, with the RETAIN and DUP flags.
 */
export function MqttClient({ name, subscribe, publish, qos = 1, clean: cleanDefault = true, as, reconnect }: MqttClientProps) {
  const { locale, runtime, session } = useLesson();
  useRuntimeVersion(runtime);
  const [clean, setClean] = useState(cleanDefault);
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const cleanId = useId();
  const state = runtime.mqttClient(name)?.state;
  const online = state?.online ?? false;

  async function run(a: MqttAction) {
    setError(undefined);
    setBusy(true);
    try {
      await runtime.runOne(a);
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className={`${css.widget} ${css.mqttClient}`} data-widget="mqtt-client" data-client={name} data-online={online}>
      <p className={css.widgetTitle}>
        📡 {name} <span className={online ? "badge ok" : "badge bad"}>{online ? ui("mqttOnline", locale) : ui("mqttOffline", locale)}</span>
        {state?.sessionPresent !== undefined && (
          <span className={css.muted}> · {ui("mqttSessionPresent", locale, { v: state.sessionPresent ? ui("yes", locale) : ui("no", locale) })}</span>
        )}
        {as && as !== name && <span className={css.muted}> · {ui("mqttAs", locale, { name: as })}</span>}
        {reconnect && <span className={css.muted}> · {ui("mqttReconnects", locale)}</span>}
      </p>
      <div className={css.buttonRow}>
        <label htmlFor={cleanId} className={css.checkbox}>
          <input id={cleanId} type="checkbox" checked={online && state ? state.clean : clean} onChange={(e) => setClean(e.target.checked)} disabled={online} />
          {ui("mqttClean", locale)}
        </label>
        {online || state?.reconnect ? (
          <button type="button" onClick={() => run({ mqtt: "disconnect", client: name })} disabled={busy}>
            {ui("mqttDisconnect", locale)}
          </button>
        ) : (
          <button type="button" className={css.live} onClick={() => run({ mqtt: "connect", client: name, clean, ...(as ? { as } : {}), ...(reconnect ? { reconnect } : {}) })} disabled={busy || !session}>
            {ui("mqttConnect", locale)}
          </button>
        )}
        {subscribe && (
          <button type="button" onClick={() => run({ mqtt: "subscribe", client: name, topic: subscribe, qos })} disabled={busy || !online}>
            {ui("mqttSubscribe", locale, { topic: subscribe })}
          </button>
        )}
        {publish && (
          <button type="button" onClick={() => run({ mqtt: "publish", client: name, ...publish })} disabled={busy || !online}>
            {ui("mqttPublish", locale, { topic: publish.topic })} “{publish.payload}”{publish.retain ? " · RETAIN" : ""}
          </button>
        )}
      </div>
      {(error ?? state?.error) && (
        <p role="alert" className="error">
          {error ?? state?.error}
        </p>
      )}
      {subscribe && (
        <div aria-live="polite">
          <p className={css.muted}>{ui("mqttReceived", locale, { n: state?.messages.length ?? 0 })}</p>
          {state && state.messages.length > 0 ? (
            <ul className={css.messages} data-testid="mqtt-messages">
              {state.messages.map((m, i) => (
                <li key={state.messages.length - i}>
                  <code>{m.topic}</code> {m.text}
                  {m.retain && <span className={css.flag}>RETAIN</span>}
                  {m.dup && <span className={css.flag}>DUP</span>}
                </li>
              ))}
            </ul>
          ) : (
            <p className={css.muted}>{ui("mqttNothing", locale)}</p>
          )}
        </div>
      )}
    </div>
  );
}
