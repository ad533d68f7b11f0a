import { exportTrace } from "@/lib/diagram";
import type { TraceEvent } from "@/lib/gen/lab/v1/trace_pb";
import { wholeEvents } from "@/components/trace/whole-events";

/** Saves text as a file through a temporary object URL (browser only). */
export function downloadText(text: string, fileName: string, mimeType: string): void {
  const blob = new Blob([text], { type: mimeType });
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = fileName;
  a.rel = "noopener";
  a.style.display = "none";
  document.body.appendChild(a);
  a.click();
  a.remove();
  // Give the browser a moment to start the download before revoking.
  window.setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** "wirelab-trace-2025-06-15T15-06-40" from a date. */
export function fileStamp(base: string, date: Date = new Date()): string {
  return `${base}-${date.toISOString().slice(0, 19).replace(/:/g, "-")}`;
}

/**
 * The trace JSON file of `events` (exportTrace) with whole events: light
 * ones from the page's live stream are fetched with GetEvents first, in
 * calls of at most 500 seqs. Those the server no longer has, or all of them
 * when it cannot be reached, are exported as the page has them (counts and
 * timing complete, without wire bytes and header maps).
 */
export async function wholeTraceJson(events: readonly TraceEvent[]): Promise<string> {
  let out: readonly TraceEvent[] = events;
  try {
    out = await wholeEvents(events);
  } catch {
    // Offline or the server went away: the file still replays the diagram.
  }
  return exportTrace(out);
}
