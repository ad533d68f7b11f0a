import { Mode, type TraceEvent } from "@/lib/gen/lab/v1/trace_pb";

export const MODE_LABEL: Record<Mode, string> = {
  [Mode.UNSPECIFIED]: "—",
  [Mode.REST]: "REST",
  [Mode.CONNECT]: "Connect",
  [Mode.GRPC_WEB]: "gRPC-web",
  [Mode.GRPC]: "gRPC",
  [Mode.MQTT]: "MQTT",
  [Mode.LOCAL]: "local",
};

/** Total bytes of an event on the wire (header + body + framing), or undefined if not measured. */
export function wireBytes(e: TraceEvent): number | undefined {
  const b = e.bytes;
  if (!b) return undefined;
  const total = b.header + b.body + b.framing;
  return total > 0 ? total : undefined;
}

/** "+12.345 ms" relative to a start time. */
export function relMs(t: number, start: number): string {
  return `+${(t - start).toFixed(1)} ms`;
}
