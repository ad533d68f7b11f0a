"use client";

import { create } from "@bufbuild/protobuf";
import { clientOptionsFromDefences, createLabClient, type CallResult, type LabClient } from "@/lib/client";
import { DEFAULT_INPUT } from "@/lib/calls";
import { FAULT_PRESETS, type FaultPreset } from "@/lib/faults/catalog";
import { presetActive } from "@/lib/faults/rules";
import { DefencesSchema, FaultRuleSchema, type Defences, type FaultRule, type OutcomeCounters } from "@/lib/gen/lab/v1/fault_pb";
import type { TraceEvent } from "@/lib/gen/lab/v1/trace_pb";
import { runActions, runAction, type ActionDriver } from "@/lib/lessons/actions";
import type { Action, AnswerAction, CallAction, DefencePreset, LessonEntry, MqttAction, RepeatAction, RestAction, SetDefencesAction } from "@/lib/lessons/types";
import { labRpc, type FaultLab } from "@/components/faults";
import { TRACE_UPDATE_MS, type TraceStore } from "@/components/trace/trace-store";
import { UpdateThrottle } from "@/components/trace/update-throttle";
import { LearnerMqttClient } from "./learner-mqtt";
import { restRequest, type RestOutcome } from "./rest-request";

/** How long an action waits for the fault panel to confirm a change, in ms. */
const LAB_CONFIRM_TIMEOUT_MS = 10_000;
/** The most calls kept per run for its summary (a repeat makes at most MAX_REPEAT). */
const MAX_RUN_CALLS = 500;

export type CallOutcome = {
  kind: "call";
  action: CallAction;
  /** Undefined while the call is in flight (a stream still arriving). */
  result?: CallResult<unknown>;
  /** ListUsers: the users received so far, message by message. */
  streamed?: unknown[];
};
export type Outcome = CallOutcome | ({ kind: "rest"; action: RestAction } & RestOutcome);

/** One call of a repeated run, as its summary needs it (a CallResult or a REST outcome). */
export interface RunCall {
  ok: boolean;
  /** "ok", an RPC code, an HTTP status, "timeout"… */
  status: string;
  /** Client latency from the first send to the last answer, backoffs included, in ms. */
  latencyMs: number;
  attempts: number;
  fellBackTo?: CallResult<unknown>["fellBackTo"];
}

/** A `repeat` of an action: its calls so far, in the order they ended. */
export interface RunRecord {
  total: number;
  running: boolean;
  calls: readonly RunCall[];
}

/** An object's entries sorted by key, so {a,b} and {b,a} make the same key. */
function sorted(o: Readonly<Record<string, unknown>> | undefined): unknown {
  return o === undefined ? null : Object.keys(o).sort().map((k) => [k, o[k]]);
}

/** The key under which a widget finds the outcome of "its" action. */
export function actionKey(a: CallAction | RestAction): string {
  if ("call" in a) return JSON.stringify(["call", a.call, a.mode, sorted(a.input), a.codec ?? "json", a.qos ?? 1, ...routing(a)]);
  return JSON.stringify(["rest", a.rest, a.path, sorted(a.body), !!a.ifNoneMatch]);
}

/** How a call action picks its way to the service: instances, ejection, fallback ([] when it just calls). */
function routing(a: CallAction): unknown[] {
  return a.instances || a.fallback ? [a.instances ?? null, a.ejectMs ?? 0, a.fallback ?? null] : [];
}

/** The key of a run: a call action repeated n times, c at a time. */
function runKey(a: CallAction | RestAction, repeat: number, concurrency: number): string {
  return `${actionKey(a)}×${repeat}/${concurrency}`;
}

/** The input of a call action as the client wants it. */
function callInput(a: CallAction): Record<string, unknown> {
  return { ...(JSON.parse(DEFAULT_INPUT[a.call]) as Record<string, unknown>), ...(a.input ?? {}) };
}

/** Whether `have` (defences) holds every field of `want` (a preset's fields). */
export function sameFields(want: object, have: object | undefined): boolean {
  if (!have) return false;
  return Object.entries(want).every(([k, v]) => {
    const h = (have as Record<string, unknown>)[k];
    if (v !== null && typeof v === "object") return sameFields(v as object, h as object | undefined);
    return typeof h === "bigint" ? h === BigInt(v as number) : h === v;
  });
}

/** A step's slice of the trace: events that arrived after `start` (and up to `end` once it passed). */
interface StepWindow {
  start: number;
  end?: number;
  baseline?: OutcomeCounters;
}

/**
 * Everything a lesson page does to the lab, in one place: it is the
 * ActionDriver of lib/lessons/actions (so live buttons, "Run solution" and
 * the Playwright walk go through the same code), keeps each widget's last
 * outcome (so switching language loses nothing), the learner's MQTT
 * clients and quiz answers, and the step windows that goal checks and
 * step diagrams read.
 */
export class LessonRuntime implements ActionDriver {
  session: string | undefined;
  lab: FaultLab | undefined;
  private version = 0;
  private readonly listeners = new Set<() => void>();
  private readonly labWaiters = new Set<() => void>();
  private readonly clients = new Map<string, Promise<LabClient>>();
  private readonly outcomes = new Map<string, Outcome>();
  /** The runs of repeated actions, by action, count and concurrency (a <Call repeat> or <Rest repeat> summarises its own). */
  private readonly runs = new Map<string, RunRecord>();
  /** The run an action's calls go to now: the repeat under way, if any. */
  private readonly currentRun = new Map<string, string>();
  private readonly mqttClients = new Map<string, LearnerMqttClient>();
  private readonly etags = new Map<string, string>();
  private createdUserId: string | undefined;
  answers: Record<string, string> = {};
  private running = 0;
  /** Arrival order of events in this page: the step windows are ranges of it. */
  private readonly arrival = new WeakMap<TraceEvent, number>();
  private arrivals = 0;
  private readonly windows = new Map<string, StepWindow>();
  /** Each step's events as stepEvents last returned them. */
  private readonly stepEventsSeen = new Map<string, readonly TraceEvent[]>();
  /** When the trace last changed (performance.now), for idle(). */
  lastTraceChangeMs = 0;

  constructor(
    readonly entry: LessonEntry,
    readonly store: TraceStore,
  ) {}

  // --- external store for React -------------------------------------------

  subscribe = (listener: () => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getVersion = () => this.version;

  /** Widgets hear of changes at most once a frame, and once per TRACE_UPDATE_MS while calls keep finishing. */
  private readonly notify = new UpdateThrottle(() => {
    for (const l of this.listeners) l();
  }, TRACE_UPDATE_MS);

  private changed = () => {
    this.version++;
    this.notify.schedule();
  };

  /** The page's FaultLab after a render: actions waiting for a confirmation look again. */
  setLab(lab: FaultLab): void {
    this.lab = lab;
    for (const w of [...this.labWaiters]) w();
  }

  private waitForLab(done: (lab: FaultLab) => boolean, what: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const lab = this.lab;
        if (!lab) return;
        const error = lab.rulesError ?? lab.defencesError;
        if (error) {
          cleanup();
          reject(new Error(error));
        } else if (done(lab)) {
          cleanup();
          resolve();
        }
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`the lab did not confirm ${what} within ${LAB_CONFIRM_TIMEOUT_MS / 1000} s`));
      }, LAB_CONFIRM_TIMEOUT_MS);
      const cleanup = () => {
        clearTimeout(timer);
        this.labWaiters.delete(check);
      };
      this.labWaiters.add(check);
      check();
    });
  }

  private requireLab(): FaultLab {
    if (!this.lab || this.lab.available === false) throw new Error("the fault panel is not ready yet");
    return this.lab;
  }

  private requireSession(): string {
    if (!this.session) throw new Error("no session yet: wait for the page to connect");
    return this.session;
  }

  // --- outcomes, answers, MQTT clients -------------------------------------

  outcome(a: CallAction | RestAction): Outcome | undefined {
    return this.outcomes.get(actionKey(a));
  }

  /** The last run of `a` repeated `repeat` times, `concurrency` at a time. */
  repeatRun(a: CallAction | RestAction, repeat: number, concurrency = 1): RunRecord | undefined {
    return this.runs.get(runKey(a, repeat, concurrency));
  }

  repeatStarted(r: RepeatAction): void {
    const key = runKey(r.action, r.repeat, r.concurrency ?? 1);
    this.runs.set(key, { total: r.repeat, running: true, calls: [] });
    this.currentRun.set(actionKey(r.action), key);
    this.changed();
  }

  repeatEnded(r: RepeatAction): void {
    const key = runKey(r.action, r.repeat, r.concurrency ?? 1);
    const run = this.runs.get(key);
    if (run) this.runs.set(key, { ...run, running: false });
    if (this.currentRun.get(actionKey(r.action)) === key) this.currentRun.delete(actionKey(r.action));
    this.changed();
  }

  /** Counts one finished call into its action's run under way, if any. */
  private remember(a: CallAction | RestAction, call: RunCall): void {
    const key = this.currentRun.get(actionKey(a));
    const run = key === undefined ? undefined : this.runs.get(key);
    if (key === undefined || !run) return;
    const calls = [...run.calls, call];
    if (calls.length > MAX_RUN_CALLS) calls.splice(0, calls.length - MAX_RUN_CALLS);
    this.runs.set(key, { ...run, calls });
  }

  mqttClient(name: string): LearnerMqttClient | undefined {
    return this.mqttClients.get(name);
  }

  get busy(): boolean {
    return this.running > 0;
  }

  // --- trace windows --------------------------------------------------------

  /**
   * Numbers newly arrived events (call with every trace snapshot). Events
   * replayed from before the page loaded count as arrived before any step
   * opened, however late the replay comes: a step opened at once (the
   * active one, or the first after "start over") is never judged on them.
   */
  observe(events: readonly TraceEvent[]): void {
    let fresh = false;
    for (let i = events.length - 1; i >= 0; i--) {
      const e = events[i];
      if (this.arrival.has(e)) continue;
      this.arrival.set(e, this.store.isHistory(e) ? 0 : ++this.arrivals);
      fresh = true;
    }
    if (fresh || events.length === 0) this.lastTraceChangeMs = performance.now();
  }

  /** A step opened: its window starts now (unless it is open already). */
  openStep(stepId: string, counters: OutcomeCounters | undefined): void {
    const w = this.windows.get(stepId);
    if (w && w.end === undefined) return;
    this.windows.set(stepId, { start: this.arrivals, baseline: counters });
  }

  /** A step passed: its window ends now. */
  closeStep(stepId: string): void {
    const w = this.windows.get(stepId);
    if (w && w.end === undefined) w.end = this.arrivals;
  }

  /** The lesson starts over: step windows and quiz answers are forgotten. */
  startOver(): void {
    this.windows.clear();
    this.stepEventsSeen.clear();
    this.answers = {};
    this.changed();
  }

  setSession(session: string | undefined): void {
    this.session = session;
    this.changed();
  }

  /** The step's events, or every event when the step has no window in this visit. */
  stepEvents(stepId: string | undefined, events: readonly TraceEvent[]): readonly TraceEvent[] {
    const w = stepId === undefined ? undefined : this.windows.get(stepId);
    if (!w) return events;
    const now = events.filter((e) => {
      const n = this.arrival.get(e) ?? (this.store.isHistory(e) ? 0 : Infinity);
      return n > w.start && (w.end === undefined || n <= w.end);
    });
    // The same events as last time: hand back the same array, so a diagram
    // of a passed step is not laid out again with every batch. The trace is
    // in time order and only loses its oldest events, so an unchanged
    // length, first and last event mean unchanged contents.
    const before = this.stepEventsSeen.get(stepId!);
    if (before && before.length === now.length && before[0] === now[0] && before.at(-1) === now.at(-1)) return before;
    this.stepEventsSeen.set(stepId!, now);
    return now;
  }

  baseline(stepId: string): OutcomeCounters | undefined {
    return this.windows.get(stepId)?.baseline;
  }

  // --- running actions ------------------------------------------------------

  /** Runs actions one after another (a live button runs a list of one). */
  async run(actions: readonly Action[], opts: { signal?: AbortSignal; onAction?: (i: number) => void } = {}): Promise<void> {
    this.running++;
    this.changed();
    try {
      await runActions(actions, this, opts);
    } finally {
      this.running--;
      this.changed();
    }
  }

  /** Runs one action (a live button). */
  async runOne(action: Action): Promise<void> {
    this.running++;
    this.changed();
    try {
      await runAction(action, this, new AbortController().signal);
    } finally {
      this.running--;
      this.changed();
    }
  }

  private client(a: CallAction): Promise<LabClient> {
    const session = this.requireSession();
    const defences = this.lab?.defences ? clientOptionsFromDefences(this.lab.defences) : {};
    const key = JSON.stringify([a.mode, a.codec ?? "json", a.qos ?? 1, defences, ...routing(a)]);
    let c = this.clients.get(key);
    if (!c) {
      const ws = `${window.location.protocol === "https:" ? "wss" : "ws"}://${window.location.host}/mqtt`;
      c = createLabClient({
        mode: a.mode,
        baseUrl: "",
        mqttUrl: ws,
        mqttQos: a.qos ?? 1,
        codec: a.codec,
        session,
        onEvent: (e) => this.store.add([e]),
        ...defences,
        instances: a.instances,
        ejectMs: a.ejectMs,
        fallbackMode: a.fallback,
      });
      c.catch(() => this.clients.delete(key));
      this.clients.set(key, c);
    }
    return c;
  }

  async call(a: CallAction): Promise<void> {
    const c = await this.client(a);
    const v = callInput(a);
    let result: CallResult<unknown>;
    switch (a.call) {
      case "GetUser":
        result = await c.getUser(BigInt(v.id as number));
        break;
      case "CreateUser":
        result = await c.createUser(String(v.name), String(v.email));
        break;
      case "ListUsers": {
        const live: CallOutcome = { kind: "call", action: a, streamed: [] };
        this.outcomes.set(actionKey(a), live);
        this.changed();
        result = await c.listUsers({
          limit: Number(v.limit ?? 0),
          intervalMs: Number(v.intervalMs ?? 0),
          onUser: (u) => {
            live.streamed = [...(live.streamed ?? []), u];
            this.changed();
          },
        });
        this.outcomes.set(actionKey(a), { ...live, result });
        this.remember(a, result);
        this.lab?.refreshCounters();
        this.changed();
        return;
      }
      case "CreateOrder":
        result = await c.createOrder({ userId: BigInt(v.userId as number), sku: String(v.sku), quantity: Number(v.quantity) });
        break;
    }
    this.outcomes.set(actionKey(a), { kind: "call", action: a, result });
    this.remember(a, result);
    this.lab?.refreshCounters();
    this.changed();
  }

  /** The path of a REST action with `{created}` filled in. */
  restPath(a: RestAction): string {
    if (!a.path.includes("{created}")) return a.path;
    if (this.createdUserId === undefined) throw new Error("create a user first (POST /rest/users): {created} is its id");
    return a.path.replaceAll("{created}", this.createdUserId);
  }

  async rest(a: RestAction, signal: AbortSignal): Promise<void> {
    const session = this.requireSession();
    const path = this.restPath(a);
    const out = await restRequest(
      { method: a.rest, path, body: a.body, ifNoneMatch: a.ifNoneMatch ? this.etags.get(path) : undefined },
      { session, onEvent: (e) => this.store.add([e]), signal },
    );
    const etag = out.headers.etag;
    if (etag && (a.rest === "GET" || a.rest === "HEAD")) this.etags.set(path, etag);
    if (a.rest === "POST" && path === "/users" && out.headers.location) this.createdUserId = out.headers.location.split("/").pop();
    this.outcomes.set(actionKey(a), { kind: "rest", action: a, ...out });
    this.remember(a, { ok: out.ok, status: out.status, latencyMs: out.latencyMs, attempts: 1 });
    this.lab?.refreshCounters();
    this.changed();
  }

  faultPreset(id: string): FaultPreset {
    const preset = [...(this.entry.lesson.faults ?? []), ...FAULT_PRESETS].find((p) => p.id === id);
    if (!preset) throw new Error(`no fault preset ${id}`);
    return preset;
  }

  defencePreset(id: string): DefencePreset {
    const preset = this.entry.lesson.defences?.find((p) => p.id === id);
    if (!preset) throw new Error(`no defence preset ${id}`);
    return preset;
  }

  private async replaceRules(next: FaultRule[], what: string): Promise<void> {
    const lab = this.requireLab();
    lab.setRules(next);
    const want = next.length;
    await this.waitForLab((l) => !l.savingRules && l.rules.length === want && l.rules.every((r) => r.id !== ""), what);
  }

  async applyFaults(id: string): Promise<void> {
    const preset = this.faultPreset(id);
    const lab = this.requireLab();
    if (presetActive(lab.rules, preset)) return;
    const others = lab.rules.filter((r) => !preset.rules.some((p) => p.kind === r.kind && (p.label ?? "") === r.label));
    await this.replaceRules([...others, ...preset.rules.map((r) => create(FaultRuleSchema, r))], `the fault “${id}”`);
  }

  async removeFaults(id: string): Promise<void> {
    const preset = this.faultPreset(id);
    const lab = this.requireLab();
    const rest = lab.rules.filter((r) => !preset.rules.some((p) => p.kind === r.kind && (p.label ?? "") === r.label));
    if (rest.length === lab.rules.length) return;
    await this.replaceRules(rest, `removing the fault “${id}”`);
  }

  async clearFaults(): Promise<void> {
    const lab = this.requireLab();
    if (lab.rules.length === 0 && !lab.savingRules) return;
    await this.replaceRules([], "clearing the faults");
  }

  private async changeDefences(fields: object, what: string): Promise<void> {
    const lab = this.requireLab();
    await this.waitForLab((l) => l.defences !== undefined, "loading the defences");
    const current = this.lab!.defences!;
    if (sameFields(fields, current)) return;
    const next: Defences = create(DefencesSchema, { ...current, ...fields, retry: { ...current.retry, ...((fields as { retry?: object }).retry ?? {}) } } as never);
    // A preset is one change, not typing: send it now, without the panel's debounce.
    lab.setDefences(next, { debounce: false });
    await this.waitForLab((l) => !l.savingDefences && sameFields(fields, l.defences), what);
    // The panel shows a change at once, before the server has it; the check
    // above can see the new fields before the send. The next action must
    // find them on the server, so ask it.
    const until = performance.now() + LAB_CONFIRM_TIMEOUT_MS;
    while (!sameFields(fields, (await labRpc.getDefences({})).defences)) {
      if (performance.now() > until) throw new Error(`the lab did not confirm ${what} within ${LAB_CONFIRM_TIMEOUT_MS / 1000} s`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  applyDefences(id: string): Promise<void> {
    return this.changeDefences(this.defencePreset(id).defences, `the defence “${id}”`);
  }

  setDefences(a: SetDefencesAction): Promise<void> {
    return this.changeDefences(a.setDefences, "the defences");
  }

  async reset(): Promise<void> {
    const lab = this.requireLab();
    if (!(await lab.resetSandbox())) throw new Error(lab.resetError ?? "the sandbox could not be reset");
    this.store.clear();
    this.outcomes.clear();
    this.runs.clear();
    this.currentRun.clear();
    this.etags.clear();
    this.createdUserId = undefined;
    this.changed();
  }

  async mqtt(a: MqttAction): Promise<void> {
    const session = this.requireSession();
    let client = this.mqttClients.get(a.client);
    if (!client) {
      const ws = `${window.location.protocol === "https:" ? "wss" : "ws"}://${window.location.host}/mqtt`;
      client = new LearnerMqttClient(a.client, session, ws, this.changed);
      this.mqttClients.set(a.client, client);
      this.changed();
    }
    switch (a.mqtt) {
      case "connect":
        return client.connect({ clean: a.clean ?? true, as: a.as, reconnect: a.reconnect });
      case "disconnect":
        return client.disconnect();
      case "subscribe":
        return client.subscribe(a.topic!, a.qos ?? 1);
      case "publish":
        return client.publish(a.topic!, a.payload ?? "", a.qos ?? 0, a.retain ?? false);
    }
  }

  async answer(a: AnswerAction): Promise<void> {
    this.answers = { ...this.answers, [a.answer]: a.choice };
    this.changed();
  }

  /** Closes every connection the lesson opened (the page goes away). */
  close(): void {
    for (const c of this.clients.values()) c.then((x) => x.close()).catch(() => undefined);
    this.clients.clear();
    for (const m of this.mqttClients.values()) m.close();
    this.mqttClients.clear();
  }
}
