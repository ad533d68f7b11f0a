/**
 * The lab's load runner as a process of its own, for the measure bench's
 * tool comparison: `node --import tsx bench/runner-process.ts '<json>'`
 * with { http, grpc, session, load } runs one REST GetUser target with
 * lib/measure's executeRun and lib/client's Node client (the code a server
 * run's worker thread runs), then prints the TargetResult as protobuf JSON
 * on stdout. A process like the `autocannon` it is compared with: one Node
 * event loop with nothing else in it, so the two generators compete for
 * the machine's cores on the same terms.
 */
import { loadavg } from "node:os";
import { performance } from "node:perf_hooks";
import { create, toJsonString, type MessageInitShape } from "@bufbuild/protobuf";
import { clientOptionsFromDefences, createNodeLabClient } from "../lib/client/node";
import { defaultDefences } from "../lib/faults/catalog";
import { Generator, LoadShapeSchema, MeasureCall, RunConditionsSchema, RunConfigSchema, RunState, TargetResultSchema } from "../lib/gen/lab/v1/measure_pb";
import { clientOptionsFor, executeRun, normaliseRunConfig, runConfigProblems, targetFromKey } from "../lib/measure";
import { nodeWaitUntil } from "../server/measure/node-wait";

interface Args {
  http: number;
  grpc: number;
  session: string;
  load: MessageInitShape<typeof LoadShapeSchema>;
}

const args = JSON.parse(process.argv[2] ?? "{}") as Args;
const config = normaliseRunConfig(create(RunConfigSchema, { targets: [targetFromKey("rest")!], call: MeasureCall.GET_USER, generator: Generator.SERVER, load: args.load }), () => 1n);
const problems = runConfigProblems(config);
if (problems.length) throw new Error(problems.map((p) => p.message).join("; "));
const final = await executeRun(config, {
  runId: "bench",
  createClient: (t) =>
    createNodeLabClient({ baseUrl: `http://127.0.0.1:${args.http}`, grpcUrl: `http://127.0.0.1:${args.grpc}`, session: args.session, participant: "Load generator", ...clientOptionsFromDefences(defaultDefences()), ...clientOptionsFor(t) }),
  now: () => performance.now(),
  waitUntil: nodeWaitUntil,
  cpuMs: () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  },
  conditions: create(RunConditionsSchema),
  loadAverage: () => loadavg()[0],
  emit: () => {},
  signal: new AbortController().signal,
});
if (final.state !== RunState.DONE) throw new Error(`lab run ended ${RunState[final.state]}: ${final.error}`);
process.stdout.write(toJsonString(TargetResultSchema, final.targets[0]));
process.exit(0);
