"use client";

import { useEffect, useState } from "react";
import type { StudentState } from "@/lib/classroom/contract";
import { classApi } from "./api";

const REOPEN_MS = 3_000;

/**
 * A student's own classroom state, live: null when this browser is not
 * in a room, undefined until known. Holding the stream open is what makes
 * the student "online" on the teacher's dashboard. `resetAtMs` changes
 * when the teacher reset the student's sandbox.
 */
export function useStudentFeed(generation = 0) {
  const [state, setState] = useState<StudentState | null>();
  const [resetAtMs, setResetAtMs] = useState(0);
  /** Server clock minus this one, for countdowns. */
  const [offsetMs, setOffsetMs] = useState(0);

  useEffect(() => {
    let source: EventSource | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    const take = (s: StudentState) => {
      setState(s);
      setOffsetMs(s.serverNowMs - Date.now());
    };
    const check = () =>
      classApi.me().then(
        (s) => {
          if (stopped) return;
          if (s === null) return setState(null);
          take(s);
          open();
        },
        (err: { status?: number }) => {
          if (stopped) return;
          if (err.status === 404 || err.status === 409) setState(null);
          else timer = setTimeout(check, REOPEN_MS);
        },
      );
    const open = () => {
      source = new EventSource(classApi.eventsUrl);
      source.addEventListener("state", (e) => take(JSON.parse((e as MessageEvent<string>).data) as StudentState));
      source.addEventListener("reset", (e) => setResetAtMs((JSON.parse((e as MessageEvent<string>).data) as { atMs: number }).atMs));
      source.addEventListener("left", () => {
        source?.close();
        setState(null);
      });
      source.onerror = () => {
        // Refused (no longer in a room, the lab restarting): find out where we stand, then reopen.
        if (source?.readyState === EventSource.CLOSED && !stopped) timer = setTimeout(check, REOPEN_MS);
      };
    };
    void check();
    return () => {
      stopped = true;
      clearTimeout(timer);
      source?.close();
    };
  }, [generation]);

  return { state, resetAtMs, offsetMs };
}
