"use client";

import type { Locale } from "@/lib/lessons/types";
import { measureTextFor, type SerializationResult } from "@/lib/measure";
import { fmtBytes, fmtRate } from "./format";
import css from "./measure.module.css";

/** The in-browser serialization micro-benchmark: encode/decode operations per second, JSON vs protobuf, for the chosen message. */
export function SerializationCard({ result, running, error, onRun, disabled, locale = "en" }: { result?: SerializationResult; running: boolean; error?: string; onRun: () => void; disabled?: boolean; locale?: Locale }) {
  const t = measureTextFor(locale);
  const best = result ? Math.max(...result.codecs.map((c) => c.roundTripPerSec)) : 1;
  return (
    <div className={css.serialization} data-testid="serialization">
      <div className={css.cardHead}>
        <strong>{t("serializationTitle")}</strong>
        <button type="button" onClick={onRun} disabled={running || disabled}>
          {t(running ? "serializationRunning" : result ? "serializationAgain" : "serializationRun")}
        </button>
      </div>
      <p className="muted">{t("serializationNote")}</p>
      {error && <p className="error">{error}</p>}
      {result && (
        <>
          <table className={css.results}>
            <caption className="sr-only">{t("serializationCaption")}</caption>
            <thead>
              <tr>
                <th scope="col">{t("colCodec")}</th>
                <th scope="col" className={css.num}>
                  {t("colSize")}
                </th>
                <th scope="col" className={css.num}>
                  {t("colEncode")}
                </th>
                <th scope="col" className={css.num}>
                  {t("colDecode")}
                </th>
                <th scope="col" className={css.num}>
                  {t("colRoundTrips")}
                </th>
              </tr>
            </thead>
            <tbody>
              {result.codecs.map((c) => (
                <tr key={c.codec}>
                  <th scope="row">{t(`codec.${c.codec}`)}</th>
                  <td className={css.num}>{fmtBytes(c.bytes)}</td>
                  <td className={css.num}>{fmtRate(c.encodePerSec)}</td>
                  <td className={css.num}>{fmtRate(c.decodePerSec)}</td>
                  <td className={css.num}>
                    <span className={css.inlineBar} style={{ width: `${(c.roundTripPerSec / best) * 60}px` }} aria-hidden />
                    {fmtRate(c.roundTripPerSec)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <p className={css.small}>
            {t("speedupBefore", { message: result.message, engine: result.engine })}
            <strong>{result.speedup.toFixed(2)}×</strong>
            {t("speedupAfter")}
          </p>
        </>
      )}
    </div>
  );
}
