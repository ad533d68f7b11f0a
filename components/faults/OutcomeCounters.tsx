"use client";

import { useEffect, useRef, type ReactNode } from "react";
import type { OutcomeCounters } from "@/lib/gen/lab/v1/fault_pb";
import { summariseCounters, type VerdictLevel } from "@/lib/faults/outcome";
import styles from "./faults.module.css";

export interface OutcomeCountersPanelProps {
  counters?: OutcomeCounters;
  error?: string;
  /** CreateOrder calls this page sent, and the orders accepted before it began counting. */
  placed?: number;
  acceptedBefore?: number;
  /** Told when the panel scrolls into or out of view (the caller polls only while it is shown). */
  onVisibleChange?: (visible: boolean) => void;
  /** The "Reset sandbox" button, or anything else for the header. */
  actions?: ReactNode;
}

const ICON: Record<VerdictLevel, string> = { ok: "✓", info: "•", warn: "!", bad: "✕" };

type Row = [label: string, value: bigint | undefined, hot?: boolean];

/**
 * What happened in the session: requests, messages, orders against their
 * side effects, and a verdict in plain sentences (lib/faults/outcome).
 */
export function OutcomeCountersPanel({ counters: c, error, placed, acceptedBefore, onVisibleChange, actions }: OutcomeCountersPanelProps) {
  const root = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const el = root.current;
    if (!el || !onVisibleChange) return;
    if (typeof IntersectionObserver === "undefined") {
      onVisibleChange(true);
      return () => onVisibleChange(false);
    }
    const io = new IntersectionObserver((entries) => onVisibleChange(entries.some((e) => e.isIntersecting)));
    io.observe(el);
    return () => {
      io.disconnect();
      onVisibleChange(false);
    };
  }, [onVisibleChange]);

  const verdict = c ? summariseCounters(c, { placed, acceptedBefore }) : [];
  const twice = c ? c.ordersAppliedTwice > 0n || c.inventoryDecrements > c.ordersAccepted : false;
  const groups: { title: string; rows: Row[]; wide?: boolean }[] = c
    ? [
        {
          title: "Orders",
          wide: true,
          rows: [
            ["placed from this page", placed === undefined ? undefined : BigInt(placed)],
            ["accepted", c.ordersAccepted],
            ["inventory decrements", c.inventoryDecrements, c.inventoryDecrements !== c.ordersAccepted],
            ["notifications", c.notificationsSent, c.notificationsSent !== c.ordersAccepted],
            ["applied twice", c.ordersAppliedTwice, twice],
          ],
        },
        {
          title: "Requests",
          rows: [
            ["received", c.requestsReceived],
            ["succeeded", c.requestsSucceeded],
            ["failed", c.requestsFailed, c.requestsFailed > 0n],
            ["retried", c.requestsRetried],
            ["idempotent replays", c.idempotentReplays],
          ],
        },
        {
          title: "Messages",
          rows: [
            ["published", c.messagesPublished],
            ["delivered", c.messagesDelivered],
            ["duplicated", c.messagesDuplicated, c.messagesDuplicated > 0n],
            ["lost", c.messagesLost, c.messagesLost > 0n],
            ["dead-lettered", c.messagesDeadLettered, c.messagesDeadLettered > 0n],
          ],
        },
        {
          title: "Consumers",
          rows: [
            ["backlog", c.consumerBacklog],
            ["duplicates skipped", c.duplicatesSkipped],
            ["crashes", c.consumerCrashes, c.consumerCrashes > 0n],
            ["faults applied", c.faultsApplied],
          ],
        },
      ]
    : [];
  const stock = c ? Object.entries(c.stock).sort(([a], [b]) => a.localeCompare(b)) : [];

  return (
    <div ref={root} className={styles.stack} data-testid="outcome-counters">
      <div className={styles.head}>
        <h2>Outcome</h2>
        <span className={styles.status}>live, every second</span>
        {actions && <span className={styles.right}>{actions}</span>}
      </div>
      {error && (
        <p role="alert" className={styles.alert}>
          {error}
        </p>
      )}
      {!c ? (
        <p className={styles.hint}>{error ? "No counters." : "Loading the counters…"}</p>
      ) : (
        <>
          <ul className={styles.verdict} aria-label="Verdict" data-testid="verdict">
            {verdict.map((v) => (
              <li key={v.text} data-level={v.level}>
                <span className={styles.icon} aria-hidden>
                  {ICON[v.level]}
                </span>
                <span>{v.text}</span>
              </li>
            ))}
          </ul>
          <div className={styles.counters}>
            {groups.map((g) => (
              <section key={g.title} className={g.wide ? `${styles.counterGroup} ${styles.wide}` : styles.counterGroup} aria-label={g.title}>
                <h3>{g.title}</h3>
                <dl>
                  {g.rows
                    .filter(([, v]) => v !== undefined)
                    .map(([label, v, hot]) => (
                      <Counter key={label} label={label} value={v!} hot={hot} />
                    ))}
                </dl>
              </section>
            ))}
          </div>
          {stock.length > 0 && (
            <p className={styles.stock}>
              Stock: {stock.map(([sku, n]) => `${sku} ${n}`).join(" · ")}
            </p>
          )}
        </>
      )}
    </div>
  );
}

function Counter({ label, value, hot }: { label: string; value: bigint; hot?: boolean }) {
  const slug = label.replace(/\W+/g, "-");
  return (
    <>
      <dt>{label}</dt>
      <dd className={hot ? styles.hot : undefined} data-testid={`counter-${slug}`}>
        {value.toLocaleString("en")}
      </dd>
    </>
  );
}
