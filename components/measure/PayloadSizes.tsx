"use client";

import { useMemo } from "react";
import { Bar, BarChart, CartesianGrid, Legend, Line, LineChart, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { MeasureCall, PayloadShape } from "@/lib/gen/lab/v1/measure_pb";
import type { Locale } from "@/lib/lessons/types";
import { encodedSizes, makeEchoRequest, measureTextFor, sizeSweep, type MeasureTextKey, type RunView } from "@/lib/measure";
import { fmtBytes, TARGET_COLORS } from "./format";
import css from "./measure.module.css";

/** Each payload shape's name in MEASURE_TEXT. */
export const SHAPE_TEXT: Record<Exclude<PayloadShape, PayloadShape.UNSPECIFIED>, MeasureTextKey> = {
  [PayloadShape.USERS]: "shape.users",
  [PayloadShape.NUMBERS]: "shape.numbers",
  [PayloadShape.TEXT]: "shape.text",
};

/**
 * Payload size: the chosen Echo message in every encoding the lab sends,
 * how the protobuf/JSON ratio moves as the message grows (the size control
 * sets where it stands), and the body bytes per call each mode of the last
 * run measured.
 */
export function PayloadSizes({ call, shape, bytes, seed, view, locale = "en" }: { call: MeasureCall; shape: PayloadShape; bytes: number; seed: bigint; view?: RunView; locale?: Locale }) {
  const t = measureTextFor(locale);
  const ratioName = t("ratioSeries");
  const echo = call === MeasureCall.ECHO;
  const sweep = useMemo(() => (echo ? sizeSweep(shape, seed) : []), [echo, shape, seed]);
  const now = useMemo(() => (echo ? encodedSizes(makeEchoRequest(shape, bytes, seed)) : undefined), [echo, shape, bytes, seed]);
  const rows = sweep.map((p) => ({ size: p.target, json: p.restJson, protoJson: p.protoJson, protobuf: p.protobuf, ratio: Math.round(p.ratio * 1000) / 10 }));
  const measured = (view?.targets ?? []).filter((t) => Number(t.result.latency?.count ?? 0n) > 0).map((t) => ({ key: t.key, title: t.title, sent: Math.round(t.result.requestBytes), received: Math.round(t.result.responseBytes) }));
  return (
    <div className={css.sizes}>
      {echo && now ? (
        <figure className={css.chart}>
          <figcaption>
            <strong>{t("sizeChart")}</strong>{" "}
            <span className="muted">
              {t("sizeChartNote", { shape: shape === PayloadShape.UNSPECIFIED ? "" : t(SHAPE_TEXT[shape]), restJson: fmtBytes(now.restJson), protoJson: fmtBytes(now.protoJson), protobuf: fmtBytes(now.protobuf) })}{" "}
              <strong data-testid="size-ratio">{t("sizeRatio", { pct: ((now.protobuf / now.restJson) * 100).toFixed(0) })}</strong>
            </span>
          </figcaption>
          <ResponsiveContainer width="100%" height={220}>
            <LineChart data={rows} margin={{ top: 8, right: 8, bottom: 4, left: 4 }}>
              <CartesianGrid strokeDasharray="3 3" stroke="#e5e9f0" />
              <XAxis dataKey="size" type="number" scale="log" domain={["dataMin", "dataMax"]} ticks={[64, 256, 1024, 4096, 16384, 65536]} tickFormatter={(v: number) => (v >= 1024 ? `${v / 1024} KiB` : `${v} B`)} tick={{ fontSize: 11 }} />
              <YAxis yAxisId="ratio" domain={[0, 120]} unit=" %" tick={{ fontSize: 11 }} width={48} />
              <YAxis yAxisId="bytes" orientation="right" scale="log" domain={["auto", "auto"]} tickFormatter={(v: number) => fmtBytes(v)} tick={{ fontSize: 11 }} width={64} />
              <Tooltip formatter={(v, name) => (name === ratioName ? `${v} %` : fmtBytes(Number(v)))} labelFormatter={(l) => t("messageOfSize", { size: fmtBytes(Number(l)) })} />
              <ReferenceLine yAxisId="ratio" x={bytes} stroke="#1c2330" strokeDasharray="3 3" label={{ value: t("chosenSize"), fontSize: 11, position: "insideTopLeft" }} />
              <ReferenceLine yAxisId="ratio" y={35} stroke="#b42318" strokeDasharray="2 4" label={{ value: t("seedSize"), fontSize: 11, position: "insideBottomRight" }} />
              <Line yAxisId="ratio" dataKey="ratio" name={ratioName} stroke="#1c2330" strokeWidth={2} isAnimationActive={false} />
              <Line yAxisId="bytes" dataKey="json" name={t("restJsonBytes")} stroke={TARGET_COLORS.rest} dot={false} isAnimationActive={false} />
              <Line yAxisId="bytes" dataKey="protoJson" name={t("protoJsonBytes")} stroke={TARGET_COLORS["connect-json"]} dot={false} isAnimationActive={false} strokeDasharray="4 3" />
              <Line yAxisId="bytes" dataKey="protobuf" name={t("protobufBytes")} stroke={TARGET_COLORS["connect-binary"]} dot={false} isAnimationActive={false} />
              <Legend wrapperStyle={{ fontSize: 12 }} />
            </LineChart>
          </ResponsiveContainer>
        </figure>
      ) : (
        <p className="muted">{t("pickEcho")}</p>
      )}
      <figure className={css.chart}>
        <figcaption>
          <strong>{t("bodyBytesMeasured")}</strong> <span className="muted">{t("bodyBytesNote")}</span>
        </figcaption>
        {measured.length === 0 ? (
          <p className="muted">{t("runToSeeBytes")}</p>
        ) : (
          <ResponsiveContainer width="100%" height={200}>
            <BarChart data={measured} margin={{ top: 8, right: 8, bottom: 4, left: 4 }}>
              <CartesianGrid strokeDasharray="3 3" stroke="#e5e9f0" />
              <XAxis dataKey="title" tick={{ fontSize: 11 }} interval={0} />
              <YAxis tickFormatter={(v: number) => fmtBytes(v)} tick={{ fontSize: 11 }} width={64} />
              <Tooltip formatter={(v) => fmtBytes(Number(v))} />
              <Bar dataKey="sent" name={t("sent")} fill="#9fb3df" isAnimationActive={false} />
              <Bar dataKey="received" name={t("received")} fill="#2456c7" isAnimationActive={false} />
              <Legend wrapperStyle={{ fontSize: 12 }} />
            </BarChart>
          </ResponsiveContainer>
        )}
      </figure>
    </div>
  );
}
