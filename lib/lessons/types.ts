import type { MessageInitShape } from "@bufbuild/protobuf";
import type { CallName } from "../calls";
import type { ModeName } from "../client/types";
import type { FaultPreset } from "../faults/catalog";
import type { DefencesSchema, FaultRuleSchema, OutcomeCounters } from "../gen/lab/v1/fault_pb";
import type { TraceEvent } from "../gen/lab/v1/trace_pb";

/**
 * The lesson schema: what a `lessons/NN-slug/lesson.ts` default-exports
 * (through `defineLesson`). Prose lives next to it in `en.mdx` and
 * `zh-CN.mdx`; the slug and order come from the folder name. Pure types —
 * no React, no browser — so the same definition serves the page, the unit
 * test and the Playwright walk.
 */

/** The languages every lesson is written in. */
export type Locale = "en" | "zh-CN";

/** A text in every language of the lab. */
export type L10n = Readonly<Record<Locale, string>>;

/**
 * The MDX components a step may embed (its "widgets"). A step declares the
 * ones its prose uses, in both languages; the schema test holds the MDX to it.
 *
 * | widget        | MDX component    | what it is                                            |
 * |---------------|------------------|-------------------------------------------------------|
 * | `call`        | `<Call>`         | live call buttons (any call, mode, codec, QoS)        |
 * | `rest`        | `<Rest>`         | a raw HTTP request to /rest (CRUD, If-None-Match)     |
 * | `mqtt-client` | `<MqttClient>`   | the learner's own MQTT client (connect, sub, pub)     |
 * | `diagram`     | `<Diagram>`      | the live sequence diagram of the step                 |
 * | `compare`     | `<Compare>`      | one call in several modes, side by side               |
 * | `faults`      | `<Faults>`       | the step's fault presets (+ the full fault panel)     |
 * | `defences`    | `<Defences>`     | the step's defence presets (+ the full defence panel) |
 * | `counters`    | `<Counters>`     | the session's outcome counters                        |
 * | `measure`     | `<Measure>`      | latency/size measurements (placeholder for now)       |
 * | `quiz`        | `<Quiz>`         | a multiple-choice question defined in lesson.ts       |
 * | `command`     | `<Command>`      | the same thing from a terminal, session filled in     |
 */
export type WidgetName = "call" | "rest" | "mqtt-client" | "diagram" | "compare" | "faults" | "defences" | "counters" | "measure" | "quiz" | "command";

export const WIDGETS: Readonly<Record<WidgetName, string>> = {
  call: "Call",
  rest: "Rest",
  "mqtt-client": "MqttClient",
  diagram: "Diagram",
  compare: "Compare",
  faults: "Faults",
  defences: "Defences",
  counters: "Counters",
  measure: "Measure",
  quiz: "Quiz",
  command: "Command",
};

/** A fault rule as lesson.ts writes it (the generated protobuf init shape). */
export type FaultRuleInit = MessageInitShape<typeof FaultRuleSchema>;

/** Defences as lesson.ts writes them: only the fields that change. */
export type DefencesInit = Omit<MessageInitShape<typeof DefencesSchema>, "$typeName">;

/** Named defences a step offers as one switch ("persistent consumer session"). */
export interface DefencePreset {
  id: string;
  title: L10n;
  /** The fields it sets; the preset is "on" when the session's defences have all of them. */
  defences: DefencesInit;
}

/** One multiple-choice question; `<Quiz id>` renders it and `ctx.answers[id]` holds the choice. */
export interface QuizDefinition {
  question: L10n;
  /** `why`, when given, is shown once the option is chosen: why it is right, or what is wrong with it. */
  options: ReadonlyArray<{ id: string; text: L10n; why?: L10n }>;
  /** The id of the right option. */
  answer: string;
  /** Shown once answered: why the answer is right. */
  explanation: L10n;
}

// ---------------------------------------------------------------------------
// Actions: what a learner (or "Run solution", or the Playwright walk) does.
// ---------------------------------------------------------------------------

/** One call through the lab's client, as the playground makes it. */
export interface CallAction {
  call: CallName;
  /** A mode a browser can use: rest, connect, grpc-web or mqtt (native gRPC needs a terminal). */
  mode: ModeName;
  /** The call's input as in the playground (`{ id: 123 }`); the call's default input when absent. */
  input?: Readonly<Record<string, unknown>>;
  /** Connect's codec: "json" (default) or "binary" (protobuf). */
  codec?: "json" | "binary";
  /** MQTT request/reply QoS (default 1). */
  qos?: 0 | 1 | 2;
  /**
   * Start the call and go on without waiting for its answer: a call that
   * hangs (no deadline, a server that never answers) must not hold up the
   * rest of a solution. Its outcome still shows when it ends.
   */
  background?: boolean;
  /**
   * Connect or gRPC-web: spread the calls over these instances of the
   * service in turn (round-robin; lib/client/balancer.ts), e.g. [1, 2].
   */
  instances?: readonly number[];
  /** With `instances`: leave an instance out of the turn this long after a transport failure, in ms. */
  ejectMs?: number;
  /** After a transient failure, one more attempt over this mode (seed 1's fallback from gRPC to HTTP). */
  fallback?: ModeName;
}

/**
 * A raw HTTP request to the REST gateway, for what the call interface does
 * not say: PUT, DELETE, status codes, ETag and If-None-Match.
 */
export interface RestAction {
  rest: "GET" | "HEAD" | "POST" | "PUT" | "DELETE";
  /**
   * Under /rest. `{created}` stands for the id of the last user this page
   * created with POST /rest/users (from its Location header).
   */
  path: string;
  body?: Readonly<Record<string, unknown>>;
  /** Send If-None-Match with the last ETag this page got for the path (RFC 9110 §13.1.2). */
  ifNoneMatch?: boolean;
}

/** The same call or request N times, at most `concurrency` in flight. */
export interface RepeatAction {
  repeat: number;
  concurrency?: number;
  action: CallAction | RestAction;
}

/** Turn a fault preset on (its rules added), by id: the lesson's own or one of lib/faults/catalog FAULT_PRESETS. */
export interface ApplyFaultsAction {
  applyFaults: string;
}
/** Turn a fault preset off (its rules removed). */
export interface RemoveFaultsAction {
  removeFaults: string;
}
/** Remove every fault rule of the session. */
export interface ClearFaultsAction {
  clearFaults: true;
}
/** Turn a defence preset on (its fields set), by id. */
export interface ApplyDefencesAction {
  applyDefences: string;
}
/** Set defence fields directly. */
export interface SetDefencesAction {
  setDefences: DefencesInit;
}
/** LabService.ResetSandbox: data, counters, faults, defences and the trace. */
export interface ResetAction {
  reset: true;
}

/**
 * The learner's own MQTT client, named by `client` (its name in the
 * diagram, e.g. "Logistics"). Topics are relative to the session's
 * `lab/<session>/` prefix.
 */
export interface MqttAction {
  mqtt: "connect" | "disconnect" | "subscribe" | "publish";
  client: string;
  /** connect: CleanSession (MQTT 3.1.1 §3.1.2.4); default true. */
  clean?: boolean;
  /** subscribe: a topic filter; publish: a topic name. */
  topic?: string;
  /** publish: the payload as text. */
  payload?: string;
  qos?: 0 | 1 | 2;
  /** publish: the RETAIN flag (MQTT 3.1.1 §3.3.1.3). */
  retain?: boolean;
  /**
   * connect: the name whose client id it connects with
   * (`wirelab-as-<as>-<session>`, the lifeline <as>); default `client`.
   * Two clients connecting `as` the same name share one client id, and
   * the broker lets only one of them stay (MQTT 3.1.1 §3.1.4).
   */
  as?: string;
  /** connect: reconnect by itself after losing the connection, as services do (default false: offline means offline). */
  reconnect?: boolean;
}

/** Answer a quiz of the lesson. */
export interface AnswerAction {
  answer: string;
  choice: string;
}

/** Wait, e.g. for a consumer to catch up (at most 10 s); a check never depends on it. */
export interface WaitAction {
  wait: number;
}

export type Action =
  | CallAction
  | RestAction
  | RepeatAction
  | ApplyFaultsAction
  | RemoveFaultsAction
  | ClearFaultsAction
  | ApplyDefencesAction
  | SetDefencesAction
  | ResetAction
  | MqttAction
  | AnswerAction
  | WaitAction;

// ---------------------------------------------------------------------------
// Goal checks: pure functions of the trace and the counters.
// ---------------------------------------------------------------------------

/** What a goal check sees. */
export interface CheckContext {
  /**
   * Trace events since the step opened (server events and this page's own
   * client events, in time order). After a reload: every event of the
   * session the page has.
   */
  events: readonly TraceEvent[];
  /** The session's outcome counters now (LabService.GetCounters), once loaded. */
  counters?: OutcomeCounters;
  /** The counters when the step opened, for differences. */
  baseline?: OutcomeCounters;
  /** Quiz answers: quiz id → chosen option id. */
  answers: Readonly<Record<string, string>>;
}

/** One line of a check's checklist, shown under the step ("✓ a 304 for /rest/users/1"). */
export interface CheckItem {
  label: L10n;
  done: boolean;
}

export type CheckResult = boolean | { pass: boolean; items?: readonly CheckItem[] };

/** A step's goal: true (or `{ pass: true }`) when the trace shows the learner did it. */
export type GoalCheck = (ctx: CheckContext) => CheckResult;

// ---------------------------------------------------------------------------
// Steps and lessons.
// ---------------------------------------------------------------------------

export interface StepDefinition {
  /** kebab-case, unique within the lesson; the MDX wraps its prose in `<Step id="…">`. */
  id: string;
  title: L10n;
  /** The widgets the step's prose embeds, in both languages. */
  widgets: readonly WidgetName[];
  /** Fault presets the step's `<Faults>` offers (ids of `lesson.faults` or FAULT_PRESETS). */
  faults?: readonly string[];
  /** Defence presets the step's `<Defences>` offers (ids of `lesson.defences`). */
  defences?: readonly string[];
  check: GoalCheck;
  /** At least one; shown one at a time. */
  hints: readonly L10n[];
  /** The reference solution: replayed by "Run solution" and by CI. Never empty. */
  solution: readonly Action[];
  /**
   * A near miss that must NOT pass the check (CI replays it before the
   * solution); `[]` means "doing nothing must not pass".
   */
  wrong: readonly Action[];
}

export interface LessonDefinition {
  title: L10n;
  /** One sentence for the lesson list. */
  summary: L10n;
  /** About how long the lesson takes, in minutes. */
  minutes: number;
  steps: readonly StepDefinition[];
  /** Fault presets of this lesson (ids must not clash with FAULT_PRESETS). */
  faults?: readonly FaultPreset[];
  defences?: readonly DefencePreset[];
  quizzes?: Readonly<Record<string, QuizDefinition>>;
}

/** A lesson as the registry knows it: the definition plus what its folder says. */
export interface LessonEntry {
  /** The folder name, e.g. "04-queues-and-pub-sub". */
  folder: string;
  /** The URL slug: the folder without its numeric prefix ("queues-and-pub-sub"). */
  slug: string;
  /** The numeric prefix (4). */
  number: number;
  lesson: LessonDefinition;
}

/**
 * Types a lesson and returns it unchanged: `export default defineLesson({...})`.
 */
export function defineLesson(lesson: LessonDefinition): LessonDefinition {
  return lesson;
}
