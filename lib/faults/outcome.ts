import type { OutcomeCounters } from "../gen/lab/v1/fault_pb";

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

/**
 * The verdict on a session's counters, most important first. Every line
 * stands alone, so a screen reader or a lesson's goal text can use any one.
 */
export function summariseCounters(c: CounterValues, opts: VerdictOptions = {}): VerdictLine[] {
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
    return [{ level: "info", text: "Nothing has happened yet: place some orders (Repeat ×100) and watch these counters." }];
  }

  // Messages known to be gone for good (else a missing side effect may still be on its way).
  const gone = lost > 0 || dead > 0;
  const waiting = backlog > 0 ? ` — ${plural(backlog, "message")} still waiting in the consumers' backlog` : "";

  // Orders the page placed vs orders the service took.
  if (placed > 0 && acceptedSince > placed) {
    lines.push({ level: "bad", text: `The service accepted ${plural(acceptedSince, "order")} for the ${placed.toLocaleString("en")} placed here — ${plural(acceptedSince - placed, "order")} created twice by a repeated request.` });
  } else if (placed > 0 && acceptedSince < placed) {
    lines.push({ level: "warn", text: `${plural(placed - acceptedSince, "order")} of the ${placed.toLocaleString("en")} placed here ${placed - acceptedSince === 1 ? "was" : "were"} never accepted (the call failed or timed out before the service acted).` });
  }

  // Inventory: the side effect that must happen exactly once per order.
  if (accepted > 0 || decrements > 0) {
    const dupApplications = Math.max(twice, decrements - accepted, 0);
    const missing = Math.max(0, accepted - (decrements - dupApplications));
    const head = `Inventory decremented ${plural(decrements, "time")} for ${plural(accepted, "order")}`;
    if (dupApplications > 0 && missing > 0) {
      lines.push({ level: "bad", text: `${head} — ${plural(dupApplications, "order")} charged twice and ${plural(missing, "order")} never applied${waiting}.` });
    } else if (dupApplications > 0) {
      lines.push({ level: "bad", text: `${head} — ${plural(dupApplications, "order")} charged twice.` });
    } else if (missing > 0) {
      lines.push(
        backlog > 0
          ? { level: "warn", text: `${head} — ${plural(missing, "order")} not applied yet${waiting}.` }
          : gone
            ? { level: "bad", text: `${head} — ${plural(missing, "order")} never reached inventory (lost or dead-lettered).` }
            : { level: "warn", text: `${head} — ${plural(missing, "order")} not applied: still on the way, or lost.` },
      );
    } else {
      lines.push({ level: "ok", text: `${head}: every order applied exactly once.` });
    }
  }

  // Notifications: a customer told twice, or never.
  if (accepted > 0 || notified > 0) {
    const head = `${plural(notified, "notification")} sent for ${plural(accepted, "order")}`;
    if (notified > accepted) lines.push({ level: "bad", text: `${head} — ${plural(notified - accepted, "customer")} notified twice.` });
    else if (notified < accepted) {
      const never = gone && backlog === 0;
      lines.push({ level: never ? "bad" : "warn", text: `${head} — ${plural(accepted - notified, "customer")} ${never ? "never told" : "not told yet"}.` });
    }
  }

  // The queue.
  if (lost > 0) lines.push({ level: "bad", text: `${plural(lost, "message")} lost on the way to a consumer (at most once: QoS 0, or the broker was down).` });
  if (duplicated > 0) {
    lines.push(
      skipped > 0
        ? { level: "info", text: `${plural(duplicated, "message")} delivered twice; consumer de-duplication skipped ${plural(skipped, "repeat")}.` }
        : { level: "warn", text: `${plural(duplicated, "message")} delivered twice (at least once: the consumer must cope).` },
    );
  } else if (skipped > 0) {
    lines.push({ level: "ok", text: `Consumer de-duplication skipped ${plural(skipped, "repeated delivery", "repeated deliveries")}.` });
  }
  if (dead > 0) lines.push({ level: "warn", text: `${plural(dead, "message")} moved to the dead-letter queue after failing.` });
  if (crashes > 0) lines.push({ level: "warn", text: `Consumers crashed ${plural(crashes, "time")} before acknowledging.` });

  // The calls.
  if (failed > 0) lines.push({ level: "warn", text: `${plural(failed, "request")} of ${received.toLocaleString("en")} failed.` });
  if (retried > 0) lines.push({ level: "info", text: `${plural(retried, "retry", "retries")} sent.` });
  if (replays > 0) lines.push({ level: "ok", text: `${plural(replays, "repeated request")} answered from the idempotency store instead of acting twice.` });

  if (faults > 0) lines.push({ level: "info", text: `${plural(faults, "fault")} injected.` });
  return lines;
}

/** The most severe level among the lines ("ok" when none is worse). */
export function worstLevel(lines: readonly VerdictLine[]): VerdictLevel {
  const rank: Record<VerdictLevel, number> = { ok: 0, info: 1, warn: 2, bad: 3 };
  return lines.reduce<VerdictLevel>((w, l) => (rank[l.level] > rank[w] ? l.level : w), "ok");
}
