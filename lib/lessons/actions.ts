import { CALLS, DEFAULT_INPUT } from "../calls";
import { BROWSER_MODES } from "../client/types";
import { FAULT_PRESETS } from "../faults/catalog";
import { isInstance, SERVICE_INSTANCES } from "../rpc/instances";
import type {
  Action,
  AnswerAction,
  ApplyDefencesAction,
  ApplyFaultsAction,
  CallAction,
  L10n,
  LessonDefinition,
  Locale,
  MqttAction,
  RemoveFaultsAction,
  RepeatAction,
  RestAction,
  SetDefencesAction,
} from "./types";

/**
 * Actions are what a learner does, as data: "Run solution" replays a
 * step's list through `runActions`, the page's live buttons run single
 * ones through it, and the Playwright walk runs the same lists. One runner;
 * the page supplies the driver that talks to the lab.
 */

/** What the page does for each kind of action (components/lessons/runtime). */
export interface ActionDriver {
  call(action: CallAction, signal: AbortSignal): Promise<void>;
  rest(action: RestAction, signal: AbortSignal): Promise<void>;
  applyFaults(presetId: string): Promise<void>;
  removeFaults(presetId: string): Promise<void>;
  clearFaults(): Promise<void>;
  applyDefences(presetId: string): Promise<void>;
  setDefences(action: SetDefencesAction): Promise<void>;
  reset(): Promise<void>;
  mqtt(action: MqttAction, signal: AbortSignal): Promise<void>;
  answer(action: AnswerAction): Promise<void>;
  /** Told when a `repeat` begins, before its first call, and when its last call is over (a widget summarises the run). */
  repeatStarted?(action: RepeatAction): void;
  repeatEnded?(action: RepeatAction): void;
}

/** The most a `wait` action may wait, in ms. */
export const MAX_WAIT_MS = 10_000;
/** The most calls one `repeat` may make. */
export const MAX_REPEAT = 200;

export type ActionKind = "call" | "rest" | "repeat" | "applyFaults" | "removeFaults" | "clearFaults" | "applyDefences" | "setDefences" | "reset" | "mqtt" | "answer" | "wait";

/** Which kind an action is (each kind has its own distinguishing key). */
export function actionKind(a: Action): ActionKind {
  if ("call" in a) return "call";
  if ("rest" in a) return "rest";
  if ("repeat" in a) return "repeat";
  if ("applyFaults" in a) return "applyFaults";
  if ("removeFaults" in a) return "removeFaults";
  if ("clearFaults" in a) return "clearFaults";
  if ("applyDefences" in a) return "applyDefences";
  if ("setDefences" in a) return "setDefences";
  if ("reset" in a) return "reset";
  if ("mqtt" in a) return "mqtt";
  if ("answer" in a) return "answer";
  return "wait";
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const t = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => {
      clearTimeout(t);
      reject(signal.reason);
    }, { once: true });
  });
}

/** Runs one action (a `repeat` as its calls, `concurrency` at a time). */
export async function runAction(a: Action, driver: ActionDriver, signal: AbortSignal): Promise<void> {
  switch (actionKind(a)) {
    case "call": {
      const c = a as CallAction;
      if (!c.background) return driver.call(c, signal);
      // A call that may never answer: started, not awaited; its failure shows in its widget and the trace.
      void driver.call(c, signal).catch(() => undefined);
      return;
    }
    case "rest":
      return driver.rest(a as RestAction, signal);
    case "repeat": {
      const r = a as RepeatAction;
      driver.repeatStarted?.(r);
      const total = Math.min(Math.max(0, Math.floor(r.repeat)), MAX_REPEAT);
      const concurrency = Math.max(1, Math.min(r.concurrency ?? 1, total || 1));
      let next = 0;
      try {
        await Promise.all(
          Array.from({ length: concurrency }, async () => {
            while (next < total && !signal.aborted) {
              next++;
              await runAction(r.action, driver, signal);
            }
          }),
        );
      } finally {
        driver.repeatEnded?.(r);
      }
      return;
    }
    case "applyFaults":
      return driver.applyFaults((a as ApplyFaultsAction).applyFaults);
    case "removeFaults":
      return driver.removeFaults((a as RemoveFaultsAction).removeFaults);
    case "clearFaults":
      return driver.clearFaults();
    case "applyDefences":
      return driver.applyDefences((a as ApplyDefencesAction).applyDefences);
    case "setDefences":
      return driver.setDefences(a as SetDefencesAction);
    case "reset":
      return driver.reset();
    case "mqtt":
      return driver.mqtt(a as MqttAction, signal);
    case "answer":
      return driver.answer(a as AnswerAction);
    case "wait":
      return sleep(Math.min((a as Extract<Action, { wait: number }>).wait, MAX_WAIT_MS), signal);
  }
}

/**
 * Runs a list of actions in order, each after the one before has finished.
 * `onAction(i)` is told before action i starts.
 */
export async function runActions(
  actions: readonly Action[],
  driver: ActionDriver,
  opts: { signal?: AbortSignal; onAction?: (index: number) => void } = {},
): Promise<void> {
  const signal = opts.signal ?? new AbortController().signal;
  for (let i = 0; i < actions.length; i++) {
    if (signal.aborted) throw signal.reason;
    opts.onAction?.(i);
    await runAction(actions[i], driver, signal);
  }
}

// ---------------------------------------------------------------------------

const MODE_TITLES: Readonly<Record<string, string>> = { rest: "REST", connect: "Connect", "grpc-web": "gRPC-web", grpc: "gRPC", mqtt: "MQTT" };

/** A mode's name as the lessons write it. */
export function modeTitle(mode: string): string {
  return MODE_TITLES[mode] ?? mode;
}

function inputText(input: Readonly<Record<string, unknown>> | undefined): string {
  if (!input || Object.keys(input).length === 0) return "";
  return ` ${JSON.stringify(input)}`;
}

function title(lesson: LessonDefinition | undefined, kind: "faults" | "defences", id: string, locale: Locale): string {
  const list: ReadonlyArray<{ id: string; title: L10n }> = kind === "faults" ? [...(lesson?.faults ?? []), ...FAULT_PRESETS] : (lesson?.defences ?? []);
  return list.find((p) => p.id === id)?.title[locale] ?? id;
}

/** An action in words, for "Show solution": "GetUser {"id":123} over REST" / "用 REST 调用 GetUser {"id":123}". */
export function describeAction(a: Action, locale: Locale, lesson?: LessonDefinition): string {
  const zh = locale === "zh-CN";
  switch (actionKind(a)) {
    case "call": {
      const c = a as CallAction;
      const extra = [
        c.codec === "binary" ? (zh ? "protobuf 二进制编码" : "protobuf binary") : c.codec === "json" ? "JSON" : "",
        c.qos !== undefined ? `QoS ${c.qos}` : "",
        c.instances ? (zh ? `轮询实例 ${c.instances.map((n) => `#${n}`).join("、")}` : `round-robin over instances ${c.instances.map((n) => `#${n}`).join(", ")}`) : "",
        c.ejectMs ? (zh ? `失败的实例摘除 ${c.ejectMs / 1000} 秒` : `a failed instance left out for ${c.ejectMs / 1000} s`) : "",
        c.fallback ? (zh ? `失败时降级到 ${modeTitle(c.fallback)}` : `falling back to ${modeTitle(c.fallback)}`) : "",
      ]
        .filter(Boolean)
        .join(zh ? "，" : ", ");
      const how = `${modeTitle(c.mode)}${extra ? ` (${extra})` : ""}`;
      const bg = c.background ? (zh ? "，不等它返回" : ", without waiting for the answer") : "";
      return zh ? `用 ${how} 调用 ${c.call}${inputText(c.input)}${bg}` : `${c.call}${inputText(c.input)} over ${how}${bg}`;
    }
    case "rest": {
      const r = a as RestAction;
      const cond = r.ifNoneMatch ? (zh ? "，带上 If-None-Match" : " with If-None-Match") : "";
      const body = r.body ? ` ${JSON.stringify(r.body)}` : "";
      return zh ? `发送 ${r.rest} /rest${r.path}${body}${cond}` : `${r.rest} /rest${r.path}${body}${cond}`;
    }
    case "repeat": {
      const r = a as RepeatAction;
      const inner = describeAction(r.action, locale, lesson);
      const par = (r.concurrency ?? 1) > 1 ? (zh ? `（最多 ${r.concurrency} 个并发）` : ` (${r.concurrency} at a time)`) : "";
      return zh ? `重复 ${r.repeat} 次${par}：${inner}` : `${r.repeat} × ${inner}${par}`;
    }
    case "applyFaults":
      return zh ? `开启故障「${title(lesson, "faults", (a as ApplyFaultsAction).applyFaults, locale)}」` : `Turn on the fault “${title(lesson, "faults", (a as ApplyFaultsAction).applyFaults, locale)}”`;
    case "removeFaults":
      return zh ? `关闭故障「${title(lesson, "faults", (a as RemoveFaultsAction).removeFaults, locale)}」` : `Turn off the fault “${title(lesson, "faults", (a as RemoveFaultsAction).removeFaults, locale)}”`;
    case "clearFaults":
      return zh ? "清除所有故障" : "Clear every fault";
    case "applyDefences":
      return zh ? `开启防护「${title(lesson, "defences", (a as ApplyDefencesAction).applyDefences, locale)}」` : `Turn on the defence “${title(lesson, "defences", (a as ApplyDefencesAction).applyDefences, locale)}”`;
    case "setDefences":
      return zh ? `设置防护 ${JSON.stringify((a as SetDefencesAction).setDefences)}` : `Set defences ${JSON.stringify((a as SetDefencesAction).setDefences)}`;
    case "reset":
      return zh ? "重置沙箱" : "Reset the sandbox";
    case "mqtt": {
      const m = a as MqttAction;
      switch (m.mqtt) {
        case "connect": {
          const clean = m.clean ?? true;
          const as = m.as && m.as !== m.client ? (zh ? `，用 ${m.as} 的客户端标识符` : `, with ${m.as}’s client id`) : "";
          const again = m.reconnect ? (zh ? "，断线自动重连" : ", reconnecting by itself") : "";
          return zh ? `${m.client} 连接 Broker（Clean Session = ${clean ? 1 : 0}${as}${again}）` : `${m.client} connects (CleanSession=${clean ? 1 : 0}${as}${again})`;
        }
        case "disconnect":
          return zh ? `${m.client} 断开连接` : `${m.client} disconnects`;
        case "subscribe":
          return zh ? `${m.client} 以 QoS ${m.qos ?? 1} 订阅 ${m.topic}` : `${m.client} subscribes to ${m.topic} at QoS ${m.qos ?? 1}`;
        case "publish": {
          const retain = m.retain ? (zh ? "，RETAIN=1" : ", RETAIN=1") : "";
          return zh ? `${m.client} 发布 “${m.payload ?? ""}” 到 ${m.topic}（QoS ${m.qos ?? 0}${retain}）` : `${m.client} publishes “${m.payload ?? ""}” to ${m.topic} (QoS ${m.qos ?? 0}${retain})`;
        }
      }
      return m.mqtt;
    }
    case "answer": {
      const q = a as AnswerAction;
      const quiz = lesson?.quizzes?.[q.answer];
      const option = quiz?.options.find((o) => o.id === q.choice)?.text[locale] ?? q.choice;
      return zh ? `回答：${option}` : `Answer: ${option}`;
    }
    case "wait":
      return zh ? `等待 ${(a as Extract<Action, { wait: number }>).wait} ms` : `Wait ${(a as Extract<Action, { wait: number }>).wait} ms`;
  }
}

// ---------------------------------------------------------------------------

/**
 * What is wrong with an action of `lesson`, in words; [] when nothing.
 * Used by the schema test, so a solution can never name a preset, quiz or
 * mode that does not exist.
 */
export function actionProblems(a: Action, lesson: LessonDefinition): string[] {
  const problems: string[] = [];
  const faultIds = new Set([...(lesson.faults ?? []).map((p) => p.id), ...FAULT_PRESETS.map((p) => p.id)]);
  const defenceIds = new Set((lesson.defences ?? []).map((p) => p.id));
  switch (actionKind(a)) {
    case "call": {
      const c = a as CallAction;
      if (!CALLS.includes(c.call)) problems.push(`unknown call ${JSON.stringify(c.call)}; calls: ${CALLS.join(", ")}`);
      if (!BROWSER_MODES.includes(c.mode)) problems.push(`mode ${JSON.stringify(c.mode)} cannot run in a browser; use one of ${BROWSER_MODES.join(", ")} (native gRPC belongs in a <Command>)`);
      if (c.codec === "binary" && c.mode !== "connect") problems.push(`codec "binary" is a Connect option; ${c.mode} has its own`);
      if (c.input !== undefined && DEFAULT_INPUT[c.call] === undefined) problems.push(`no input for ${c.call}`);
      if (c.instances !== undefined) {
        if (c.mode !== "connect" && c.mode !== "grpc-web") problems.push(`instances are addresses of the RPC services: use connect or grpc-web, not ${c.mode}`);
        if (c.instances.length === 0 || !c.instances.every(isInstance)) problems.push(`instances must be 1–${SERVICE_INSTANCES}`);
      }
      if (c.ejectMs !== undefined && (c.instances === undefined || !(c.ejectMs > 0 && c.ejectMs <= 60_000))) problems.push("ejectMs (1–60000) goes with instances");
      if (c.fallback !== undefined && (c.fallback === c.mode || !BROWSER_MODES.includes(c.fallback))) problems.push(`fallback ${JSON.stringify(c.fallback)} must be another browser mode`);
      break;
    }
    case "rest": {
      const r = a as RestAction;
      if (!r.path.startsWith("/")) problems.push(`REST path ${JSON.stringify(r.path)} must start with "/" (it is under /rest)`);
      break;
    }
    case "repeat": {
      const r = a as RepeatAction;
      if (!(r.repeat >= 1 && r.repeat <= MAX_REPEAT)) problems.push(`repeat must be 1–${MAX_REPEAT}`);
      if ("call" in r.action && r.action.background) problems.push("a repeated call cannot run in the background");
      problems.push(...actionProblems(r.action, lesson));
      break;
    }
    case "applyFaults":
    case "removeFaults": {
      const id = "applyFaults" in a ? a.applyFaults : (a as RemoveFaultsAction).removeFaults;
      if (!faultIds.has(id)) problems.push(`no fault preset ${JSON.stringify(id)}; presets: ${[...faultIds].join(", ")}`);
      break;
    }
    case "applyDefences": {
      const id = (a as ApplyDefencesAction).applyDefences;
      if (!defenceIds.has(id)) problems.push(`no defence preset ${JSON.stringify(id)} in the lesson`);
      break;
    }
    case "mqtt": {
      const m = a as MqttAction;
      for (const name of [m.client, ...(m.as === undefined ? [] : [m.as])]) {
        if (!/^[A-Za-z][A-Za-z0-9_]{0,23}$/.test(name)) problems.push(`MQTT client name ${JSON.stringify(name)} must be a word of letters and digits (it names a lifeline)`);
      }
      if ((m.as !== undefined || m.reconnect !== undefined) && m.mqtt !== "connect") problems.push(`"as" and "reconnect" belong to mqtt connect`);
      if ((m.mqtt === "subscribe" || m.mqtt === "publish") && !m.topic) problems.push(`mqtt ${m.mqtt} needs a topic`);
      if (m.topic !== undefined && (m.topic.startsWith("/") || m.topic.startsWith("lab/"))) problems.push(`MQTT topic ${JSON.stringify(m.topic)} is relative to lab/<session>/`);
      break;
    }
    case "answer": {
      const q = a as AnswerAction;
      const quiz = lesson.quizzes?.[q.answer];
      if (!quiz) problems.push(`no quiz ${JSON.stringify(q.answer)}`);
      else if (!quiz.options.some((o) => o.id === q.choice)) problems.push(`quiz ${q.answer} has no option ${JSON.stringify(q.choice)}`);
      break;
    }
    case "wait": {
      const w = (a as Extract<Action, { wait: number }>).wait;
      if (!(w >= 0 && w <= MAX_WAIT_MS)) problems.push(`wait must be 0–${MAX_WAIT_MS} ms`);
      break;
    }
    default:
      break;
  }
  return problems;
}
