"use client";

import { useEffect, useState } from "react";
import type { DashboardEvent } from "@/lib/classroom/contract";
import { applyDashboardEvent, type DashboardState } from "@/lib/classroom/dashboard-model";
import { teachApi } from "./api";

/** Pause before reopening a feed the server refused or dropped for good, in ms. */
const REOPEN_MS = 3_000;
const EVENT_TYPES: DashboardEvent["type"][] = ["snapshot", "room", "students", "presence"];

/**
 * A room's live dashboard: opens the server-sent event feed, folds its
 * events into the dashboard state, and reopens it after a break (the
 * browser's EventSource retries a dropped connection itself; after a
 * refusal — the lab restarting — this reopens it). Each (re)open starts
 * with a fresh snapshot, so nothing is missed across a restart.
 */
export function useDashboardFeed(roomId: string | undefined) {
  const [state, setState] = useState<DashboardState>();
  const [connected, setConnected] = useState(false);

  useEffect(() => {
    if (!roomId) return;
    let source: EventSource | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    const open = () => {
      source = new EventSource(teachApi.eventsUrl(roomId));
      source.onopen = () => setConnected(true);
      source.onerror = () => {
        setConnected(false);
        if (source?.readyState === EventSource.CLOSED && !stopped) timer = setTimeout(open, REOPEN_MS);
      };
      for (const type of EVENT_TYPES) {
        source.addEventListener(type, (e) => {
          const event = JSON.parse((e as MessageEvent<string>).data) as DashboardEvent;
          setState((s) => applyDashboardEvent(s, event));
        });
      }
    };
    open();
    return () => {
      stopped = true;
      clearTimeout(timer);
      source?.close();
      setState(undefined);
    };
  }, [roomId]);

  return { state, connected };
}

/** The current time, ticking once a second (for "2 min ago" and countdowns). */
export function useNow(offsetMs = 0): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 1_000);
    return () => clearInterval(t);
  }, []);
  return now + offsetMs;
}
