"use client";

import { useEffect, useRef, type ReactNode } from "react";
import type { OutcomeCounters } from "@/lib/gen/lab/v1/fault_pb";
import { summariseCounters, type VerdictLevel } from "@/lib/faults/outcome";
import { faultText, type FaultTextKey } from "@/lib/faults/fault-text";
import { textIn } from "@/lib/lessons/ui-text";
import type { Locale } from "@/lib/lessons/types";
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
  /** The page's language (English by default). */
  locale?: Locale;
}

const ICON: Record<VerdictLevel, string> = { ok: "✓", info: "•", warn: "!", bad: "✕" };

type Row = [label: FaultTextKey, value: bigint | undefined, hot?: boolean];

/**
 * What happened in the session: requests, messages, orders against their
 * side effects, and a verdict in plain sentences (lib/faults/outcome).
 */
export function OutcomeCountersPanel({ counters: c, error, placed, acceptedBefore, onVisibleChange, actions, locale = "en" }: OutcomeCountersPanelProps) {
  const t = textIn(faultText, locale);
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

  const verdict = c ? summariseCounters(c, { placed, acceptedBefore }, locale) : [];
  const twice = c ? c.ordersAppliedTwice > 0n || c.inventoryDecrements > c.ordersAccepted : false;
  const groups: { title: FaultTextKey; rows: Row[]; wide?: boolean }[] = c
    ? [
        {
          title: "orders",
          wide: true,
          rows: [
            ["placedHere", placed === undefined ? undefined : BigInt(placed)],
            ["accepted", c.ordersAccepted],
            ["inventoryDecrements", c.inventoryDecrements, c.inventoryDecrements !== c.ordersAccepted],
            ["notifications", c.notificationsSent, c.notificationsSent !== c.ordersAccepted],
            ["appliedTwice", c.ordersAppliedTwice, twice],
          ],
        },
        {
          title: "requests",
          rows: [
            ["received", c.requestsReceived],
            ["succeeded", c.requestsSucceeded],
            ["failed", c.requestsFailed, c.requestsFailed > 0n],
            ["retried", c.requestsRetried],
            ["idempotentReplays", c.idempotentReplays],
          ],
        },
        {
          title: "messages",
          rows: [
            ["published", c.messagesPublished],
            ["delivered", c.messagesDelivered],
            ["duplicated", c.messagesDuplicated, c.messagesDuplicated > 0n],
            ["lost", c.messagesLost, c.messagesLost > 0n],
            ["deadLettered", c.messagesDeadLettered, c.messagesDeadLettered > 0n],
          ],
        },
        {
          title: "consumers",
          rows: [
            ["backlog", c.consumerBacklog],
            ["duplicatesSkipped", c.duplicatesSkipped],
            ["crashes", c.consumerCrashes, c.consumerCrashes > 0n],
            ["faultsApplied", c.faultsApplied],
          ],
        },
      ]
    : [];
  const stock = c ? Object.entries(c.stock).sort(([a], [b]) => a.localeCompare(b)) : [];

  return (
    <div ref={root} className={styles.stack} data-testid="outcome-counters">
      <div className={styles.head}>
        <h2>{t("outcome")}</h2>
        <span className={styles.status}>{t("liveEverySecond")}</span>
        {actions && <span className={styles.right}>{actions}</span>}
      </div>
      {error && (
        <p role="alert" className={styles.alert} lang="en">
          {error}
        </p>
      )}
      {!c ? (
        <p className={styles.hint}>{error ? t("noCounters") : t("loadingCounters")}</p>
      ) : (
        <>
          <ul className={styles.verdict} aria-label={t("verdict")} data-testid="verdict">
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
              <section key={g.title} className={g.wide ? `${styles.counterGroup} ${styles.wide}` : styles.counterGroup} aria-label={t(g.title)}>
                <h3>{t(g.title)}</h3>
                <dl>
                  {g.rows
                    .filter(([, v]) => v !== undefined)
                    .map(([label, v, hot]) => (
                      <Counter key={label} label={t(label)} slug={faultText(label, "en").replace(/\W+/g, "-")} value={v!} hot={hot} />
                    ))}
                </dl>
              </section>
            ))}
          </div>
          {stock.length > 0 && (
            <p className={styles.stock}>
              {t("stock", { items: stock.map(([sku, n]) => `${sku} ${n}`).join(" · ") })}
            </p>
          )}
        </>
      )}
    </div>
  );
}

/** One counter; its test id is its English label's slug ("counter-applied-twice") in every language. */
function Counter({ label, slug, value, hot }: { label: string; slug: string; value: bigint; hot?: boolean }) {
  return (
    <>
      <dt>{label}</dt>
      <dd className={hot ? styles.hot : undefined} data-testid={`counter-${slug}`}>
        {value.toLocaleString("en")}
      </dd>
    </>
  );
}
