import type { TargetKey } from "@/lib/measure";

/** One colour per target, the same in every chart and table. */
export const TARGET_COLORS: Record<TargetKey, string> = {
  rest: "#2456c7",
  "connect-json": "#0e9aa7",
  "connect-binary": "#7a4bd1",
  "grpc-web": "#d1495b",
  grpc: "#e08e0b",
  "mqtt-qos0": "#3a7d44",
  "mqtt-qos1": "#137a3a",
  "mqtt-qos2": "#5c6b2e",
};

/** "0.412", "12.3", "1,204" ms: three significant digits, at most three decimals. */
export function fmtMs(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return "–";
  if (ms === 0) return "0";
  const digits = ms < 1 ? 3 : ms < 10 ? 2 : ms < 100 ? 1 : 0;
  return ms.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export function fmtInt(n: number | bigint | undefined): string {
  if (n === undefined) return "–";
  return Number(n).toLocaleString("en-US", { maximumFractionDigits: 0 });
}

export function fmtRate(n: number | undefined): string {
  if (n === undefined || !Number.isFinite(n)) return "–";
  return n.toLocaleString("en-US", { maximumFractionDigits: n < 100 ? 1 : 0 });
}

export function fmtBytes(n: number | undefined): string {
  if (n === undefined || !Number.isFinite(n)) return "–";
  if (n < 10_000) return `${n.toLocaleString("en-US", { maximumFractionDigits: 0 })} B`;
  return `${(n / 1024).toLocaleString("en-US", { maximumFractionDigits: 1 })} KiB`;
}

/** "1:05" or "12 s" for a duration in ms. */
export function fmtDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}
