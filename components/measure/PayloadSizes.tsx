"use client";

import { useMemo } from "react";
import { Bar, BarChart, CartesianGrid, Legend, Line, LineChart, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { MeasureCall, PayloadShape } from "@/lib/gen/lab/v1/measure_pb";
import { encodedSizes, makeEchoRequest, sizeSweep, type RunView } from "@/lib/measure";
import { fmtBytes, TARGET_COLORS } from "./format";
import css from "./measure.module.css";

export const SHAPE_TITLE: Record<PayloadShape, string> = {
  [PayloadShape.UNSPECIFIED]: "",
  [PayloadShape.USERS]: "users {id, name, email}",
  [PayloadShape.NUMBERS]: "int32 numbers",
  [PayloadShape.TEXT]: "one text",
};

/**
 * Payload size: the chosen Echo message in every encoding the lab sends,
 * how the protobuf/JSON ratio moves as the message grows (the size control
 * sets where it stands), and the body bytes per call each mode of the last
 * run measured.
 */
export function PayloadSizes({ call, shape, bytes, seed, view }: { call: MeasureCall; shape: PayloadShape; bytes: number; seed: bigint; view?: RunView }) {
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
            <strong>JSON vs protobuf as the message grows</strong>{" "}
            <span className="muted">
              {SHAPE_TITLE[shape]}; at the chosen size: REST JSON {fmtBytes(now.restJson)}, protobuf JSON {fmtBytes(now.protoJson)}, protobuf {fmtBytes(now.protobuf)} —{" "}
              <strong data-testid="size-ratio">protobuf is {((now.protobuf / now.restJson) * 100).toFixed(0)} % of JSON</strong>
            </span>
          </figcaption>
          <ResponsiveContainer width="100%" height={220}>
            <LineChart data={rows} margin={{ top: 8, right: 8, bottom: 4, left: 4 }}>
              <CartesianGrid strokeDasharray="3 3" stroke="#e5e9f0" />
              <XAxis dataKey="size" type="number" scale="log" domain={["dataMin", "dataMax"]} ticks={[64, 256, 1024, 4096, 16384, 65536]} tickFormatter={(v: number) => (v >= 1024 ? `${v / 1024} KiB` : `${v} B`)} tick={{ fontSize: 11 }} />
              <YAxis yAxisId="ratio" domain={[0, 120]} unit=" %" tick={{ fontSize: 11 }} width={48} />
              <YAxis yAxisId="bytes" orientation="right" scale="log" domain={["auto", "auto"]} tickFormatter={(v: number) => fmtBytes(v)} tick={{ fontSize: 11 }} width={64} />
              <Tooltip formatter={(v, name) => (name === "protobuf ÷ JSON" ? `${v} %` : fmtBytes(Number(v)))} labelFormatter={(l) => `message of ${fmtBytes(Number(l))} as JSON`} />
              <ReferenceLine yAxisId="ratio" x={bytes} stroke="#1c2330" strokeDasharray="3 3" label={{ value: "chosen size", fontSize: 11, position: "insideTopLeft" }} />
              <ReferenceLine yAxisId="ratio" y={35} stroke="#b42318" strokeDasharray="2 4" label={{ value: "seed: ≈ 35 %", fontSize: 11, position: "insideBottomRight" }} />
              <Line yAxisId="ratio" dataKey="ratio" name="protobuf ÷ JSON" stroke="#1c2330" strokeWidth={2} isAnimationActive={false} />
              <Line yAxisId="bytes" dataKey="json" name="REST JSON bytes" stroke={TARGET_COLORS.rest} dot={false} isAnimationActive={false} />
              <Line yAxisId="bytes" dataKey="protoJson" name="protobuf JSON bytes" stroke={TARGET_COLORS["connect-json"]} dot={false} isAnimationActive={false} strokeDasharray="4 3" />
              <Line yAxisId="bytes" dataKey="protobuf" name="protobuf bytes" stroke={TARGET_COLORS["connect-binary"]} dot={false} isAnimationActive={false} />
              <Legend wrapperStyle={{ fontSize: 12 }} />
            </LineChart>
          </ResponsiveContainer>
        </figure>
      ) : (
        <p className="muted">Pick the Echo call to set a payload size and see how the JSON/protobuf ratio changes as messages grow.</p>
      )}
      <figure className={css.chart}>
        <figcaption>
          <strong>Body bytes per call, as measured</strong> <span className="muted">mean per call in the last run; gRPC and gRPC-web add 5 bytes of framing per message, gRPC-web its trailers too</span>
        </figcaption>
        {measured.length === 0 ? (
          <p className="muted">Run to see each mode&apos;s bytes.</p>
        ) : (
          <ResponsiveContainer width="100%" height={200}>
            <BarChart data={measured} margin={{ top: 8, right: 8, bottom: 4, left: 4 }}>
              <CartesianGrid strokeDasharray="3 3" stroke="#e5e9f0" />
              <XAxis dataKey="title" tick={{ fontSize: 11 }} interval={0} />
              <YAxis tickFormatter={(v: number) => fmtBytes(v)} tick={{ fontSize: 11 }} width={64} />
              <Tooltip formatter={(v) => fmtBytes(Number(v))} />
              <Bar dataKey="sent" name="sent" fill="#9fb3df" isAnimationActive={false} />
              <Bar dataKey="received" name="received" fill="#2456c7" isAnimationActive={false} />
              <Legend wrapperStyle={{ fontSize: 12 }} />
            </BarChart>
          </ResponsiveContainer>
        )}
      </figure>
    </div>
  );
}
