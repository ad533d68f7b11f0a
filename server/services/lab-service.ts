import type { ServiceImpl } from "@connectrpc/connect";
import type { LabService } from "../../lib/gen/lab/v1/lab_pb";
import { sessionPrefix } from "../../lib/topics";
import type { TraceBatch, TraceHub } from "../trace/trace-hub";
import { hopOf } from "./hop-context";

export interface LabServiceDeps {
  hub: TraceHub;
  ports: () => { http: number; grpc: number; mqtt: number };
  mqttUrl: string | undefined;
}

/** A keep-alive batch is sent this often on an idle trace stream, so proxies keep it open. */
const STREAM_HEARTBEAT_MS = 15_000;

/** The lab itself: the caller's session, its trace stream and its sandbox. */
export function createLabService(deps: LabServiceDeps): ServiceImpl<typeof LabService> {
  return {
    getSession(_req, ctx) {
      const hop = hopOf(ctx);
      const ports = deps.ports();
      return {
        session: hop.session,
        topicPrefix: sessionPrefix(hop.session),
        httpPort: ports.http,
        grpcPort: ports.grpc,
        mqttPort: ports.mqtt,
        embeddedBroker: deps.mqttUrl === undefined,
        mqttUrl: deps.mqttUrl ?? "",
      };
    },

    async *streamTrace(req, ctx) {
      const hop = hopOf(ctx);
      const queue: TraceBatch[] = [];
      let wake: (() => void) | undefined;
      const unsubscribe = deps.hub.subscribe(
        hop.session,
        (batch) => {
          queue.push(batch);
          wake?.();
        },
        { replay: req.replay, afterSeq: req.afterSeq },
      );
      const onAbort = () => wake?.();
      ctx.signal.addEventListener("abort", onAbort);
      try {
        while (!ctx.signal.aborted) {
          const batch = queue.shift();
          if (batch) {
            yield { events: batch.events, dropped: BigInt(batch.dropped) };
            continue;
          }
          const idle = await new Promise<boolean>((resolve) => {
            const t = setTimeout(() => resolve(true), STREAM_HEARTBEAT_MS);
            wake = () => {
              clearTimeout(t);
              resolve(false);
            };
          });
          wake = undefined;
          if (idle && !ctx.signal.aborted) yield { events: [], dropped: 0n };
        }
      } finally {
        ctx.signal.removeEventListener("abort", onAbort);
        unsubscribe();
      }
    },

    getCounters(_req, ctx) {
      const box = hopOf(ctx).sandbox;
      return {
        ordersAccepted: BigInt(box.counters.ordersAccepted),
        inventoryDecrements: BigInt(box.counters.inventoryDecrements),
        notificationsSent: BigInt(box.counters.notificationsSent),
        deadLettered: BigInt(box.counters.deadLettered),
        stock: Object.fromEntries([...box.stock].map(([k, v]) => [k, BigInt(v)])),
      };
    },

    resetSandbox(_req, ctx) {
      const hop = hopOf(ctx);
      hop.sandbox.reset();
      deps.hub.clear(hop.session);
      return {};
    },
  };
}
