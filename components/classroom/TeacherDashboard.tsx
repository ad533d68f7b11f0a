"use client";

import { useCallback, useEffect, useState } from "react";
import type { RoomInfo } from "@/lib/classroom/contract";
import { ROOM_LIMITS } from "@/lib/classroom/contract";
import { LanguageSwitch, useLocaleState } from "@/components/lessons/LanguageSwitch";
import type { Locale } from "@/lib/lessons/types";
import { textIn } from "@/lib/lessons/ui-text";
import { ClassApiError, teachApi } from "./api";
import { RoomDashboard } from "./RoomDashboard";
import { teachText } from "./teach-text";
import { withNodes } from "./with-nodes";
import css from "./classroom.module.css";

const SELECTED_KEY = "wirelab.teach.room";

/**
 * /teach: the teacher's token, then rooms and the selected room's live
 * dashboard. The token is sent once and exchanged for an HttpOnly cookie;
 * every teacher API refuses a browser without it.
 */
export function TeacherDashboard({ initialLocale = "en" }: { initialLocale?: Locale }) {
  const [locale, setLocale] = useLocaleState(initialLocale);
  const [auth, setAuth] = useState<"checking" | "out" | "in">("checking");
  const [token, setToken] = useState("");
  const [error, setError] = useState<string>();
  const [rooms, setRooms] = useState<RoomInfo[]>([]);
  const [selected, setSelected] = useState<string>();
  const [newName, setNewName] = useState("");
  const [busy, setBusy] = useState(false);

  const loadRooms = useCallback(
    () =>
      teachApi.rooms().then(
        ({ rooms }) => {
          setRooms(rooms);
          setSelected((s) => {
            const kept = s ?? (typeof localStorage === "undefined" ? null : localStorage.getItem(SELECTED_KEY));
            if (kept && rooms.some((r) => r.id === kept)) return kept;
            return rooms.find((r) => !r.closedAtMs)?.id ?? rooms[0]?.id;
          });
        },
        (err: unknown) => {
          if (err instanceof ClassApiError && err.status === 401) setAuth("out");
          else setError((err as Error).message);
        },
      ),
    [],
  );

  useEffect(() => {
    teachApi.me().then(
      () => setAuth("in"),
      () => setAuth("out"),
    );
  }, []);

  useEffect(() => {
    if (auth !== "in") return;
    void loadRooms();
    // The list's counts refresh now and then; the selected room is live.
    const timer = setInterval(() => void loadRooms(), 15_000);
    return () => clearInterval(timer);
  }, [auth, loadRooms]);

  useEffect(() => {
    if (selected) localStorage.setItem(SELECTED_KEY, selected);
  }, [selected]);

  const t = textIn(teachText, locale);
  const languageSwitch = <LanguageSwitch locale={locale} onChange={setLocale} />;

  async function login(e: React.FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await teachApi.login(token.trim());
      setToken("");
      setAuth("in");
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  }

  async function createRoom(e: React.FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const room = await teachApi.createRoom(newName.trim() || t("defaultRoomName", { date: new Date().toLocaleDateString(locale) }));
      setNewName("");
      setRooms((rs) => [room, ...rs]);
      setSelected(room.id);
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  }

  if (auth === "checking") return <p className="muted">{t("checking")}</p>;

  if (auth === "out") {
    return (
      <div className={`panel ${css.narrow}`} lang={locale}>
        <div className={css.bar}>
          <h1>{t("dashboard")}</h1>
          <div className={css.right}>{languageSwitch}</div>
        </div>
        <form className={css.form} onSubmit={login}>
          <label>
            {t("token")}
            <input
              type="password"
              autoComplete="current-password"
              value={token}
              onChange={(e) => setToken(e.target.value)}
              aria-invalid={error ? true : undefined}
              aria-describedby="token-help"
              data-testid="teacher-token"
              required
            />
          </label>
          <p id="token-help" className={css.hint}>
            {withNodes(t("tokenHelp"), { env: <code>TEACHER_TOKEN</code> })}
          </p>
          {error && (
            <p className={css.alert} role="alert" lang="en">
              {error}
            </p>
          )}
          <button type="submit" className="primary" disabled={busy || token.trim() === ""}>
            {t("open")}
          </button>
        </form>
      </div>
    );
  }

  return (
    <div lang={locale}>
      <div className={css.bar}>
        <h1>{t("classroom")}</h1>
        <div className={css.roomTabs} role="group" aria-label={t("rooms")}>
          {rooms.map((r) => (
            <button key={r.id} type="button" className={css.roomTab} aria-pressed={r.id === selected} onClick={() => setSelected(r.id)}>
              {r.name} <span className={css.closed}>{r.closedAtMs ? t("closed") : r.code}</span>
            </button>
          ))}
        </div>
        <form className={css.inline} onSubmit={createRoom}>
          <label className="sr-only" htmlFor="new-room">
            {t("newRoomName")}
          </label>
          <input id="new-room" placeholder={t("newRoomPlaceholder")} value={newName} maxLength={ROOM_LIMITS.roomNameChars} onChange={(e) => setNewName(e.target.value)} />
          <button type="submit" disabled={busy}>
            {t("createRoom")}
          </button>
        </form>
        <div className={css.right}>
          {languageSwitch}
          <button
            type="button"
            className={css.small}
            onClick={async () => {
              await teachApi.logout().catch(() => undefined);
              setAuth("out");
            }}
          >
            {t("logOut")}
          </button>
        </div>
      </div>
      {error && (
        <p className={css.alert} role="alert" lang="en">
          {error}
        </p>
      )}
      {selected ? (
        <RoomDashboard key={selected} roomId={selected} onClosed={loadRooms} locale={locale} />
      ) : (
        <div className="panel">
          <p className={css.empty}>{t("noRooms")}</p>
        </div>
      )}
    </div>
  );
}
