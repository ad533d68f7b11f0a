"use client";

import { useCallback, useEffect, useRef, useState } from "react";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { ConnectError, createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";
import { clientOptionsFromDefences } from "@/lib/client";
import { Generator, MeasureService, RunConditionsSchema, RunConfigSchema, RunState, RunUpdateSchema, type RunConfig, type RunUpdate } from "@/lib/gen/lab/v1/measure_pb";
import type { Locale } from "@/lib/lessons/types";
import { applyUpdate, isFinished, measureText, normaliseRunConfig, runConfigProblems, type RunView, type SerializationResult } from "@/lib/measure";
import { labService } from "@/components/trace/lab-connection";
import type { PageToWorker, WorkerToPage } from "./worker-protocol";

/** The page's MeasureService client: Connect on the same origin, so the session cookie names the session. */
export const measureRpc = createClient(MeasureService, createConnectTransport({ baseUrl: "/rpc", useBinaryFormat: true }));

function newWorker(): Worker {
  return new Worker(new URL("./browser-worker.ts", import.meta.url), { type: "module", name: "wirelab-measure" });
}

/** How a runner reports: each update, and how to stop the run. */
interface RunSink {
  apply: (u: RunUpdate) => void;
  setStop: (stop: () => void) => void;
}

/** A server run: MeasureService.StartRun's stream; stopping cancels by id and then closes the stream (either alone stops it). */
async function runOnServer(config: RunConfig, sink: RunSink): Promise<void> {
  const abort = new AbortController();
  let runId = "";
  let last: RunUpdate | undefined;
  sink.setStop(() => {
    void measureRpc.cancelRun({ runId }).catch(() => undefined);
    setTimeout(() => abort.abort(), 1500);
  });
  try {
    for await (const res of measureRpc.startRun({ config }, { signal: abort.signal })) {
      const u = res.update!;
      runId ||= u.runId;
      last = u;
      sink.apply(u);
    }
  } catch (err) {
    if (!(abort.signal.aborted && last)) throw err;
    sink.apply(create(RunUpdateSchema, { runId, state: RunState.CANCELLED }));
  }
}

/** A browser run: the same runner in a Web Worker of this page, under the session's faults and defences. */
async function runInBrowser(config: RunConfig, session: string, sink: RunSink, locale: Locale): Promise<void> {
  const [faults, defences] = await Promise.all([labService.listFaults({}), labService.getDefences({})]);
  const conditions = create(RunConditionsSchema, {
    faults: faults.rules,
    defences: defences.defences,
    generatorHost: `browser · ${navigator.userAgent.match(/(Firefox|Chrome|Safari)\/\d+/)?.[0] ?? "this browser"} · a Web Worker of this page`,
    serverAddress: `${window.location.origin} (this page's server)`,
    cpuMethod: "time the runner spent in its own code in the Web Worker (scheduling, sending, recording); browsers expose no CPU time, and their network work happens outside the worker",
    cpuCores: navigator.hardwareConcurrency || 0,
  });
  const worker = newWorker();
  const runId = `browser${Date.now().toString(36)}`;
  await new Promise<void>((resolve, reject) => {
    let cancelTimer: ReturnType<typeof setTimeout> | undefined;
    const end = () => {
      clearTimeout(cancelTimer);
      worker.terminate();
      resolve();
    };
    sink.setStop(() => {
      worker.postMessage({ type: "cancel" } satisfies PageToWorker);
      // A worker that does not answer in time is stopped with whatever it holds.
      cancelTimer = setTimeout(() => {
        sink.apply(create(RunUpdateSchema, { runId, state: RunState.CANCELLED }));
        end();
      }, 2000);
    });
    worker.onmessage = (e: MessageEvent<WorkerToPage>) => {
      const m = e.data;
      if (m.type === "update") sink.apply(fromBinary(RunUpdateSchema, m.update));
      else if (m.type === "done") {
        sink.apply(fromBinary(RunUpdateSchema, m.update));
        end();
      } else if (m.type === "error") {
        worker.terminate();
        reject(new Error(m.message));
      }
    };
    worker.onerror = (e) => {
      worker.terminate();
      reject(new Error(measureText("workerFailed", locale, { error: e.message })));
    };
    const wsUrl = `${window.location.protocol === "https:" ? "wss" : "ws"}://${window.location.host}/mqtt`;
    worker.postMessage({
      type: "start",
      runId,
      session,
      config: toBinary(RunConfigSchema, config),
      conditions: toBinary(RunConditionsSchema, conditions),
      baseUrl: "",
      mqttUrl: wsUrl,
      clientOptions: defences.defences ? clientOptionsFromDefences(defences.defences) : {},
    } satisfies PageToWorker);
  });
}

/**
 * Starts, follows and cancels one run at a time — on the server
 * (MeasureService.StartRun's stream) or in this page (a Web Worker) — and
 * folds its updates into a RunView. Updates arrive about four times a
 * second either way. Its own error messages are in `locale`; the server's
 * come as sent.
 */
export function useMeasureRun(session: string | undefined, locale: Locale = "en") {
  const [view, setView] = useState<RunView>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const stop = useRef<(() => void) | undefined>(undefined);

  useEffect(() => () => stop.current?.(), []);

  const start = useCallback(
    async (given: RunConfig) => {
      if (stop.current) return;
      const config = normaliseRunConfig(given);
      const problems = runConfigProblems(config);
      if (problems.length > 0) {
        setError(problems.map((p) => p.message).join("; "));
        return;
      }
      setError(undefined);
      setBusy(true);
      setView(undefined);
      stop.current = () => undefined;
      const sink: RunSink = { apply: (u) => setView((v) => applyUpdate(v, u)), setStop: (s) => (stop.current = s) };
      try {
        if (config.generator === Generator.SERVER) await runOnServer(config, sink);
        else if (session) await runInBrowser(config, session, sink, locale);
        else throw new Error(measureText("noSession", locale));
      } catch (err) {
        const e = ConnectError.from(err);
        setError(e.rawMessage || e.message);
      } finally {
        stop.current = undefined;
        setBusy(false);
      }
    },
    [session, locale],
  );

  const cancel = useCallback(() => stop.current?.(), []);
  const running = busy && (!view || !isFinished(view.state));
  return { view, error, running, start, cancel };
}

/** Runs the serialization micro-benchmark of a configuration's message in a Web Worker of its own. */
export function runSerializationBench(config: RunConfig, budgetMs = 200): Promise<SerializationResult> {
  const worker = newWorker();
  return new Promise<SerializationResult>((resolve, reject) => {
    worker.onmessage = (e: MessageEvent<WorkerToPage>) => {
      const m = e.data;
      worker.terminate();
      if (m.type === "serialization") resolve(m.result);
      else reject(new Error(m.type === "error" ? m.message : "unexpected answer from the benchmark worker"));
    };
    worker.onerror = (e) => {
      worker.terminate();
      reject(new Error(e.message));
    };
    worker.postMessage({ type: "serialization", config: toBinary(RunConfigSchema, normaliseRunConfig(config)), budgetMs } satisfies PageToWorker);
  });
}
