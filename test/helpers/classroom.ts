import type { RoomInfo, StudentRow, StudentState, PresenceInfo, ProgressReport } from "../../lib/classroom/contract";

export interface ApiAnswer<T = unknown> {
  status: number;
  body: T;
  headers: Headers;
}

async function call<T>(url: string, init: RequestInit): Promise<ApiAnswer<T>> {
  const res = await fetch(url, init);
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // CSV and the like stay text.
  }
  return { status: res.status, body: body as T, headers: res.headers };
}

/** The teacher's API with a bearer token (what /teach does with its cookie). */
export function teacherApi(baseUrl: string, token: string) {
  const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };
  const req = <T>(method: string, path: string, body?: unknown) =>
    call<T>(`${baseUrl}/rest/teach${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  return {
    createRoom: (name: string) => req<RoomInfo>("POST", "/rooms", { name }),
    rooms: () => req<{ rooms: RoomInfo[] }>("GET", "/rooms"),
    room: (id: string) => req<{ room: RoomInfo; students: StudentRow[]; presence: PresenceInfo[] }>("GET", `/rooms/${id}`),
    drill: (id: string, preset: string, minutes: number) => req<RoomInfo>("PUT", `/rooms/${id}/drill`, { preset, minutes }),
    lift: (id: string) => req<RoomInfo>("DELETE", `/rooms/${id}/drill`),
    message: (id: string, text: string) => req<RoomInfo>("POST", `/rooms/${id}/messages`, { text }),
    close: (id: string) => req<RoomInfo>("POST", `/rooms/${id}/close`),
    reset: (id: string, student: string) => req<{ reset: boolean }>("POST", `/rooms/${id}/students/${student}/reset`),
    csv: (id: string) => req<string>("GET", `/rooms/${id}/progress.csv`),
    metrics: (reset = false) =>
      req<{ eventLoopDelayMs: { p50: number; p99: number; max: number }; store: { writeP99Ms: number; writeMaxMs: number; syncs: number } }>("GET", `/metrics${reset ? "?reset=1" : ""}`),
    headers,
  };
}

export type JoinAnswer = StudentState & { session: string };

/** A student's side: join (a fresh session comes back), then calls in that session. */
export function studentApi(baseUrl: string, session?: string) {
  const headers = (): Record<string, string> => ({ "content-type": "application/json", ...(session ? { "x-lab-session": session } : {}) });
  const api = {
    async join(code: string, name: string) {
      const r = await call<JoinAnswer>(`${baseUrl}/rest/class/join`, { method: "POST", headers: headers(), body: JSON.stringify({ code, name }) });
      if (r.status === 200) session = r.body.session;
      return r;
    },
    async resume(resumeCode: string) {
      const r = await call<JoinAnswer>(`${baseUrl}/rest/class/resume`, { method: "POST", headers: headers(), body: JSON.stringify({ resumeCode }) });
      if (r.status === 200) session = r.body.session;
      return r;
    },
    leave: () => call(`${baseUrl}/rest/class/leave`, { method: "POST", headers: headers() }),
    me: () => call<StudentState>(`${baseUrl}/rest/class/me`, { headers: headers() }),
    report: (reports: ProgressReport | ProgressReport[]) =>
      call<{ saved: number }>(`${baseUrl}/rest/class/progress`, { method: "POST", headers: headers(), body: JSON.stringify(Array.isArray(reports) ? { reports } : reports) }),
    headers,
    /** The session the student is in now (after a join or resume). */
    current: () => session,
  };
  return api;
}
