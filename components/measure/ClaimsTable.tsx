"use client";

import type { Locale } from "@/lib/lessons/types";
import { measureTextFor, quoteText, type ClaimRow } from "@/lib/measure";
import css from "./measure.module.css";

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
 * The quote is always the seed's own (Chinese) words; what it means, the
 * verdict and its sentence are in `locale`.
 */
export function ClaimsTable({ rows, locale = "en" }: { rows: ClaimRow[]; locale?: Locale }) {
  const t = measureTextFor(locale);
  if (rows.every((r) => r.verdict === "not-measured" && r.measured === undefined) && !rows.some((r) => r.conditions)) {
    return (
      <div data-testid="claims">
        <p className="muted">{t("claimsEmpty")}</p>
        <ul className={css.claimList}>
          {rows.map((r) => (
            <li key={r.claim.id} data-claim={r.claim.id} data-verdict={r.verdict}>
              <q lang="zh-CN">{quoteText(r.claim.quote)}</q> <span className="muted">{t(`claim.${r.claim.id}`)}</span> <cite>— seeds/{r.claim.file}</cite>
            </li>
          ))}
        </ul>
      </div>
    );
  }
  return (
    <div className={css.tableScroll}>
      <table className={css.claims} data-testid="claims">
        <caption className="sr-only">{t("claimsCaption")}</caption>
        <thead>
          <tr>
            <th scope="col">{t("colSeedSays")}</th>
            <th scope="col">{t("colClaimed")}</th>
            <th scope="col">{t("colMeasuredHere")}</th>
            <th scope="col">{t("colVerdict")}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.claim.id} data-claim={r.claim.id} data-verdict={r.verdict}>
              <td>
                <q lang="zh-CN">{quoteText(r.claim.quote)}</q>
                <div className="muted">
                  {t(`claim.${r.claim.id}`)} <cite>— seeds/{r.claim.file}</cite>
                </div>
              </td>
              <td className={css.num}>{claimed(r)}</td>
              <td className={css.num}>{measured(r)}</td>
              <td>
                <span className={css.verdict} data-verdict={r.verdict}>
                  {t(`verdict.${r.verdict}`)}
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
