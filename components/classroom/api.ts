"use client";

import type { ClassErrorBody, RoomInfo, StudentState } from "@/lib/classroom/contract";

/** A refusal from the classroom API, with the server's message (it names the limit or the fix). */
export class ClassApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers: body === undefined ? {} : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "same-origin",
    });
  } catch (err) {
    throw new ClassApiError(0, "network_error", `the lab cannot be reached (${(err as Error).message})`);
  }
  if (res.status === 204) return null as T;
  const data = (await res.json().catch(() => ({}))) as T & Partial<ClassErrorBody>;
  if (!res.ok) throw new ClassApiError(res.status, data.error?.code ?? "unknown", data.error?.message ?? `HTTP ${res.status}`);
  return data;
}

/** The teacher's API; the login cookie rides along. */
export const teachApi = {
  login: (token: string) => request<{ ok: true }>("POST", "/rest/teach/login", { token }),
  logout: () => request<{ ok: true }>("POST", "/rest/teach/logout"),
  me: () => request<{ ok: true }>("GET", "/rest/teach/me"),
  rooms: () => request<{ rooms: RoomInfo[] }>("GET", "/rest/teach/rooms"),
  createRoom: (name: string) => request<RoomInfo>("POST", "/rest/teach/rooms", { name }),
  closeRoom: (id: string) => request<RoomInfo>("POST", `/rest/teach/rooms/${id}/close`),
  startDrill: (id: string, preset: string, minutes: number) => request<RoomInfo>("PUT", `/rest/teach/rooms/${id}/drill`, { preset, minutes }),
  liftDrill: (id: string) => request<RoomInfo>("DELETE", `/rest/teach/rooms/${id}/drill`),
  broadcast: (id: string, text: string) => request<RoomInfo>("POST", `/rest/teach/rooms/${id}/messages`, { text }),
  resetStudent: (id: string, student: string) => request<{ reset: true }>("POST", `/rest/teach/rooms/${id}/students/${student}/reset`),
  csvUrl: (id: string) => `/rest/teach/rooms/${id}/progress.csv`,
  eventsUrl: (id: string) => `/rest/teach/rooms/${id}/events`,
};

/** A student's API; the session cookie rides along (a join or resume sets it). */
export const classApi = {
  /** The student's state, or null when this browser is not in a room. */
  me: () => request<StudentState | null>("GET", "/rest/class/me"),
  join: (code: string, name: string) => request<StudentState>("POST", "/rest/class/join", { code, name }),
  resume: (resumeCode: string) => request<StudentState>("POST", "/rest/class/resume", { resumeCode }),
  leave: () => request<{ left: true }>("POST", "/rest/class/leave"),
  eventsUrl: "/rest/class/events",
};
