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
