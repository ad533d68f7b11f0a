"use client";

import Link from "next/link";
import { useState } from "react";
import { formatResumeCode, normaliseCode, ROOM_CODE_LENGTH, ROOM_LIMITS, RESUME_CODE_LENGTH, type StudentState } from "@/lib/classroom/contract";
import { countdownText } from "@/lib/classroom/dashboard-model";
import { reportProgress, type ReportOutcome } from "@/lib/classroom/report-progress";
import { classApi } from "./api";
import { useNow } from "./use-dashboard-feed";
import { useStudentFeed } from "./use-student-feed";
import css from "./classroom.module.css";

/**
 * /join: a room code and a display name (no account), or a resume code to
 * continue from another browser; once in, the room, the resume code to
 * keep, the teacher's messages and drills, and a way to leave.
 */
export function JoinClass({ initialCode }: { initialCode: string }) {
  // Bumped after a join, resume or leave, so the live state is fetched anew.
  const [generation, setGeneration] = useState(0);
  const { state, offsetMs } = useStudentFeed(generation);
  const [justJoined, setJustJoined] = useState(false);

  if (state === undefined) return <p className="muted">Looking for your class…</p>;
  if (state === null) {
    return (
      <JoinForms
        initialCode={initialCode}
        onJoined={(fresh) => {
          setJustJoined(fresh);
          setGeneration((g) => g + 1);
        }}
      />
    );
  }
  return <Joined state={state} offsetMs={offsetMs} justJoined={justJoined} onLeft={() => setGeneration((g) => g + 1)} />;
}

function JoinForms({ initialCode, onJoined }: { initialCode: string; onJoined: (fresh: boolean) => void }) {
  const [code, setCode] = useState(normaliseCode(initialCode));
  const [name, setName] = useState("");
  const [resume, setResume] = useState("");
  const [error, setError] = useState<string>();
  const [resumeError, setResumeError] = useState<string>();
  const [busy, setBusy] = useState(false);

  return (
    <div className={css.narrow}>
      <div className="panel">
        <h1>Join a class</h1>
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
            Room code
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
            Your name (what your teacher sees)
            <input value={name} onChange={(e) => setName(e.target.value)} maxLength={ROOM_LIMITS.displayNameChars} autoComplete="nickname" required data-testid="join-name" />
          </label>
          {error && (
            <p className={css.alert} role="alert">
              {error}
            </p>
          )}
          <button type="submit" className="primary" disabled={busy}>
            Join
          </button>
        </form>
      </div>
      <div className="panel" style={{ marginTop: 16 }}>
        <h2>Already joined on another computer?</h2>
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
            Resume code
            <input value={resume} onChange={(e) => setResume(e.target.value.toUpperCase())} maxLength={RESUME_CODE_LENGTH + 2} placeholder="ABCDE-FGHJK" autoComplete="off" spellCheck={false} required data-testid="resume-code-input" />
          </label>
          {resumeError && (
            <p className={css.alert} role="alert">
              {resumeError}
            </p>
          )}
          <button type="submit" disabled={busy}>
            Continue here
          </button>
        </form>
      </div>
    </div>
  );
}

function Joined({ state, offsetMs, justJoined, onLeft }: { state: StudentState; offsetMs: number; justJoined: boolean; onLeft: () => void }) {
  const now = useNow(offsetMs);
  const drill = state.room.drill && state.room.drill.untilMs > now ? state.room.drill : null;
  const [error, setError] = useState<string>();
  return (
    <div className={`${css.narrow} ${css.joined}`} data-testid="joined">
      <div className="panel">
        <h1>
          {justJoined ? "You're in" : "Welcome back"}, {state.student.name}
        </h1>
        <p>
          Class <strong>{state.room.name}</strong> (code {state.room.code}). Your teacher sees your progress as you pass each lesson&apos;s checks.
        </p>
        <div className={css.resumeBox}>
          <p className={css.hint}>Your resume code: keep it to continue on another computer.</p>
          <p className={css.resumeCode} data-testid="resume-code">
            {formatResumeCode(state.student.resumeCode)}
          </p>
        </div>
        <p style={{ marginTop: 14 }}>
          <Link href="/playground">
            Start: open the playground →
          </Link>
        </p>
      </div>
      {drill && (
        <div className={`panel ${css.drillOn}`} role="status" data-testid="drill-banner">
          <strong>⚡ Fault drill: {drill.title}</strong>
          <span className={css.countdown}>{countdownText(drill.untilMs - now)} left</span>
          <span className={css.hint}>Your calls and messages meet this fault now; watch your diagram.</span>
        </div>
      )}
      {state.room.messages.length > 0 && (
        <div className="panel">
          <h2>From your teacher</h2>
          <ul className={css.messages} data-testid="class-messages">
            {state.room.messages
              .slice()
              .reverse()
              .map((m) => (
                <li key={m.id}>
                  {new Date(m.atMs).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })} — {m.text}
                </li>
              ))}
          </ul>
        </div>
      )}
      <TryReport />
      <div>
        <button
          type="button"
          onClick={async () => {
            if (!window.confirm("Leave the class on this computer? You can come back with your resume code.")) return;
            try {
              await classApi.leave();
              onLeft();
            } catch (err) {
              setError((err as Error).message);
            }
          }}
        >
          Leave on this computer
        </button>
        {error && (
          <p className={css.alert} role="alert">
            {error}
          </p>
        )}
      </div>
    </div>
  );
}

/** Reports one check by hand, through the same helper lessons use (for trying the classroom out). */
function TryReport() {
  const [lesson, setLesson] = useState("01-first-call");
  const [step, setStep] = useState(1);
  const [passed, setPassed] = useState(true);
  const [outcome, setOutcome] = useState<ReportOutcome>();
  return (
    <details className="panel">
      <summary>Try it: report a lesson check by hand</summary>
      <form
        className={css.inline}
        onSubmit={async (e) => {
          e.preventDefault();
          setOutcome(await reportProgress({ lesson, step: step - 1, passed }));
        }}
      >
        <label className={css.inline}>
          Lesson
          <input value={lesson} onChange={(e) => setLesson(e.target.value)} style={{ width: 150 }} data-testid="try-lesson" />
        </label>
        <label className={css.inline}>
          Step
          <input type="number" min={1} value={step} onChange={(e) => setStep(Number(e.target.value))} style={{ width: 64 }} data-testid="try-step" />
        </label>
        <label className={css.inline}>
          <input type="checkbox" checked={passed} onChange={(e) => setPassed(e.target.checked)} /> passed
        </label>
        <button type="submit">Report</button>
      </form>
      {outcome && (
        <p className={outcome.status === "saved" ? css.ok : css.alert} role="status" data-testid="try-outcome">
          {outcome.status === "saved" ? "Saved: your teacher sees it." : `${outcome.status}: ${"reason" in outcome ? outcome.reason : ""}`}
        </p>
      )}
    </details>
  );
}
