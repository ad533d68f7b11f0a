import type { CallName } from "../calls";
import type { ModeName } from "../client/types";
import type { OutcomeCounters } from "../gen/lab/v1/fault_pb";
import { EventKind, Mode, type TraceEvent } from "../gen/lab/v1/trace_pb";
import type { CheckItem, CheckResult, L10n } from "./types";

/**
 * Questions goal checks ask of the trace, so a lesson's `check` reads like
 * its goal: "an ok GetUser over MQTT", "a 304 after a 200 on the same
 * path", "Inventory processed the order after the answer was sent". Pure
 * functions of TraceEvent[] (the lab's one data model).
 *
 * Server events (seq > 0) are recorded by the lab whoever called — the
 * page, curl, buf curl, mosquitto — so checks built on them pass for
 * terminal work too; client events (seq 0) exist only for this page's own
 * calls and are the only witness of a failure with no answer at all.
 */

const MODE_BY_NAME: Readonly<Record<ModeName, Mode>> = {
  rest: Mode.REST,
  connect: Mode.CONNECT,
  "grpc-web": Mode.GRPC_WEB,
  grpc: Mode.GRPC,
  mqtt: Mode.MQTT,
};

/** The trace's Mode of a client mode name. */
export function modeOf(name: ModeName): Mode {
  return MODE_BY_NAME[name];
}

/** The call a REST request line stands for ("GET /rest/users/1" → GetUser), as the gateway routes it. */
export function restCallName(method: string, path: string): CallName | "UpdateUser" | "DeleteUser" | undefined {
  const p = path.split("?")[0];
  if (p === "/rest/users") return method === "POST" ? "CreateUser" : method === "GET" ? "ListUsers" : undefined;
  if (/^\/rest\/users\/[^/]+$/.test(p)) return method === "GET" || method === "HEAD" ? "GetUser" : method === "PUT" ? "UpdateUser" : method === "DELETE" ? "DeleteUser" : undefined;
  if (p === "/rest/orders" && method === "POST") return "CreateOrder";
  return undefined;
}

/** Whether a call's status means success: "ok" (RPC, MQTT) or an HTTP 2xx. */
export function isSuccess(status: string): boolean {
  return status === "ok" || /^2\d\d$/.test(status);
}

// ---------------------------------------------------------------------------

/** One call this page made, as its own client events tell it (one per attempt). */
export interface ClientCallView {
  spanId: string;
  mode: Mode;
  /** The REQUEST_SENT summary: "GET /rest/users/1", "GetUser", "PUT /rest/users/7 · If-None-Match …". */
  label: string;
  /** The call it stands for, when known. */
  call: string | undefined;
  /** HTTP status for REST ("404"), the RPC code otherwise ("not_found"), "network_error", "timeout"; undefined while in flight. */
  status: string | undefined;
  error: string;
  /** Client latency of the attempt, in ms (0 while in flight). */
  durationMs: number;
  /** Body bytes the client received. */
  responseBytes: number;
  attempt: number;
  /** The first attempt's span when this is a retry ("" for a first attempt). */
  retryOf: string;
  /** Response headers the page recorded (raw REST requests: etag, connection, …); {} otherwise. */
  headers: Readonly<Record<string, string>>;
  sent: TraceEvent;
  received: TraceEvent | undefined;
}

export interface ClientCallFilter {
  mode?: ModeName;
  /** "GetUser", "CreateOrder", … (REST request lines are mapped by route). */
  call?: string;
  /** An exact status ("304", "not_found") or a test of it. */
  status?: string | RegExp | ((status: string) => boolean);
  /** Only answered calls (default true). */
  answered?: boolean;
}

function statusMatches(status: string | undefined, want: ClientCallFilter["status"]): boolean {
  if (want === undefined) return true;
  if (status === undefined) return false;
  if (typeof want === "string") return status === want;
  if (want instanceof RegExp) return want.test(status);
  return want(status);
}

function labelCall(mode: Mode, label: string): string | undefined {
  if (mode === Mode.REST) {
    const [method, path] = label.split(" ");
    return path ? restCallName(method, path) : undefined;
  }
  return label.split(" ")[0] || undefined;
}

/**
 * This page's own calls: REQUEST_SENT / RESPONSE_RECEIVED pairs its
 * clients recorded (seq 0), in the order they were sent.
 *
 * @example clientCalls(ctx.events, { mode: "rest", status: /^5/ }).length > 0
 */
export function clientCalls(events: readonly TraceEvent[], filter: ClientCallFilter = {}): ClientCallView[] {
  const bySpan = new Map<string, ClientCallView>();
  for (const e of events) {
    if (e.seq !== 0n) continue;
    if (e.kind === EventKind.REQUEST_SENT) {
      bySpan.set(e.spanId, {
        spanId: e.spanId,
        mode: e.mode,
        label: e.summary,
        call: labelCall(e.mode, e.summary),
        status: undefined,
        error: "",
        durationMs: 0,
        responseBytes: 0,
        attempt: e.attempt || 1,
        retryOf: e.retryOfSpanId,
        headers: {},
        sent: e,
        received: undefined,
      });
    } else if (e.kind === EventKind.RESPONSE_RECEIVED) {
      const c = bySpan.get(e.spanId);
      if (!c) continue;
      c.status = e.summary;
      c.error = e.error;
      c.durationMs = e.durationMs;
      c.responseBytes = e.bytes?.body ?? 0;
      c.headers = e.http?.headers ?? {};
      c.received = e;
    }
  }
  const answered = filter.answered ?? true;
  return [...bySpan.values()].filter(
    (c) =>
      (!answered || c.received !== undefined) &&
      (filter.mode === undefined || c.mode === modeOf(filter.mode)) &&
      (filter.call === undefined || c.call === filter.call) &&
      statusMatches(c.status, filter.status),
  );
}

/** One call as its caller made it: the first attempt and its retries, in order. */
export interface ClientCallGroup {
  attempts: ClientCallView[];
  /** The last attempt (its status is the call's outcome; undefined while in flight). */
  last: ClientCallView;
  /** Spans of every attempt, to find what the servers did for this call. */
  spanIds: ReadonlySet<string>;
}

/**
 * This page's calls with their retries grouped (a retry names its first
 * attempt's span), in the order the calls started; `filter.status` tests
 * the call's last attempt.
 *
 * @example clientCallGroups(ctx.events, { mode: "rest" }).filter((g) => g.attempts.length > 1)
 */
export function clientCallGroups(events: readonly TraceEvent[], filter: ClientCallFilter = {}): ClientCallGroup[] {
  const groups = new Map<string, ClientCallView[]>();
  for (const c of clientCalls(events, { mode: filter.mode, call: filter.call, answered: false })) {
    const key = c.retryOf || c.spanId;
    const list = groups.get(key);
    if (list) list.push(c);
    else groups.set(key, [c]);
  }
  const answered = filter.answered ?? true;
  return [...groups.values()]
    .map((attempts) => ({ attempts, last: attempts[attempts.length - 1], spanIds: new Set(attempts.map((a) => a.spanId)) }))
    .filter((g) => (!answered || g.last.received !== undefined) && statusMatches(g.last.status, filter.status));
}

// ---------------------------------------------------------------------------

/** One request a server of the lab handled, as it recorded it (whoever the caller was). */
export interface ServerExchange {
  spanId: string;
  parentSpanId: string;
  mode: Mode;
  /** The caller and the server, as the diagram names them ("Browser" → "Gateway"). */
  from: string;
  to: string;
  /** HTTP request method and path ("GET", "/rest/users/1"). */
  method: string;
  path: string;
  /** The RPC method ("GetUser") for Connect, gRPC-web and gRPC; the REST route's call for REST. */
  call: string | undefined;
  /** The HTTP status sent (0 when the exchange broke off without one). */
  httpStatus: number;
  /** The RPC code sent ("ok", "not_found"), "" for REST. */
  code: string;
  /** "json" or "proto" for RPC modes. */
  codec: string;
  /** Body bytes of the request and of the response as they crossed the wire (framing apart). */
  requestBodyBytes: number;
  responseBodyBytes: number;
  /** Response header bytes (status line and headers). */
  responseHeaderBytes: number;
  /** Envelope and chunk framing bytes of the response. */
  responseFramingBytes: number;
  /** Stream messages the server sent in this exchange. */
  streamMessages: number;
  /** Whether it ended with an ERROR (reset, closed early) instead of a response. */
  broken: boolean;
  /** Fault kinds that hit this exchange ("error", "reset"). */
  faults: string[];
  /** Server sequence numbers of its first and last event (to order exchanges and other events). */
  firstSeq: bigint;
  lastSeq: bigint;
  /** Server clock of its first and last event, in ms. */
  startMs: number;
  endMs: number;
}

export interface ServerExchangeFilter {
  mode?: ModeName;
  call?: string;
  method?: string;
  /** An exact path or a test of it. */
  path?: string | RegExp;
  httpStatus?: number | ((status: number) => boolean);
  code?: string;
  codec?: "json" | "proto";
  /** Who called: "Browser" for this page (and other pages of the session), a tool's name otherwise. */
  from?: string;
  /** Only finished exchanges (default true). */
  finished?: boolean;
}

/**
 * The requests the lab's servers handled: REQUEST_RECEIVED paired with
 * its RESPONSE_SENT (or ERROR), with status, code, codec, byte counts,
 * stream messages and faults. Includes the gateway's own gRPC hops to the
 * services (from "Gateway"); filter with `from: "Browser"` for the page's.
 *
 * @example serverExchanges(ctx.events, { mode: "rest", path: "/rest/users/1", httpStatus: 304 })
 */
export function serverExchanges(events: readonly TraceEvent[], filter: ServerExchangeFilter = {}): ServerExchange[] {
  const bySpan = new Map<string, ServerExchange & { done: boolean }>();
  const order: string[] = [];
  for (const e of events) {
    if (e.seq === 0n) continue;
    if (e.kind === EventKind.REQUEST_RECEIVED) {
      const method = e.http?.method ?? "";
      const path = e.http?.path ?? "";
      bySpan.set(e.spanId, {
        spanId: e.spanId,
        parentSpanId: e.parentSpanId,
        mode: e.mode,
        from: e.from,
        to: e.to,
        method,
        path,
        call: e.mode === Mode.REST ? restCallName(method, path) : e.rpc?.method || e.summary.split(" ")[0],
        httpStatus: 0,
        code: "",
        codec: e.rpc?.codec ?? "",
        requestBodyBytes: e.bytes?.body ?? 0,
        responseBodyBytes: 0,
        responseHeaderBytes: 0,
        responseFramingBytes: 0,
        streamMessages: 0,
        broken: false,
        faults: [],
        firstSeq: e.seq,
        lastSeq: e.seq,
        startMs: e.timeUnixMs,
        endMs: e.timeUnixMs,
        done: false,
      });
      order.push(e.spanId);
      continue;
    }
    const x = bySpan.get(e.spanId);
    if (!x) continue;
    if (e.kind === EventKind.STREAM_MESSAGE) x.streamMessages++;
    else if (e.kind === EventKind.FAULT) x.faults.push(e.fault?.kind ?? "");
    else if (e.kind === EventKind.RESPONSE_SENT || (e.kind === EventKind.ERROR && !x.done)) {
      x.done = true;
      x.broken = e.kind === EventKind.ERROR;
      x.httpStatus = e.kind === EventKind.ERROR ? 0 : (e.http?.status ?? 0);
      x.code = e.rpc?.code ?? "";
      if (e.rpc?.codec) x.codec = e.rpc.codec;
      x.responseBodyBytes = e.bytes?.body ?? 0;
      x.responseHeaderBytes = e.bytes?.header ?? 0;
      x.responseFramingBytes = e.bytes?.framing ?? 0;
      x.lastSeq = e.seq;
      x.endMs = e.timeUnixMs;
    }
  }
  const finished = filter.finished ?? true;
  const result: ServerExchange[] = [];
  for (const id of order) {
    const { done, ...x } = bySpan.get(id)!;
    if (finished && !done) continue;
    if (filter.mode !== undefined && x.mode !== modeOf(filter.mode)) continue;
    if (filter.call !== undefined && x.call !== filter.call) continue;
    if (filter.method !== undefined && x.method !== filter.method) continue;
    if (filter.path !== undefined && !(typeof filter.path === "string" ? x.path === filter.path : filter.path.test(x.path))) continue;
    if (filter.httpStatus !== undefined && !(typeof filter.httpStatus === "number" ? x.httpStatus === filter.httpStatus : filter.httpStatus(x.httpStatus))) continue;
    if (filter.code !== undefined && x.code !== filter.code) continue;
    if (filter.codec !== undefined && x.codec !== filter.codec) continue;
    if (filter.from !== undefined && x.from !== filter.from) continue;
    result.push(x);
  }
  return result.sort((a, b) => (a.firstSeq < b.firstSeq ? -1 : a.firstSeq > b.firstSeq ? 1 : 0));
}

// ---------------------------------------------------------------------------

export interface MqttPacketFilter {
  /** CONNECT, PUBLISH, PUBACK, SUBSCRIBE, DISCONNECT, … (MQTT 3.1.1 §2.2.1). */
  type?: string;
  /** Who sent it ("Broker", "OrderService", "Inventory", or a learner client's name). */
  from?: string;
  to?: string;
  /** The topic relative to `lab/<session>/` ("events/order.created"), or a test of the whole topic. */
  topic?: string | RegExp;
  retain?: boolean;
  dup?: boolean;
  qos?: number;
}

/** The session's MQTT packets as the broker saw them, in order (server seq). */
export function mqttPackets(events: readonly TraceEvent[], filter: MqttPacketFilter = {}): TraceEvent[] {
  return events
    .filter((e) => {
      if (e.kind !== EventKind.MQTT_PACKET || !e.mqtt) return false;
      const m = e.mqtt;
      if (filter.type !== undefined && m.packetType !== filter.type) return false;
      if (filter.from !== undefined && e.from !== filter.from) return false;
      if (filter.to !== undefined && e.to !== filter.to) return false;
      if (filter.retain !== undefined && m.retain !== filter.retain) return false;
      if (filter.dup !== undefined && m.dup !== filter.dup) return false;
      if (filter.qos !== undefined && m.qos !== filter.qos) return false;
      if (filter.topic !== undefined) {
        if (typeof filter.topic === "string") {
          if (relativeTopic(m.topic) !== filter.topic) return false;
        } else if (!filter.topic.test(m.topic)) return false;
      }
      return true;
    })
    .sort(bySeq);
}

/** A lab topic without its `lab/<session>/` prefix ("events/order.created"). */
export function relativeTopic(topic: string): string {
  return topic.startsWith("lab/") ? topic.split("/").slice(2).join("/") : topic;
}

/** What a participant did with messages (PROCESSED events: "stock sku-book 1000→999"). */
export function processedBy(events: readonly TraceEvent[], participant: string): TraceEvent[] {
  return events.filter((e) => e.kind === EventKind.PROCESSED && e.from === participant).sort(bySeq);
}

/** Injected faults that fired (FAULT events), optionally of one kind ("error", "reset", "slow_consumer"). */
export function faultHits(events: readonly TraceEvent[], kind?: string): TraceEvent[] {
  return events.filter((e) => e.kind === EventKind.FAULT && (kind === undefined || e.fault?.kind === kind));
}

/** Server events in recording order. */
export function bySeq(a: TraceEvent, b: TraceEvent): number {
  return a.seq < b.seq ? -1 : a.seq > b.seq ? 1 : a.timeUnixMs - b.timeUnixMs;
}

/** How much a counter grew since the step opened (0 while the counters are not loaded). */
export function counterDelta(
  counters: OutcomeCounters | undefined,
  baseline: OutcomeCounters | undefined,
  name: Exclude<keyof OutcomeCounters, "$typeName" | "$unknown" | "stock">,
): number {
  if (!counters) return 0;
  const now = Number(counters[name]);
  return now - (baseline ? Number(baseline[name]) : 0);
}

// ---------------------------------------------------------------------------

/**
 * A checklist: the check passes when every item is done, and the page
 * shows each item ticked or not.
 *
 * @example
 * return goals([
 *   [{ en: "GetUser over REST", "zh-CN": "用 REST 调用 GetUser" }, clientCalls(ctx.events, { mode: "rest", call: "GetUser", status: "200" }).length > 0],
 * ]);
 */
export function goals(items: ReadonlyArray<readonly [L10n, boolean]>): CheckResult {
  const list: CheckItem[] = items.map(([label, done]) => ({ label, done }));
  return { pass: list.every((i) => i.done), items: list };
}

/** The pass/fail of a check result. */
export function passed(result: CheckResult): boolean {
  return typeof result === "boolean" ? result : result.pass;
}
