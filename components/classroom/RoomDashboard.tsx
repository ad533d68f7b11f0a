"use client";

import { useEffect, useMemo, useState } from "react";
import { formatResumeCode, ROOM_LIMITS, stepLabel, type StudentRow } from "@/lib/classroom/contract";
import { agoText, countdownText, rosterOrder, type DashboardState } from "@/lib/classroom/dashboard-model";
import { currentStep, passedSteps, stepSummary } from "@/lib/classroom/summary";
import { FAULT_PRESETS } from "@/lib/faults/catalog";
import type { Locale } from "@/lib/lessons/types";
import { textIn, type TextVars } from "@/lib/lessons/ui-text";
import { teachApi } from "./api";
import { QrCode } from "./QrCode";
import { useDashboardFeed, useNow } from "./use-dashboard-feed";
import { teachText, type TeachTextKey } from "./teach-text";
import { withNodes } from "./with-nodes";
import css from "./classroom.module.css";

/** Checks shown per student before "+N more". */
const CHIPS_SHOWN = 8;

type Say = (key: TeachTextKey, vars?: TextVars) => string;

/** One room's live dashboard: code and QR, drill, messages, the class's progress and the roster. */
export function RoomDashboard({ roomId, onClosed, locale = "en" }: { roomId: string; onClosed: () => void; locale?: Locale }) {
  const t: Say = textIn(teachText, locale);
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

  if (!state) return <p className="muted">{t(connected ? "loadingRoom" : "connecting")}</p>;
  const { room } = state;
  const act = (p: Promise<unknown>) => p.then(() => setError(undefined), (err: Error) => setError(err.message));
  const online = [...state.presence.values()].filter((p) => p.online && state.students.has(p.id)).length;

  return (
    <div data-testid="room-dashboard">
      {projector && (
        <div className={css.projector} role="dialog" aria-label={t("joinCodeDialog", { code: room.code })}>
          <button type="button" onClick={() => setProjector(false)}>
            {t("closeEsc")}
          </button>
          <p className={css.codeLabel}>{t("joinAt", { room: room.name })}</p>
          <p className={css.joinUrl}>{room.joinUrl.replace(/\?code=.*$/, "")}</p>
          <p className={css.code}>{room.code}</p>
          <QrCode text={room.joinUrl} size={Math.min(420, typeof window === "undefined" ? 420 : window.innerHeight * 0.42)} label={t("qrFor", { url: room.joinUrl })} />
        </div>
      )}
      <div className={css.head}>
        <section className={`panel ${css.joinCard}`} aria-label={t("joinCode")}>
          <div className={css.qr}>
            <QrCode text={room.joinUrl} size={148} label={t("qrFor", { url: room.joinUrl })} />
          </div>
          <p className={css.codeLabel}>{t("roomJoinCode", { room: room.name })}</p>
          <p className={css.code} data-testid="room-code">
            {room.code}
          </p>
          <p className={css.joinUrl}>{room.joinUrl}</p>
          <div className={css.counts}>
            <span data-testid="room-counts">
              {withNodes(t("counts"), { students: <strong>{state.students.size}</strong>, online: <strong>{online}</strong> })}
            </span>
            {room.closedAtMs ? <span className="badge bad">{t("closedBadge")}</span> : null}
            <span className={`dot ${connected ? "live" : ""}`} title={t(connected ? "live" : "reconnecting")} aria-label={t(connected ? "live" : "reconnecting")} />
            <button type="button" className={css.small} onClick={() => setProjector(true)} disabled={room.closedAtMs > 0}>
              {t("projector")}
            </button>
          </div>
        </section>
        <section className={`panel ${css.actions}`} aria-label={t("roomActions")}>
          <DrillControl roomId={room.id} drill={room.drill} now={now} closed={room.closedAtMs > 0} act={act} t={t} locale={locale} />
          <Broadcast roomId={room.id} messages={room.messages} closed={room.closedAtMs > 0} act={act} t={t} />
          <div className={css.inline}>
            <a href={teachApi.csvUrl(room.id)} download>
              {t("exportCsv")}
            </a>
            {!room.closedAtMs && (
              <button
                type="button"
                className={css.small}
                onClick={() => {
                  if (window.confirm(t("closeRoomConfirm", { room: room.name }))) void act(teachApi.closeRoom(room.id).then(onClosed));
                }}
              >
                {t("closeRoom")}
              </button>
            )}
          </div>
          {error && (
            <p className={css.alert} role="alert" lang="en">
              {error}
            </p>
          )}
        </section>
      </div>
      <div className={css.columns}>
        <section className="panel" aria-label={t("students")}>
          <h2>{t("students")}</h2>
          <Roster state={state} now={now} act={act} t={t} locale={locale} />
        </section>
        <section className="panel" aria-label={t("classProgress")}>
          <h2>{t("classProgress")}</h2>
          <ClassSummary rows={[...state.students.values()]} t={t} locale={locale} />
        </section>
      </div>
    </div>
  );
}

function DrillControl({
  roomId,
  drill,
  now,
  closed,
  act,
  t,
  locale,
}: {
  roomId: string;
  drill: DashboardState["room"]["drill"];
  now: number;
  closed: boolean;
  act: (p: Promise<unknown>) => Promise<void>;
  t: Say;
  locale: Locale;
}) {
  const [preset, setPreset] = useState("broker-outage");
  const [minutes, setMinutes] = useState(2);
  const running = drill && drill.untilMs > now ? drill : null;
  return (
    <div>
      <h2>{t("drillTitle")}</h2>
      {running ? (
        <div className={css.drillOn} role="status" data-testid="drill-status">
          <strong lang="en">⚡ {running.title}</strong>
          <span className={css.countdown}>{t("left", { time: countdownText(running.untilMs - now) })}</span>
          <button type="button" className={css.small} onClick={() => void act(teachApi.liftDrill(roomId))}>
            {t("liftNow")}
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
            {t("faultPreset")}
          </label>
          <select id="drill-preset" value={preset} onChange={(e) => setPreset(e.target.value)} disabled={closed}>
            {FAULT_PRESETS.map((p) => (
              <option key={p.id} value={p.id}>
                {p.title[locale].replace(/\s*[(（].*[)）]$/, "")}
              </option>
            ))}
          </select>
          <label className={css.inline}>
            {t("forMinutes")}
            <input
              type="number"
              min={1}
              max={ROOM_LIMITS.drillMinutesMax}
              value={minutes}
              onChange={(e) => setMinutes(Number(e.target.value))}
              style={{ width: 64 }}
              aria-label={t("minutes")}
              disabled={closed}
            />
            {t("min")}
          </label>
          <button type="submit" disabled={closed}>
            {t("startDrill")}
          </button>
        </form>
      )}
    </div>
  );
}

function Broadcast({ roomId, messages, closed, act, t }: { roomId: string; messages: DashboardState["room"]["messages"]; closed: boolean; act: (p: Promise<unknown>) => Promise<void>; t: Say }) {
  const [text, setText] = useState("");
  return (
    <div>
      <h2>{t("messageTitle")}</h2>
      <form
        className={css.inline}
        onSubmit={(e) => {
          e.preventDefault();
          if (text.trim()) void act(teachApi.broadcast(roomId, text.trim()).then(() => setText("")));
        }}
      >
        <label className="sr-only" htmlFor="broadcast">
          {t("message")}
        </label>
        <input id="broadcast" value={text} onChange={(e) => setText(e.target.value)} maxLength={ROOM_LIMITS.messageChars} placeholder={t("messagePlaceholder")} style={{ flex: 1 }} disabled={closed} />
        <button type="submit" disabled={closed || text.trim() === ""}>
          {t("send")}
        </button>
      </form>
      {messages.length > 0 && (
        <ul className={css.messages} aria-label={t("sentMessages")}>
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

function ClassSummary({ rows, t, locale }: { rows: StudentRow[]; t: Say; locale: Locale }) {
  const summary = useMemo(() => stepSummary(rows), [rows]);
  if (summary.length === 0) return <p className={css.empty}>{t("noProgress")}</p>;
  return (
    <ul className={css.summary} data-testid="class-summary">
      {summary.map((s) => (
        <li key={`${s.lesson}/${s.step}`}>
          <span>
            <span className={css.lessonName}>{s.lesson}</span> {stepLabel(s.step, locale)}
          </span>
          <span>{withNodes(t("ofPassed"), { passed: <strong>{s.passed}</strong>, total: s.total })}</span>
          <span className={css.meter} aria-hidden="true">
            <span style={{ width: `${s.total ? (100 * s.passed) / s.total : 0}%` }} />
          </span>
        </li>
      ))}
    </ul>
  );
}

function Roster({ state, now, act, t, locale }: { state: DashboardState; now: number; act: (p: Promise<unknown>) => Promise<void>; t: Say; locale: Locale }) {
  const [shownResume, setShownResume] = useState<string>();
  const rows = rosterOrder(state);
  if (rows.length === 0) return <p className={css.empty}>{t("noOneYet")}</p>;
  return (
    <table className={css.roster} data-testid="roster">
      <thead>
        <tr>
          <th scope="col">{t("student")}</th>
          <th scope="col">{t("status")}</th>
          <th scope="col">{t("lessonAndStep")}</th>
          <th scope="col">{t("checksPassed")}</th>
          <th scope="col">
            <span className="sr-only">{t("actions")}</span>
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
                {row.leftAtMs ? <span className="muted">{t("leftClass")}</span> : null}
              </td>
              <td className={css.status}>
                <span className={`dot ${p?.online ? "live" : ""}`} aria-hidden="true" />
                {t(p?.online ? "online" : "offline")}
                <div className="muted">{p?.lastActivityMs ? t("active", { ago: agoText(p.lastActivityMs, now, locale) }) : t("noActivity")}</div>
              </td>
              <td className={css.where}>
                {where ? (
                  <>
                    <span className={css.lessonName}>{where.lesson}</span>
                    {stepLabel(where.step, locale)} {where.lastPassed ? <span className={css.ok}>{t("passedMark")}</span> : <span className="muted">{t("notYet")}</span>}
                  </>
                ) : (
                  <span className="muted">{t("notStarted")}</span>
                )}
              </td>
              <td>
                <div className={css.chips} aria-label={t("nChecksPassed", { n: passed.length })}>
                  {passed.slice(-CHIPS_SHOWN).map((c) => (
                    <span key={`${c.lesson}/${c.step}`} className={`${css.chip} ${c.lastPassed ? "" : css.failing}`} title={`${c.lesson} ${stepLabel(c.step, locale)}${c.lastPassed ? "" : t("failingAgain")}`}>
                      {c.lesson.replace(/-.*/, "")}·{typeof c.step === "number" ? c.step + 1 : c.step}
                    </span>
                  ))}
                  {passed.length > CHIPS_SHOWN && <span className="muted">{t("more", { n: passed.length - CHIPS_SHOWN })}</span>}
                  {passed.length === 0 && <span className="muted">—</span>}
                </div>
              </td>
              <td>
                <div className={css.rowActions}>
                  <button
                    type="button"
                    className={css.small}
                    onClick={() => {
                      if (window.confirm(t("resetConfirm", { name: row.name }))) {
                        void act(teachApi.resetStudent(state.room.id, row.id));
                      }
                    }}
                  >
                    {t("resetSandbox")}
                  </button>
                  <button type="button" className={css.small} onClick={() => setShownResume(shownResume === row.id ? undefined : row.id)} aria-expanded={shownResume === row.id}>
                    {shownResume === row.id ? <span className={css.resume}>{formatResumeCode(row.resumeCode)}</span> : t("resumeCode")}
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
