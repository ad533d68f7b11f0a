"use client";

import type { SerializationResult } from "@/lib/measure";
import { fmtBytes, fmtRate } from "./format";
import css from "./measure.module.css";

/** The in-browser serialization micro-benchmark: encode/decode operations per second, JSON vs protobuf, for the chosen message. */
export function SerializationCard({ result, running, error, onRun, disabled }: { result?: SerializationResult; running: boolean; error?: string; onRun: () => void; disabled?: boolean }) {
  const best = result ? Math.max(...result.codecs.map((c) => c.roundTripPerSec)) : 1;
  return (
    <div className={css.serialization} data-testid="serialization">
      <div className={css.cardHead}>
        <strong>Serialization in this browser</strong>
        <button type="button" onClick={onRun} disabled={running || disabled}>
          {running ? "Measuring… (about 5 s)" : result ? "Measure again" : "Run the micro-benchmark"}
        </button>
      </div>
      <p className="muted">
        Encode and decode of the chosen message, bytes in and bytes out, in a Web Worker: JSON.stringify/JSON.parse (REST) against protobuf-es (Connect, gRPC-web, MQTT). No network.
      </p>
      {error && <p className="error">{error}</p>}
      {result && (
        <>
          <table className={css.results}>
            <caption className="sr-only">Operations per second by codec</caption>
            <thead>
              <tr>
                <th scope="col">Codec</th>
                <th scope="col" className={css.num}>
                  Size
                </th>
                <th scope="col" className={css.num}>
                  Encode /s
                </th>
                <th scope="col" className={css.num}>
                  Decode /s
                </th>
                <th scope="col" className={css.num}>
                  Round trips /s
                </th>
              </tr>
            </thead>
            <tbody>
              {result.codecs.map((c) => (
                <tr key={c.codec}>
                  <th scope="row">{c.title}</th>
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
            {result.message} · {result.engine}: protobuf round trips at <strong>{result.speedup.toFixed(2)}×</strong> the rate of JSON&apos;s.
          </p>
        </>
      )}
    </div>
  );
}
