import { Mode } from "@/lib/gen/lab/v1/trace_pb";
import type { ArrowMarker } from "@/lib/diagram";

/**
 * Colours on a light background. Mode colours are distinct for the common
 * colour-vision deficiencies and reach 4.5:1 against white; the diagram never
 * relies on colour alone (line style, arrowhead, mode name in the label).
 */
export const MODE_COLORS: Record<Mode, string> = {
  [Mode.UNSPECIFIED]: "#4b5563",
  [Mode.REST]: "#1d4ed8",
  [Mode.CONNECT]: "#7e22ce",
  [Mode.GRPC_WEB]: "#c2410c",
  [Mode.GRPC]: "#047857",
  [Mode.MQTT]: "#be185d",
  [Mode.LOCAL]: "#525252",
};

export function modeColor(mode: Mode): string {
  return MODE_COLORS[mode] ?? MODE_COLORS[Mode.UNSPECIFIED];
}

export const MARKER_COLORS: Record<ArrowMarker, string> = {
  error: "#b91c1c",
  reset: "#b91c1c",
  timeout: "#b91c1c",
  fault: "#b45309",
  "dead-letter": "#292524",
};

export const INK = {
  text: "#111827",
  muted: "#4b5563",
  faint: "#6b7280",
  lifeline: "#9ca3af",
  grid: "#eef0f3",
  headerFill: "#f8fafc",
  headerStroke: "#94a3b8",
  noteFill: "#fffbeb",
  noteStroke: "#d6a92b",
  selection: "#fde68a",
  focus: "#2563eb",
  background: "#ffffff",
};
