"use client";

import { usePathname } from "next/navigation";
import { useEffect, useState } from "react";
import { reportProgress } from "@/lib/classroom/report-progress";
import { onProgress } from "@/lib/lessons/progress";
import { countdownText } from "@/lib/classroom/dashboard-model";
import { useNow } from "./use-dashboard-feed";
import { useRememberedLocale } from "@/components/lessons/LanguageSwitch";
import { joinText as t } from "./join-text";
import { useStudentFeed } from "./use-student-feed";
import { withNodes } from "./with-nodes";
import css from "./classroom.module.css";

/**
 * A thin bar on every page for a student in a class: the room, a fault
 * drill the teacher started (with what is left of it), and the teacher's
 * latest message. Nothing for anyone else.
 */
export function ClassroomBanner() {
  const path = usePathname();
  const hidden = path.startsWith("/teach") || path.startsWith("/join");
  return hidden ? null : <Banner />;
}

function Banner() {
  const { state, resetAtMs, offsetMs } = useStudentFeed();
  const now = useNow(offsetMs);
  const inClass = state !== undefined && state !== null;
  // A student's lesson checks reach the teacher's dashboard (kept and re-sent until the lab has them on disk).
  useEffect(() => {
    if (!inClass) return;
    return onProgress((e) => {
      void reportProgress({ lesson: e.lesson, step: e.step, passed: e.passed, atUnixMs: Date.parse(e.at) || undefined });
    });
  }, [inClass]);
  const [dismissed, setDismissed] = useState<string>();
  const locale = useRememberedLocale();
  if (!state) return null;
  const drill = state.room.drill && state.room.drill.untilMs > now ? state.room.drill : null;
  const message = state.room.messages.at(-1);
  return (
    <div className={`${css.banner} ${drill ? css.drilling : ""}`} role="region" aria-label={t("yourClass", locale)} lang={locale} data-testid="class-banner">
      <span>
        <strong>{state.room.name}</strong> · {state.student.name}
      </span>
      {drill && (
        <span role="status" data-testid="drill-banner">
          {withNodes(t("drillFromTeacher", locale), {
            title: (
              <strong lang="en">{drill.title}</strong>
            ),
            time: countdownText(drill.untilMs - now),
          })}
        </span>
      )}
      {resetAtMs > 0 && now - resetAtMs < 60_000 && <span role="status">{t("sandboxReset", locale)}</span>}
      {message && message.id !== dismissed && (
        <span className={css.message} role="status" data-testid="class-message">
          📣 {message.text}{" "}
          <button type="button" onClick={() => setDismissed(message.id)} aria-label={t("dismissMessage", locale)}>
            ×
          </button>
        </span>
      )}
    </div>
  );
}
