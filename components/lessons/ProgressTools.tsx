"use client";

import { useId, useRef, useState } from "react";
import { downloadText } from "@/components/diagram";
import { parseProgress, progressStore, serializeProgress, totalPassed } from "@/lib/lessons/progress";
import { ui } from "@/lib/lessons/ui-text";
import type { Locale } from "@/lib/lessons/types";
import css from "./lessons.module.css";

/** Export the browser's progress as a JSON file, or import one (merged in). */
export function ProgressTools({ locale }: { locale: Locale }) {
  const file = useRef<HTMLInputElement>(null);
  const inputId = useId();
  const [note, setNote] = useState<{ ok: boolean; text: string }>();

  async function importFile(f: File) {
    try {
      const merged = progressStore.importProgress(parseProgress(await f.text()));
      setNote({ ok: true, text: ui("imported", locale, { n: totalPassed(merged) }) });
    } catch (err) {
      setNote({ ok: false, text: ui("importFailed", locale, { error: (err as Error).message }) });
    }
  }

  return (
    <div className={css.progressTools}>
      <button type="button" onClick={() => downloadText(serializeProgress(progressStore.getSnapshot()), "wirelab-progress.json", "application/json")}>
        {ui("exportProgress", locale)}
      </button>
      <button type="button" onClick={() => file.current?.click()}>
        {ui("importProgress", locale)}
      </button>
      <input
        id={inputId}
        ref={file}
        type="file"
        accept="application/json,.json"
        className="sr-only"
        tabIndex={-1}
        aria-label={ui("importProgress", locale)}
        data-testid="progress-import"
        onChange={(e) => {
          const f = e.target.files?.[0];
          e.target.value = "";
          if (f) void importFile(f);
        }}
      />
      {note && (
        <p role="status" className={note.ok ? css.noteOk : css.noteBad}>
          {note.text}
        </p>
      )}
      <p className={css.muted}>{ui("progressNote", locale)}</p>
    </div>
  );
}
