"use client";

import { useEffect, useRef } from "react";
import type { TraceEvent } from "@/lib/gen/lab/v1/trace_pb";
import { KIND_LABEL, MODE_LABEL, relMs, wireBytes } from "@/components/trace/event-format";

/** Rows shown at once; the full trace stays in the store. */
const VISIBLE_ROWS = 300;

/** The live list of trace events, newest at the bottom. */
export function TraceList({ events }: { events: readonly TraceEvent[] }) {
  const box = useRef<HTMLDivElement>(null);
  const shown = events.slice(-VISIBLE_ROWS);
  const start = events[0]?.timeUnixMs ?? 0;
  useEffect(() => {
    const el = box.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [events.length]);
  if (events.length === 0) return <p className="muted">No events yet: make a call, or point a tool at your session.</p>;
  return (
    <div className="trace-scroll" ref={box}>
      <table className="trace-table" data-testid="trace-list">
        <caption className="sr-only">Trace events of this session, oldest first</caption>
        <thead>
          <tr>
            <th scope="col">Time</th>
            <th scope="col">Mode</th>
            <th scope="col">From → to</th>
            <th scope="col">Event</th>
            <th scope="col">What</th>
            <th scope="col">Bytes</th>
            <th scope="col">Latency</th>
          </tr>
        </thead>
        <tbody>
          {shown.map((e, i) => (
            <tr key={`${e.seq}-${e.spanId}-${e.kind}-${i}`} className={e.error ? "row-error" : undefined}>
              <td className="num">{relMs(e.timeUnixMs, start)}</td>
              <td>{MODE_LABEL[e.mode]}</td>
              <td>
                {e.from} → {e.to}
              </td>
              <td>{e.mqtt?.packetType || KIND_LABEL[e.kind]}</td>
              <td className="what">
                {e.summary}
                {e.mqtt && e.mqtt.packetType === "PUBLISH" ? ` · QoS ${e.mqtt.qos}${e.mqtt.dup ? " · DUP" : ""}${e.mqtt.packetId ? ` · #${e.mqtt.packetId}` : ""}` : ""}
                {e.error ? ` — ${e.error}` : ""}
              </td>
              <td className="num">{wireBytes(e) ?? ""}</td>
              <td className="num">{e.durationMs > 0 ? `${e.durationMs.toFixed(1)} ms` : ""}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
