import type { IntervalHistogram } from "node:perf_hooks";
import type { LabConfig } from "../config";
import type { Sandboxes } from "../sandbox/sandbox";
import type { Classroom } from "./classroom";
import type { DashboardFeeds, StudentFeeds } from "./feeds";
import type { Presence } from "./presence";
import type { TokenBuckets } from "./rate-limit";
import type { DurableStore } from "./store";
import type { TeacherAuth } from "./teacher-auth";

/** The rate limits of the classroom, one set of buckets each (CLASS_RATE_LIMITS, STUDENT_CALLS_PER_SECOND). */
export interface ClassroomLimits {
  calls: TokenBuckets;
  runs: TokenBuckets;
  joins: TokenBuckets;
  failedJoins: TokenBuckets;
  progress: TokenBuckets;
  teacherLogins: TokenBuckets;
}

/** What the classroom's routes share (built once by mountClassroom). */
export interface ClassroomContext {
  cfg: LabConfig;
  sandboxes: Sandboxes;
  classroom: Classroom;
  presence: Presence;
  dashboards: DashboardFeeds;
  studentFeeds: StudentFeeds;
  limits: ClassroomLimits;
  auth: TeacherAuth;
  store: DurableStore;
  loopDelay: IntervalHistogram;
  dataDir: string;
  /** This instance's id. */
  origin: string;
}
