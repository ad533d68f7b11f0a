import type { OutcomeCounters } from "../gen/lab/v1/fault_pb";
import { textLookup, type TextVars } from "../lessons/ui-text";
import type { L10n, Locale } from "../lessons/types";

/**
 * The counters of a session read as plain sentences: what a learner should
 * notice after placing 100 orders with faults on ("Inventory decremented 131
 * times for 100 orders — 31 orders charged twice"). Pure: no DOM, no React.
 */

export type VerdictLevel = "ok" | "info" | "warn" | "bad";

export interface VerdictLine {
  level: VerdictLevel;
  text: string;
}

/** The counters this reads; OutcomeCounters fits, and so does a plain object in tests. */
export type CounterValues = Omit<OutcomeCounters, "$typeName" | "$unknown" | "stock"> & { stock?: OutcomeCounters["stock"] };

export interface VerdictOptions {
  /** CreateOrder calls this page sent (to compare with what the service accepted). */
  placed?: number;
  /** Orders the service had accepted before the page began counting `placed` (a reload keeps the sandbox). */
  acceptedBefore?: number;
}

/** "1 order", "31 orders". */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString("en")} ${n === 1 ? one : many}`;
}

const num = (v: bigint | number | undefined) => Number(v ?? 0);

/** What the verdict counts: English singular and plural, Chinese measure word and noun. */
const UNITS = {
  order: { one: "order", many: "orders", zh: "个订单" },
  time: { one: "time", many: "times", zh: "次" },
  message: { one: "message", many: "messages", zh: "条消息" },
  notification: { one: "notification", many: "notifications", zh: "条通知" },
  customer: { one: "customer", many: "customers", zh: "位顾客" },
  request: { one: "request", many: "requests", zh: "个请求" },
  retry: { one: "retry", many: "retries", zh: "次重试" },
  repeat: { one: "repeat", many: "repeats", zh: "次重复" },
  repeatedDelivery: { one: "repeated delivery", many: "repeated deliveries", zh: "次重复投递" },
  repeatedRequest: { one: "repeated request", many: "repeated requests", zh: "个重复请求" },
  fault: { one: "fault", many: "faults", zh: "次故障" },
} as const;

/** "31 orders", "31 个订单". */
function count(n: number, unit: keyof typeof UNITS, locale: Locale): string {
  const u = UNITS[unit];
  return locale === "en" ? plural(n, u.one, u.many) : `${n.toLocaleString("en")} ${u.zh}`;
}

/** The verdict's sentences; `{name}` placeholders are counts ("31 orders") or numbers. */
const VERDICT_TEXT = {
  nothingYet: {
    en: "Nothing has happened yet: place some orders (Repeat ×100) and watch these counters.",
    "zh-CN": "还什么都没有发生：下一些订单（重复 ×100），再看这些计数。",
  },
  createdTwice: {
    en: "The service accepted {accepted} for the {placed} placed here — {extra} created twice by a repeated request.",
    "zh-CN": "这里下了 {placed} 个订单，服务却接受了 {accepted}——其中 {extra}因为请求重复被创建了两次。",
  },
  neverAccepted: {
    en: "{missing} of the {placed} placed here {wasWere} never accepted (the call failed or timed out before the service acted).",
    "zh-CN": "这里下的 {placed} 个订单中，有 {missing}始终没有被接受（服务处理之前，调用就已失败或超时）。",
  },
  backlogWaiting: { en: " — {messages} still waiting in the consumers' backlog", "zh-CN": "——还有 {messages}在消费者的积压里等着" },
  inventoryHead: { en: "Inventory decremented {times} for {orders}", "zh-CN": "{orders}扣减了库存 {times}" },
  chargedTwiceAndMissing: { en: "{head} — {twice} charged twice and {missing} never applied{waiting}.", "zh-CN": "{head}——{twice}被扣了两次，{missing}从未执行{waiting}。" },
  chargedTwice: { en: "{head} — {twice} charged twice.", "zh-CN": "{head}——{twice}被扣了两次。" },
  notAppliedYet: { en: "{head} — {missing} not applied yet{waiting}.", "zh-CN": "{head}——{missing}还没有执行{waiting}。" },
  neverReached: { en: "{head} — {missing} never reached inventory (lost or dead-lettered).", "zh-CN": "{head}——{missing}始终没有到达库存服务（丢失，或进了死信队列）。" },
  notApplied: { en: "{head} — {missing} not applied: still on the way, or lost.", "zh-CN": "{head}——{missing}没有执行：还在路上，或者丢了。" },
  appliedOnce: { en: "{head}: every order applied exactly once.", "zh-CN": "{head}：每个订单都恰好执行了一次。" },
  notificationsHead: { en: "{notifications} sent for {orders}", "zh-CN": "为 {orders}发出了 {notifications}" },
  notifiedTwice: { en: "{head} — {customers} notified twice.", "zh-CN": "{head}——{customers}收到了两次通知。" },
  neverTold: { en: "{head} — {customers} never told.", "zh-CN": "{head}——{customers}始终没有收到通知。" },
  notToldYet: { en: "{head} — {customers} not told yet.", "zh-CN": "{head}——{customers}还没有收到通知。" },
  lost: { en: "{messages} lost on the way to a consumer (at most once: QoS 0, or the broker was down).", "zh-CN": "{messages}在去消费者的路上丢失了（最多一次：QoS 0，或者 Broker 宕机了）。" },
  duplicatedSkipped: { en: "{messages} delivered twice; consumer de-duplication skipped {repeats}.", "zh-CN": "{messages}被投递了两次；消费者去重跳过了 {repeats}。" },
  duplicated: { en: "{messages} delivered twice (at least once: the consumer must cope).", "zh-CN": "{messages}被投递了两次（至少一次：消费者必须自己应对）。" },
  skipped: { en: "Consumer de-duplication skipped {deliveries}.", "zh-CN": "消费者去重跳过了 {deliveries}。" },
  deadLettered: { en: "{messages} moved to the dead-letter queue after failing.", "zh-CN": "{messages}处理失败后被移入死信队列。" },
  crashed: { en: "Consumers crashed {times} before acknowledging.", "zh-CN": "消费者在确认之前崩溃了 {times}。" },
  failed: { en: "{requests} of {received} failed.", "zh-CN": "{received} 个请求中有 {failed} 个失败。" },
  retried: { en: "{retries} sent.", "zh-CN": "发出了 {retries}。" },
  replayed: { en: "{requests} answered from the idempotency store instead of acting twice.", "zh-CN": "{requests}由幂等存储直接应答，没有重复执行。" },
  faults: { en: "{faults} injected.", "zh-CN": "注入了 {faults}。" },
} as const satisfies Record<string, L10n>;

const verdictText = textLookup(VERDICT_TEXT);

/**
 * The verdict on a session's counters, most important first, in `locale`.
 * Every line stands alone, so a screen reader or a lesson's goal text can
 * use any one.
 */
export function summariseCounters(c: CounterValues, opts: VerdictOptions = {}, locale: Locale = "en"): VerdictLine[] {
  const say = (key: keyof typeof VERDICT_TEXT, vars?: TextVars) => verdictText(key, locale, vars);
  const n = (v: number, unit: keyof typeof UNITS) => count(v, unit, locale);
  const accepted = num(c.ordersAccepted);
  const decrements = num(c.inventoryDecrements);
  const notified = num(c.notificationsSent);
  const twice = num(c.ordersAppliedTwice);
  const backlog = num(c.consumerBacklog);
  const received = num(c.requestsReceived);
  const failed = num(c.requestsFailed);
  const retried = num(c.requestsRetried);
  const replays = num(c.idempotentReplays);
  const published = num(c.messagesPublished);
  const duplicated = num(c.messagesDuplicated);
  const lost = num(c.messagesLost);
  const dead = num(c.messagesDeadLettered);
  const skipped = num(c.duplicatesSkipped);
  const crashes = num(c.consumerCrashes);
  const faults = num(c.faultsApplied);
  const placed = opts.placed ?? 0;
  const acceptedSince = accepted - (opts.acceptedBefore ?? 0);

  const lines: VerdictLine[] = [];
  if (accepted === 0 && decrements === 0 && notified === 0 && received === 0 && published === 0 && faults === 0) {
    return [{ level: "info", text: say("nothingYet") }];
  }

  // Messages known to be gone for good (else a missing side effect may still be on its way).
  const gone = lost > 0 || dead > 0;
  const waiting = backlog > 0 ? say("backlogWaiting", { messages: n(backlog, "message") }) : "";

  // Orders the page placed vs orders the service took.
  if (placed > 0 && acceptedSince > placed) {
    lines.push({ level: "bad", text: say("createdTwice", { accepted: n(acceptedSince, "order"), placed: placed.toLocaleString("en"), extra: n(acceptedSince - placed, "order") }) });
  } else if (placed > 0 && acceptedSince < placed) {
    const missing = placed - acceptedSince;
    lines.push({ level: "warn", text: say("neverAccepted", { missing: n(missing, "order"), placed: placed.toLocaleString("en"), wasWere: missing === 1 ? "was" : "were" }) });
  }

  // Inventory: the side effect that must happen exactly once per order.
  if (accepted > 0 || decrements > 0) {
    const dupApplications = Math.max(twice, decrements - accepted, 0);
    const missing = Math.max(0, accepted - (decrements - dupApplications));
    const vars = { head: say("inventoryHead", { times: n(decrements, "time"), orders: n(accepted, "order") }), twice: n(dupApplications, "order"), missing: n(missing, "order"), waiting };
    if (dupApplications > 0 && missing > 0) {
      lines.push({ level: "bad", text: say("chargedTwiceAndMissing", vars) });
    } else if (dupApplications > 0) {
      lines.push({ level: "bad", text: say("chargedTwice", vars) });
    } else if (missing > 0) {
      lines.push(
        backlog > 0
          ? { level: "warn", text: say("notAppliedYet", vars) }
          : gone
            ? { level: "bad", text: say("neverReached", vars) }
            : { level: "warn", text: say("notApplied", vars) },
      );
    } else {
      lines.push({ level: "ok", text: say("appliedOnce", vars) });
    }
  }

  // Notifications: a customer told twice, or never.
  if (accepted > 0 || notified > 0) {
    const head = say("notificationsHead", { notifications: n(notified, "notification"), orders: n(accepted, "order") });
    if (notified > accepted) lines.push({ level: "bad", text: say("notifiedTwice", { head, customers: n(notified - accepted, "customer") }) });
    else if (notified < accepted) {
      const never = gone && backlog === 0;
      lines.push({ level: never ? "bad" : "warn", text: say(never ? "neverTold" : "notToldYet", { head, customers: n(accepted - notified, "customer") }) });
    }
  }

  // The queue.
  if (lost > 0) lines.push({ level: "bad", text: say("lost", { messages: n(lost, "message") }) });
  if (duplicated > 0) {
    lines.push(
      skipped > 0
        ? { level: "info", text: say("duplicatedSkipped", { messages: n(duplicated, "message"), repeats: n(skipped, "repeat") }) }
        : { level: "warn", text: say("duplicated", { messages: n(duplicated, "message") }) },
    );
  } else if (skipped > 0) {
    lines.push({ level: "ok", text: say("skipped", { deliveries: n(skipped, "repeatedDelivery") }) });
  }
  if (dead > 0) lines.push({ level: "warn", text: say("deadLettered", { messages: n(dead, "message") }) });
  if (crashes > 0) lines.push({ level: "warn", text: say("crashed", { times: n(crashes, "time") }) });

  // The calls.
  if (failed > 0) lines.push({ level: "warn", text: say("failed", { requests: n(failed, "request"), failed: failed.toLocaleString("en"), received: received.toLocaleString("en") }) });
  if (retried > 0) lines.push({ level: "info", text: say("retried", { retries: n(retried, "retry") }) });
  if (replays > 0) lines.push({ level: "ok", text: say("replayed", { requests: n(replays, "repeatedRequest") }) });

  if (faults > 0) lines.push({ level: "info", text: say("faults", { faults: n(faults, "fault") }) });
  return lines;
}

/** The most severe level among the lines ("ok" when none is worse). */
export function worstLevel(lines: readonly VerdictLine[]): VerdictLevel {
  const rank: Record<VerdictLevel, number> = { ok: 0, info: 1, warn: 2, bad: 3 };
  return lines.reduce<VerdictLevel>((w, l) => (rank[l.level] > rank[w] ? l.level : w), "ok");
}
