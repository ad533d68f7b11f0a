import { z } from "zod";

/**
 * Every setting of the lab, read from the environment in this one place.
 * Durations are in milliseconds and named `...Ms`; sizes in bytes.
 */
export const configSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  GRPC_PORT: z.coerce.number().int().min(0).max(65535).default(3001),
  MQTT_PORT: z.coerce.number().int().min(0).max(65535).default(1883),
  HOST: z.string().min(1).default("127.0.0.1"),
  /** `mqtt://host:port` runs the lab on an external broker instead of aedes. */
  MQTT_URL: z
    .string()
    .regex(/^(mqtt|tcp|ws):\/\/[^\s/]+(:\d+)?\/?$/, "must look like mqtt://host:1883")
    .optional(),
  /** Largest request body or MQTT payload the services accept (default 64 KiB). */
  MAX_BODY_BYTES: z.coerce.number().int().min(1024).max(16 * 1024 * 1024).default(64 * 1024),
  /** "off" turns the trace off (for the overhead benchmark). */
  TRACE: z.enum(["on", "off"]).default("on"),
  /** Events kept per session for late subscribers. */
  TRACE_BUFFER_EVENTS: z.coerce.number().int().min(100).max(100_000).default(5000),
  /** A session idle this long is forgotten (default 6 h). */
  SESSION_IDLE_MS: z.coerce.number().int().min(10_000).default(6 * 60 * 60 * 1000),
  NODE_ENV: z.enum(["development", "production", "test"]).default("production"),
  /** The teacher's token for /teach and /rest/teach/* (at least 16 characters); unset: generated once and kept in DATA_DIR/teacher-token. */
  TEACHER_TOKEN: z
    .string()
    .regex(/^[\x21-\x7e]{16,200}$/, "must be 16–200 printable characters without spaces (e.g. `openssl rand -base64 24`)")
    .optional(),
  /** Where the classroom store lives (rooms, students, progress): default ./data, a fresh temporary directory under NODE_ENV=test. */
  DATA_DIR: z.string().min(1).optional(),
  /** The address students open (`https://lab.school.example`), for join links and the QR code; default: the teacher page's own origin. */
  PUBLIC_URL: z
    .string()
    .regex(/^https?:\/\/[^\s/]+(\/[^\s]*)?$/, "must look like https://lab.example.org")
    .transform((u) => u.replace(/\/+$/, ""))
    .optional(),
  /** Password of the lab's internal MQTT user (`wirelab-internal`) on an external broker (MQTT_URL). */
  MQTT_PASSWORD: z.string().min(1).optional(),
  /** Lab calls one student may make per second (burst: twice as many at once). */
  STUDENT_CALLS_PER_SECOND: z.coerce.number().int().min(1).max(100_000).default(100),
  /**
   * Refused calls held at once across the lab: a refusal is answered when the
   * student's window opens again, which holds that connection's next request
   * (server/classroom/refusal-holds.ts); past this, refusals are answered at
   * once and their connections closed.
   */
  HELD_REFUSALS_MAX: z.coerce.number().int().min(0).max(100_000).default(2_000),
  /** Refused calls of one student held at once (the rest: answered at once, connection closed). */
  HELD_REFUSALS_PER_STUDENT: z.coerce.number().int().min(0).max(10_000).default(32),
  /**
   * The fastest load run (MeasureService.StartRun, generator "server") a
   * student in a room may ask for, in calls per second: an open-model run
   * over it is refused, a closed-model one is paced to it. A run's calls
   * count against the student's STUDENT_CALLS_PER_SECOND like any other, so
   * this stays at or under it; unset, half of it (50/s), leaving the rest to
   * the student's page.
   */
  STUDENT_RUN_RATE_PER_SECOND: z.coerce.number().int().min(1).max(100_000).optional(),
  /** Students one room takes. */
  ROOM_MAX_STUDENTS: z.coerce.number().int().min(1).max(10_000).default(300),
});

export type LabConfig = Omit<z.infer<typeof configSchema>, "STUDENT_RUN_RATE_PER_SECOND"> & { STUDENT_RUN_RATE_PER_SECOND: number };

/**
 * A setting that cannot be used. `message` is one line naming the variable
 * and how to fix it, for start-up to print before exiting.
 */
export class ConfigError extends Error {}

/** Reads and validates the lab's settings; throws ConfigError naming the first bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): LabConfig {
  const picked = Object.fromEntries(
    Object.keys(configSchema.shape).map((k) => [k, env[k] === "" ? undefined : env[k]]),
  );
  const parsed = configSchema.safeParse(picked);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const name = String(issue.path[0]);
    throw new ConfigError(
      `wirelab: invalid ${name}=${JSON.stringify(env[name])}: ${issue.message}. Set ${name} to a valid value or unset it to use the default.`,
    );
  }
  const cfg = { ...parsed.data, STUDENT_RUN_RATE_PER_SECOND: parsed.data.STUDENT_RUN_RATE_PER_SECOND ?? Math.max(1, Math.floor(parsed.data.STUDENT_CALLS_PER_SECOND / 2)) };
  if (cfg.STUDENT_RUN_RATE_PER_SECOND > cfg.STUDENT_CALLS_PER_SECOND) {
    throw new ConfigError(
      `wirelab: STUDENT_RUN_RATE_PER_SECOND=${cfg.STUDENT_RUN_RATE_PER_SECOND} is over STUDENT_CALLS_PER_SECOND=${cfg.STUDENT_CALLS_PER_SECOND}: a load run's calls count against the student's calls, so the rest would be refused. Lower it or raise STUDENT_CALLS_PER_SECOND.`,
    );
  }
  const ports = [["PORT", cfg.PORT], ["GRPC_PORT", cfg.GRPC_PORT], ...(cfg.MQTT_URL ? [] : [["MQTT_PORT", cfg.MQTT_PORT]])] as const;
  for (let i = 0; i < ports.length; i++) {
    for (let j = i + 1; j < ports.length; j++) {
      if (ports[i][1] !== 0 && ports[i][1] === ports[j][1]) {
        throw new ConfigError(
          `wirelab: ${ports[i][0]} and ${ports[j][0]} are both ${ports[i][1]}: give each its own port.`,
        );
      }
    }
  }
  return cfg;
}
