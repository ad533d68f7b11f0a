"use client";

import { useEffect, useMemo, useState } from "react";
import { formatResumeCode, ROOM_LIMITS, stepLabel, type StudentRow } from "@/lib/classroom/contract";
import { agoText, countdownText, rosterOrder, type DashboardState } from "@/lib/classroom/dashboard-model";
import { currentStep, passedSteps, stepSummary } from "@/lib/classroom/summary";
import { FAULT_PRESETS } from "@/lib/faults/catalog";
import { teachApi } from "./api";
import { QrCode } from "./QrCode";
import { useDashboardFeed, useNow } from "./use-dashboard-feed";
import css from "./classroom.module.css";

/** Checks shown per student before "+N more". */
const CHIPS_SHOWN = 8;

/** One room's live dashboard: code and QR, drill, messages, the class's progress and the roster. */
export function RoomDashboard({ roomId, onClosed }: { roomId: string; onClosed: () => void }) {
  const { state, connected } = useDashboardFeed(roomId);
  const now = useNow(state?.clockOffsetMs ?? 0);
  const [projector, setProjector] = useState(false);
  const [error, setError] = useState<string>();

  useEffect(() => {
    if (!projector) return;
    const onKey = (e: KeyboardEvent) => e.key === "Escape" && setProjector(false);
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [projector]);

  if (!state) return <p className="muted">{connected ? "Loading the room…" : "Connecting to the room's live feed…"}</p>;
  const { room } = state;
  const act = (p: Promise<unknown>) => p.then(() => setError(undefined), (err: Error) => setError(err.message));
  const online = [...state.presence.values()].filter((p) => p.online && state.students.has(p.id)).length;

  return (
    <div data-testid="room-dashboard">
      {projector && (
        <div className={css.projector} role="dialog" aria-label={`Join code ${room.code}`}>
          <button type="button" onClick={() => setProjector(false)}>
            Close (Esc)
          </button>
          <p className={css.codeLabel}>Join {room.name} at</p>
          <p className={css.joinUrl}>{room.joinUrl.replace(/\?code=.*$/, "")}</p>
          <p className={css.code}>{room.code}</p>
          <QrCode text={room.joinUrl} size={Math.min(420, typeof window === "undefined" ? 420 : window.innerHeight * 0.42)} label={`QR code for ${room.joinUrl}`} />
        </div>
      )}
      <div className={css.head}>
        <section className={`panel ${css.joinCard}`} aria-label="Join code">
          <div className={css.qr}>
            <QrCode text={room.joinUrl} size={148} label={`QR code for ${room.joinUrl}`} />
          </div>
          <p className={css.codeLabel}>{room.name} · join code</p>
          <p className={css.code} data-testid="room-code">
            {room.code}
          </p>
          <p className={css.joinUrl}>{room.joinUrl}</p>
          <div className={css.counts}>
            <span data-testid="room-counts">
              <strong>{state.students.size}</strong> students · <strong>{online}</strong> online
            </span>
            {room.closedAtMs ? <span className="badge bad">closed</span> : null}
            <span className={`dot ${connected ? "live" : ""}`} title={connected ? "live" : "reconnecting"} aria-label={connected ? "live" : "reconnecting"} />
            <button type="button" className={css.small} onClick={() => setProjector(true)} disabled={room.closedAtMs > 0}>
              Show on projector
            </button>
          </div>
        </section>
        <section className={`panel ${css.actions}`} aria-label="Room actions">
          <DrillControl roomId={room.id} drill={room.drill} now={now} closed={room.closedAtMs > 0} act={act} />
          <Broadcast roomId={room.id} messages={room.messages} closed={room.closedAtMs > 0} act={act} />
          <div className={css.inline}>
            <a href={teachApi.csvUrl(room.id)} download>
              Export progress (CSV)
            </a>
            {!room.closedAtMs && (
              <button
                type="button"
                className={css.small}
                onClick={() => {
                  if (window.confirm(`Close ${room.name}? Students can no longer join or report progress; their progress stays for export.`)) void act(teachApi.closeRoom(room.id).then(onClosed));
                }}
              >
                Close room
              </button>
            )}
          </div>
          {error && (
            <p className={css.alert} role="alert">
              {error}
            </p>
          )}
        </section>
      </div>
      <div className={css.columns}>
        <section className="panel" aria-label="Students">
          <h2>Students</h2>
          <Roster state={state} now={now} act={act} />
        </section>
        <section className="panel" aria-label="Class progress">
          <h2>Class progress</h2>
          <ClassSummary rows={[...state.students.values()]} />
        </section>
      </div>
    </div>
  );
}

function DrillControl({ roomId, drill, now, closed, act }: { roomId: string; drill: DashboardState["room"]["drill"]; now: number; closed: boolean; act: (p: Promise<unknown>) => Promise<void> }) {
  const [preset, setPreset] = useState("broker-outage");
  const [minutes, setMinutes] = useState(2);
  const running = drill && drill.untilMs > now ? drill : null;
  return (
    <div>
      <h2>Fault drill for the whole room</h2>
      {running ? (
        <div className={css.drillOn} role="status" data-testid="drill-status">
          <strong>⚡ {running.title}</strong>
          <span className={css.countdown}>{countdownText(running.untilMs - now)} left</span>
          <button type="button" className={css.small} onClick={() => void act(teachApi.liftDrill(roomId))}>
            Lift now
          </button>
        </div>
      ) : (
        <form
          className={css.inline}
          onSubmit={(e) => {
            e.preventDefault();
            void act(teachApi.startDrill(roomId, preset, minutes));
          }}
        >
          <label className="sr-only" htmlFor="drill-preset">
            Fault preset
          </label>
          <select id="drill-preset" value={preset} onChange={(e) => setPreset(e.target.value)} disabled={closed}>
            {FAULT_PRESETS.map((p) => (
              <option key={p.id} value={p.id}>
                {p.title.en.replace(/\s*\(.*\)$/, "")}
              </option>
            ))}
          </select>
          <label className={css.inline}>
            for
            <input
              type="number"
              min={1}
              max={ROOM_LIMITS.drillMinutesMax}
              value={minutes}
              onChange={(e) => setMinutes(Number(e.target.value))}
              style={{ width: 64 }}
              aria-label="Minutes"
              disabled={closed}
            />
            min
          </label>
          <button type="submit" disabled={closed}>
            Start drill
          </button>
        </form>
      )}
    </div>
  );
}

function Broadcast({ roomId, messages, closed, act }: { roomId: string; messages: DashboardState["room"]["messages"]; closed: boolean; act: (p: Promise<unknown>) => Promise<void> }) {
  const [text, setText] = useState("");
  return (
    <div>
      <h2>Message to the room</h2>
      <form
        className={css.inline}
        onSubmit={(e) => {
          e.preventDefault();
          if (text.trim()) void act(teachApi.broadcast(roomId, text.trim()).then(() => setText("")));
        }}
      >
        <label className="sr-only" htmlFor="broadcast">
          Message
        </label>
        <input id="broadcast" value={text} onChange={(e) => setText(e.target.value)} maxLength={ROOM_LIMITS.messageChars} placeholder="e.g. Open lesson 2 now" style={{ flex: 1 }} disabled={closed} />
        <button type="submit" disabled={closed || text.trim() === ""}>
          Send
        </button>
      </form>
      {messages.length > 0 && (
        <ul className={css.messages} aria-label="Sent messages">
          {messages
            .slice(-2)
            .reverse()
            .map((m) => (
              <li key={m.id}>
                {new Date(m.atMs).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })} — {m.text}
              </li>
            ))}
        </ul>
      )}
    </div>
  );
}

function ClassSummary({ rows }: { rows: StudentRow[] }) {
  const summary = useMemo(() => stepSummary(rows), [rows]);
  if (summary.length === 0) return <p className={css.empty}>No progress yet: it appears here as students pass their lessons&apos; checks.</p>;
  return (
    <ul className={css.summary} data-testid="class-summary">
      {summary.map((s) => (
        <li key={`${s.lesson}/${s.step}`}>
          <span>
            <span className={css.lessonName}>{s.lesson}</span> {stepLabel(s.step)}
          </span>
          <span>
            <strong>{s.passed}</strong> of {s.total} passed
          </span>
          <span className={css.meter} aria-hidden="true">
            <span style={{ width: `${s.total ? (100 * s.passed) / s.total : 0}%` }} />
          </span>
        </li>
      ))}
    </ul>
  );
}

function Roster({ state, now, act }: { state: DashboardState; now: number; act: (p: Promise<unknown>) => Promise<void> }) {
  const [shownResume, setShownResume] = useState<string>();
  const rows = rosterOrder(state);
  if (rows.length === 0) return <p className={css.empty}>No one has joined yet. Students open the join address and type the code.</p>;
  return (
    <table className={css.roster} data-testid="roster">
      <thead>
        <tr>
          <th scope="col">Student</th>
          <th scope="col">Status</th>
          <th scope="col">Lesson and step</th>
          <th scope="col">Checks passed</th>
          <th scope="col">
            <span className="sr-only">Actions</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => {
          const p = state.presence.get(row.id);
          const where = currentStep(row);
          const passed = passedSteps(row);
          return (
            <tr key={row.id} className={p?.online ? "" : css.offline} data-testid="roster-row">
              <td>
                <strong>{row.name}</strong>
                {row.leftAtMs ? <span className="muted"> (left)</span> : null}
              </td>
              <td className={css.status}>
                <span className={`dot ${p?.online ? "live" : ""}`} aria-hidden="true" />
                {p?.online ? "online" : "offline"}
                <div className="muted">{p?.lastActivityMs ? `active ${agoText(p.lastActivityMs, now)}` : "no activity yet"}</div>
              </td>
              <td className={css.where}>
                {where ? (
                  <>
                    <span className={css.lessonName}>{where.lesson}</span>
                    {stepLabel(where.step)} {where.lastPassed ? <span className={css.ok}>✓ passed</span> : <span className="muted">· not yet</span>}
                  </>
                ) : (
                  <span className="muted">not started</span>
                )}
              </td>
              <td>
                <div className={css.chips} aria-label={`${passed.length} checks passed`}>
                  {passed.slice(-CHIPS_SHOWN).map((c) => (
                    <span key={`${c.lesson}/${c.step}`} className={`${css.chip} ${c.lastPassed ? "" : css.failing}`} title={`${c.lesson} ${stepLabel(c.step)}${c.lastPassed ? "" : " (failing again now)"}`}>
                      {c.lesson.replace(/-.*/, "")}·{typeof c.step === "number" ? c.step + 1 : c.step}
                    </span>
                  ))}
                  {passed.length > CHIPS_SHOWN && <span className="muted">+{passed.length - CHIPS_SHOWN} more</span>}
                  {passed.length === 0 && <span className="muted">—</span>}
                </div>
              </td>
              <td>
                <div className={css.rowActions}>
                  <button
                    type="button"
                    className={css.small}
                    onClick={() => {
                      if (window.confirm(`Reset ${row.name}'s sandbox? Their data, counters, fault rules, defences and trace start afresh; their progress stays.`)) {
                        void act(teachApi.resetStudent(state.room.id, row.id));
                      }
                    }}
                  >
                    Reset sandbox
                  </button>
                  <button type="button" className={css.small} onClick={() => setShownResume(shownResume === row.id ? undefined : row.id)} aria-expanded={shownResume === row.id}>
                    {shownResume === row.id ? <span className={css.resume}>{formatResumeCode(row.resumeCode)}</span> : "Resume code"}
                  </button>
                </div>
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
