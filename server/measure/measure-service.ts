import { availableParallelism, loadavg } from "node:os";
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError, type ServiceImpl } from "@connectrpc/connect";
import { clientOptionsFromDefences } from "../../lib/client";
import { Generator, LoadModel, RunConditionsSchema, RunConfigSchema, type MeasureService } from "../../lib/gen/lab/v1/measure_pb";
import { normaliseRunConfig, runConfigProblems } from "../../lib/measure/limits";
import type { Sandboxes } from "../sandbox/sandbox";
import { hopOf } from "../services/hop-context";
import { ServerRuns, workerExecutor, type RunExecutor } from "./runs";
import type { RunPace } from "./worker-protocol";

export interface MeasureServiceDeps {
  /** The lab's own ports; runs reach nothing else. */
  ports: { http: number; grpc: number; mqtt: number };
  /** The broker the lab's services use (mqtt://127.0.0.1:<port> for the embedded one, or MQTT_URL). */
  mqttUrl: string;
  sandboxes: Sandboxes;
  /** Registers cleanup for when the lab closes. */
  onClose: (close: () => void) => void;
  /** Tests: a different executor or a lower server-wide cap. */
  executor?: RunExecutor;
  maxConcurrentRuns?: number;
  /** A per-student limit on starting runs (the classroom's), as a ready Connect error, or undefined to go ahead. */
  admitRun?: (session: string) => ConnectError | undefined;
  /** The fastest run the session may ask for (a student in a room: STUDENT_RUN_RATE_PER_SECOND), or undefined for no limit but MEASURE_LIMITS'. */
  runPace?: (session: string) => RunPace | undefined;
}

/**
 * MeasureService: load runs from inside the lab (service → service). A run
 * is checked against MEASURE_LIMITS here, whatever the page checked, and
 * reaches only the lab's own ports on loopback with the caller's session,
 * so the session's faults and defences apply to it like to any caller.
 */
export function createMeasureService(deps: MeasureServiceDeps): ServiceImpl<typeof MeasureService> {
  const runs = new ServerRuns(deps.executor ?? workerExecutor, deps.maxConcurrentRuns);
  deps.onClose(() => runs.close());
  return {
    async *startRun(req, ctx) {
      const hop = hopOf(ctx);
      const config = normaliseRunConfig(req.config ?? create(RunConfigSchema));
      if (config.generator === Generator.BROWSER) {
        throw new ConnectError("a browser run runs in the page (its Web Worker), not on the server: ask for generator SERVER here", Code.InvalidArgument);
      }
      const problems = runConfigProblems(config);
      if (problems.length > 0) throw new ConnectError(problems.map((p) => p.message).join("; "), Code.InvalidArgument);
      // A student in a room shares the machine with the class: their run's rate has a ceiling of its own.
      const pace = deps.runPace?.(hop.session);
      const load = config.load!;
      if (pace && load.model === LoadModel.OPEN && load.ratePerSecond > pace.perSecond) {
        throw new ConnectError(
          `load.ratePerSecond ${load.ratePerSecond.toLocaleString("en-US")}/s is over the classroom's limit of ${pace.perSecond.toLocaleString("en-US")}/s per student (${pace.limit}): a room's students share one lab, and a run's calls count against the student's calls`,
          Code.ResourceExhausted,
        );
      }
      const refused = deps.admitRun?.(hop.session);
      if (refused) throw refused;
      const box = hopOf(ctx).sandbox;
      const conditions = create(RunConditionsSchema, {
        faults: box.faults.list(),
        defences: box.defences,
        generatorHost: `lab server · Node ${process.version} · a worker thread of the lab's process`,
        serverAddress: "127.0.0.1 (loopback)",
        cpuCores: availableParallelism(),
        loadBefore: loadavg()[0],
      });
      const run = runs.open(hop.session, {
        session: hop.session,
        config,
        conditions,
        endpoints: {
          baseUrl: `http://127.0.0.1:${deps.ports.http}`,
          grpcUrl: `http://127.0.0.1:${deps.ports.grpc}`,
          mqttUrl: deps.mqttUrl,
        },
        clientOptions: clientOptionsFromDefences(box.defences),
        pace,
      });
      // The caller went away (closed the stream, the page unloaded): the run stops too.
      const onAbort = () => run.cancel();
      ctx.signal.addEventListener("abort", onAbort, { once: true });
      try {
        for await (const update of run.updates) yield { update };
      } finally {
        ctx.signal.removeEventListener("abort", onAbort);
        run.cancel();
      }
    },

    cancelRun(req, ctx) {
      return { cancelled: runs.cancel(hopOf(ctx).session, req.runId) };
    },
  };
}
