"use client";

import type { ClaimRow, Verdict } from "@/lib/measure";
import css from "./measure.module.css";

const VERDICT: Record<Verdict, string> = {
  holds: "Holds here",
  weaker: "Weaker here",
  stronger: "Stronger here",
  opposite: "Opposite here",
  "not-measured": "Not measured",
};

function claimed(row: ClaimRow): string {
  const [lo, hi] = row.claim.range;
  return row.claim.id === "size" ? "≈ 35 %" : `${lo}–${hi}${row.claim.unit === "%" ? " %" : "×"}`;
}

function measured(row: ClaimRow): string {
  if (row.measured === undefined) return "–";
  const v = row.measured;
  return row.claim.unit === "%" ? `${v.toFixed(0)} %` : `${v.toFixed(2)}×`;
}

/**
 * Each quantitative claim of the seeds, quoted, next to what this machine
 * just measured, with a plain verdict and the conditions. Before anything
 * was measured it is a list of the claims, with nothing to compare yet.
 */
export function ClaimsTable({ rows }: { rows: ClaimRow[] }) {
  if (rows.every((r) => r.verdict === "not-measured" && r.measured === undefined) && !rows.some((r) => r.conditions)) {
    return (
      <div data-testid="claims">
        <p className="muted">Nothing measured yet. Run two modes (one JSON, one protobuf) and the micro-benchmark, and each of these claims gets a number from this machine:</p>
        <ul className={css.claimList}>
          {rows.map((r) => (
            <li key={r.claim.id} data-claim={r.claim.id} data-verdict={r.verdict}>
              <q lang="zh-CN">{r.claim.quote}</q> <span className="muted">{r.claim.meaning}</span> <cite>— seeds/{r.claim.file}</cite>
            </li>
          ))}
        </ul>
      </div>
    );
  }
  return (
    <div className={css.tableScroll}>
      <table className={css.claims} data-testid="claims">
        <caption className="sr-only">Claims of the seed articles against this machine&apos;s measurements</caption>
        <thead>
          <tr>
            <th scope="col">The seed says</th>
            <th scope="col">Claimed</th>
            <th scope="col">Measured here</th>
            <th scope="col">Verdict</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.claim.id} data-claim={r.claim.id} data-verdict={r.verdict}>
              <td>
                <q lang="zh-CN">{r.claim.quote}</q>
                <div className="muted">
                  {r.claim.meaning} <cite>— seeds/{r.claim.file}</cite>
                </div>
              </td>
              <td className={css.num}>{claimed(r)}</td>
              <td className={css.num}>{measured(r)}</td>
              <td>
                <span className={css.verdict} data-verdict={r.verdict}>
                  {VERDICT[r.verdict]}
                </span>
                <div>{r.text}</div>
                {r.conditions && <div className={css.small}>{r.conditions}</div>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
