"use client";

import { useState } from "react";
import { commandFor, DEFAULT_INPUT, type CallName, type Endpoints } from "@/lib/calls";
import type { ModeName } from "@/lib/client";
import { ui } from "@/lib/lessons/ui-text";
import { useLesson } from "../lesson-context";
import css from "../lessons.module.css";

export interface CommandProps {
  /** The same call from a terminal: curl (rest), buf curl (connect, grpc-web, grpc), mosquitto (mqtt). */
  mode?: ModeName;
  call?: CallName;
  input?: Record<string, unknown>;
  /** A tool commandFor does not cover: grpcurl (native gRPC with the .proto) or mosquitto_sub on a topic. */
  tool?: "grpcurl" | "mosquitto_sub";
  /** mosquitto_sub: the topic filter under lab/<session>/ (default "#"). */
  topic?: string;
  /**
   * Any command, with {session}, {host}, {httpPort}, {grpcPort},
   * {mqttPort} and {prefix} (lab/<session>/) filled in.
   */
  template?: string;
}

const PROTO_FILE: Record<CallName, string> = { GetUser: "user.proto", CreateUser: "user.proto", ListUsers: "user.proto", CreateOrder: "order.proto" };
const SERVICE: Record<CallName, string> = { GetUser: "UserService", CreateUser: "UserService", ListUsers: "UserService", CreateOrder: "OrderService" };

function shq(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The command text for the learner's session. */
export function commandText(p: CommandProps, ep: Endpoints): string {
  if (p.template !== undefined) {
    const vars: Record<string, string> = {
      session: ep.session,
      host: ep.host,
      httpPort: String(ep.httpPort),
      grpcPort: String(ep.grpcPort),
      mqttPort: String(ep.mqttPort),
      prefix: `lab/${ep.session}/`,
    };
    return p.template.trim().replace(/\{(\w+)\}/g, (whole, k: string) => vars[k] ?? whole);
  }
  const call = p.call ?? "GetUser";
  const input = p.input ?? (JSON.parse(DEFAULT_INPUT[call]) as Record<string, unknown>);
  if (p.tool === "mosquitto_sub") {
    return `mosquitto_sub -h ${ep.host} -p ${ep.mqttPort} -u ${ep.session} -i mosquitto_sub-${ep.session} -q 1 \\\n  -t ${shq(`lab/${ep.session}/${p.topic ?? "#"}`)} -v`;
  }
  if (p.tool === "grpcurl") {
    const json = JSON.stringify(Object.fromEntries(Object.entries(input).map(([k, v]) => [k, typeof v === "number" && /id$/i.test(k) ? String(v) : v])));
    return `grpcurl -plaintext -import-path proto -proto lab/v1/${PROTO_FILE[call]} \\\n  -H ${shq(`x-lab-session: ${ep.session}`)} -d ${shq(json)} \\\n  ${ep.host}:${ep.grpcPort} lab.v1.${SERVICE[call]}/${call}`;
  }
  return commandFor(p.mode ?? "rest", call, input, ep);
}

/**
 * `<Command mode="grpc" call="GetUser" input={{ id: 123 }} />`, `<Command tool="grpcurl" … />`,
 * `<Command tool="mosquitto_sub" topic="events/#" />` or `<Command template="curl … {session} …" />`:
 * a terminal command with the learner's session filled in, and a copy button.
 */
export function Command(props: CommandProps) {
  const { locale, session } = useLesson();
  const [copied, setCopied] = useState(false);
  if (!session) return <p className={css.muted}>{ui("waitingSession", locale)}</p>;
  const ep: Endpoints = {
    host: typeof window === "undefined" ? "localhost" : window.location.hostname,
    httpPort: session.httpPort,
    grpcPort: session.grpcPort,
    mqttPort: session.mqttPort,
    session: session.session,
  };
  const text = commandText(props, ep);
  return (
    <div className={`${css.widget} ${css.command}`} data-widget="command">
      <pre className="command" data-testid="command">
        {text}
      </pre>
      <div className={css.commandFoot}>
        <button
          type="button"
          onClick={async () => {
            try {
              await navigator.clipboard.writeText(text);
              setCopied(true);
              setTimeout(() => setCopied(false), 1500);
            } catch {
              setCopied(false);
            }
          }}
        >
          {copied ? ui("copied", locale) : ui("copy", locale)}
        </button>
        <span className={css.muted}>{ui("commandNote", locale)}</span>
      </div>
    </div>
  );
}
