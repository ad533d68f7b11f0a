"use client";

import Link from "next/link";
import { useState, type ReactNode } from "react";
import { formatResumeCode, normaliseCode, ROOM_CODE_LENGTH, ROOM_LIMITS, RESUME_CODE_LENGTH, type StudentState } from "@/lib/classroom/contract";
import { countdownText } from "@/lib/classroom/dashboard-model";
import { reportProgress, type ReportOutcome } from "@/lib/classroom/report-progress";
import { LanguageSwitch, useLocaleState } from "@/components/lessons/LanguageSwitch";
import type { Locale } from "@/lib/lessons/types";
import { classApi } from "./api";
import { joinText as t } from "./join-text";
import { useNow } from "./use-dashboard-feed";
import { useStudentFeed } from "./use-student-feed";
import { withNodes } from "./with-nodes";
import css from "./classroom.module.css";

/**
 * /join: a room code and a display name (no account), or a resume code to
 * continue from another browser; once in, the room, the resume code to
 * keep, the teacher's messages and drills, and a way to leave.
 */
export function JoinClass({ initialCode, initialLocale }: { initialCode: string; initialLocale: Locale }) {
  const [locale, setLocale] = useLocaleState(initialLocale);
  // Bumped after a join, resume or leave, so the live state is fetched anew.
  const [generation, setGeneration] = useState(0);
  const { state, offsetMs } = useStudentFeed(generation);
  const [justJoined, setJustJoined] = useState(false);
  const languageSwitch = <LanguageSwitch locale={locale} onChange={setLocale} />;

  return (
    <div lang={locale}>
      {state === undefined ? (
        <p className="muted">{t("looking", locale)}</p>
      ) : state === null ? (
        <JoinForms
          initialCode={initialCode}
          locale={locale}
          languageSwitch={languageSwitch}
          onJoined={(fresh) => {
            setJustJoined(fresh);
            setGeneration((g) => g + 1);
          }}
        />
      ) : (
        <Joined state={state} offsetMs={offsetMs} justJoined={justJoined} locale={locale} languageSwitch={languageSwitch} onLeft={() => setGeneration((g) => g + 1)} />
      )}
    </div>
  );
}

/**
 * `text` with its `{name}` placeholders replaced by `nodes`: a bold word in a
 * sentence, or what the server sent (in English) marked as such.
 */
interface PageProps {
  locale: Locale;
  /** The language switch, at the right of the page's heading. */
  languageSwitch: ReactNode;
}

function JoinForms({ initialCode, onJoined, locale, languageSwitch }: PageProps & { initialCode: string; onJoined: (fresh: boolean) => void }) {
  const [code, setCode] = useState(normaliseCode(initialCode));
  const [name, setName] = useState("");
  const [resume, setResume] = useState("");
  const [error, setError] = useState<string>();
  const [resumeError, setResumeError] = useState<string>();
  const [busy, setBusy] = useState(false);

  return (
    <div className={css.narrow}>
      <div className="panel">
        <div className={css.headerRow}>
          <h1>{t("joinTitle", locale)}</h1>
          {languageSwitch}
        </div>
        <form
          className={css.form}
          onSubmit={async (e) => {
            e.preventDefault();
            setBusy(true);
            setError(undefined);
            try {
              await classApi.join(code, name);
              onJoined(true);
            } catch (err) {
              setError((err as Error).message);
            } finally {
              setBusy(false);
            }
          }}
        >
          <label>
            {t("roomCode", locale)}
            <input
              className={css.codeInput}
              value={code}
              onChange={(e) => setCode(e.target.value.toUpperCase())}
              maxLength={ROOM_CODE_LENGTH + 2}
              autoComplete="off"
              autoCapitalize="characters"
              spellCheck={false}
              placeholder="ABC123"
              required
              data-testid="join-code"
            />
          </label>
          <label>
            {t("yourName", locale)}
            <input value={name} onChange={(e) => setName(e.target.value)} maxLength={ROOM_LIMITS.displayNameChars} autoComplete="nickname" required data-testid="join-name" />
          </label>
          {error && (
            <p className={css.alert} role="alert">
              {withNodes(t("joinFailed", locale), { error: <span lang="en">{error}</span> })}
            </p>
          )}
          <button type="submit" className="primary" disabled={busy}>
            {t("join", locale)}
          </button>
        </form>
      </div>
      <div className="panel" style={{ marginTop: 16 }}>
        <h2>{t("resumeTitle", locale)}</h2>
        <form
          className={css.form}
          onSubmit={async (e) => {
            e.preventDefault();
            setBusy(true);
            setResumeError(undefined);
            try {
              await classApi.resume(resume);
              onJoined(false);
            } catch (err) {
              setResumeError((err as Error).message);
            } finally {
              setBusy(false);
            }
          }}
        >
          <label>
            {t("resumeCode", locale)}
            <input value={resume} onChange={(e) => setResume(e.target.value.toUpperCase())} maxLength={RESUME_CODE_LENGTH + 2} placeholder="ABCDE-FGHJK" autoComplete="off" spellCheck={false} required data-testid="resume-code-input" />
          </label>
          {resumeError && (
            <p className={css.alert} role="alert">
              {withNodes(t("resumeFailed", locale), { error: <span lang="en">{resumeError}</span> })}
            </p>
          )}
          <button type="submit" disabled={busy}>
            {t("continueHere", locale)}
          </button>
        </form>
      </div>
    </div>
  );
}

function Joined({ state, offsetMs, justJoined, onLeft, locale, languageSwitch }: PageProps & { state: StudentState; offsetMs: number; justJoined: boolean; onLeft: () => void }) {
  const now = useNow(offsetMs);
  const drill = state.room.drill && state.room.drill.untilMs > now ? state.room.drill : null;
  const [error, setError] = useState<string>();
  return (
    <div className={`${css.narrow} ${css.joined}`} data-testid="joined">
      <div className="panel">
        <div className={css.headerRow}>
          <h1>{t(justJoined ? "youreIn" : "welcomeBack", locale, { name: state.student.name })}</h1>
          {languageSwitch}
        </div>
        <p>{withNodes(t("classLine", locale, { code: state.room.code }), { room: <strong>{state.room.name}</strong> })}</p>
        <div className={css.resumeBox}>
          <p className={css.hint}>{t("keepResumeCode", locale)}</p>
          <p className={css.resumeCode} data-testid="resume-code">
            {formatResumeCode(state.student.resumeCode)}
          </p>
        </div>
        <p style={{ marginTop: 14 }}>
          <Link href="/playground">{t("start", locale)}</Link>
        </p>
      </div>
      {drill && (
        <div className={`panel ${css.drillOn}`} role="status" data-testid="drill-banner">
          <strong>{withNodes(t("drill", locale), { title: <span lang="en">{drill.title}</span> })}</strong>
          <span className={css.countdown}>{t("drillLeft", locale, { time: countdownText(drill.untilMs - now) })}</span>
          <span className={css.hint}>{t("drillHint", locale)}</span>
        </div>
      )}
      {state.room.messages.length > 0 && (
        <div className="panel">
          <h2>{t("fromTeacher", locale)}</h2>
          <ul className={css.messages} data-testid="class-messages">
            {state.room.messages
              .slice()
              .reverse()
              .map((m) => (
                <li key={m.id}>
                  {new Date(m.atMs).toLocaleTimeString(locale, { hour: "2-digit", minute: "2-digit" })} — {m.text}
                </li>
              ))}
          </ul>
        </div>
      )}
      <TryReport locale={locale} />
      <div>
        <button
          type="button"
          onClick={async () => {
            if (!window.confirm(t("leaveConfirm", locale))) return;
            try {
              await classApi.leave();
              onLeft();
            } catch (err) {
              setError((err as Error).message);
            }
          }}
        >
          {t("leave", locale)}
        </button>
        {error && (
          <p className={css.alert} role="alert">
            {withNodes(t("leaveFailed", locale), { error: <span lang="en">{error}</span> })}
          </p>
        )}
      </div>
    </div>
  );
}

/** The words for a report that was not saved (its reason is shown as it came). */
const OUTCOME_KEY = { queued: "queued", "not-in-class": "notInClass", refused: "refused" } as const;

/** Reports one check by hand, through the same helper lessons use (for trying the classroom out). */
function TryReport({ locale }: { locale: Locale }) {
  const [lesson, setLesson] = useState("01-first-call");
  const [step, setStep] = useState(1);
  const [passed, setPassed] = useState(true);
  const [outcome, setOutcome] = useState<ReportOutcome>();
  return (
    <details className="panel">
      <summary>{t("tryIt", locale)}</summary>
      <form
        className={css.inline}
        onSubmit={async (e) => {
          e.preventDefault();
          setOutcome(await reportProgress({ lesson, step: step - 1, passed }));
        }}
      >
        <label className={css.inline}>
          {t("lesson", locale)}
          <input value={lesson} onChange={(e) => setLesson(e.target.value)} style={{ width: 150 }} data-testid="try-lesson" />
        </label>
        <label className={css.inline}>
          {t("step", locale)}
          <input type="number" min={1} value={step} onChange={(e) => setStep(Number(e.target.value))} style={{ width: 64 }} data-testid="try-step" />
        </label>
        <label className={css.inline}>
          <input type="checkbox" checked={passed} onChange={(e) => setPassed(e.target.checked)} /> {t("passed", locale)}
        </label>
        <button type="submit">{t("report", locale)}</button>
      </form>
      {outcome && (
        <p className={outcome.status === "saved" ? css.ok : css.alert} role="status" data-testid="try-outcome">
          {outcome.status === "saved" ? t("saved", locale) : withNodes(t(OUTCOME_KEY[outcome.status], locale), { reason: <span lang="en">{outcome.reason}</span> })}
        </p>
      )}
    </details>
  );
}
