import { create } from "@bufbuild/protobuf";
import type { ServiceImpl } from "@connectrpc/connect";
import { DefencesSchema, OutcomeCountersSchema, type OutcomeCounters } from "../../lib/gen/lab/v1/fault_pb";
import type { LabService } from "../../lib/gen/lab/v1/lab_pb";
import { sessionPrefix } from "../../lib/topics";
import { validateDefences, validateRules } from "../faults/validate";
import type { Sandbox } from "../sandbox/sandbox";
import type { TraceHub } from "../trace/trace-hub";
import { hopOf } from "./hop-context";
import { createLabTraceMethods } from "./lab-trace";

export interface LabServiceDeps {
  hub: TraceHub;
  ports: () => { http: number; grpc: number; mqtt: number };
  mqttUrl: string | undefined;
  /** Called after a session's defences changed (its MQTT clients reconnect with them). */
  onDefences?: (box: Sandbox) => void;
}

/** A session's outcome counters, with what is derived from the sandbox. */
export function outcomeCounters(box: Sandbox): OutcomeCounters {
  const c = box.counters;
  let twice = 0;
  for (const n of box.decrementsByOrder.values()) if (n > 1) twice++;
  const big = (n: number) => BigInt(Math.max(0, n));
  return create(OutcomeCountersSchema, {
    requestsReceived: big(c.requestsReceived),
    requestsSucceeded: big(c.requestsSucceeded),
    requestsFailed: big(c.requestsFailed),
    requestsRetried: big(c.requestsRetried),
    idempotentReplays: big(c.idempotentReplays),
    messagesPublished: big(c.messagesPublished),
    messagesDelivered: big(c.messagesDelivered),
    messagesDuplicated: big(c.messagesDuplicated),
    messagesLost: big(c.messagesLost),
    messagesDeadLettered: big(c.messagesDeadLettered),
    consumerBacklog: big(box.backlog),
    ordersAccepted: big(c.ordersAccepted),
    inventoryDecrements: big(c.inventoryDecrements),
    notificationsSent: big(c.notificationsSent),
    ordersAppliedTwice: big(twice),
    duplicatesSkipped: big(c.duplicatesSkipped),
    faultsApplied: big(c.faultsApplied),
    consumerCrashes: big(c.consumerCrashes),
    stock: Object.fromEntries([...box.stock].map(([k, v]) => [k, BigInt(v)])),
  });
}

/** The lab itself: the caller's session, its trace, its sandbox, faults and defences. */
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
        traceSeq: BigInt(deps.hub.lastSeq(hop.session)),
      };
    },

    ...createLabTraceMethods(deps.hub),

    getCounters(_req, ctx) {
      return { counters: outcomeCounters(hopOf(ctx).sandbox) };
    },

    resetSandbox(_req, ctx) {
      const hop = hopOf(ctx);
      hop.sandbox.reset();
      deps.hub.clear(hop.session);
      return {};
    },

    setFaults(req, ctx) {
      const box = hopOf(ctx).sandbox;
      box.faults.set(validateRules(req.rules));
      return { rules: box.faults.list() };
    },

    listFaults(_req, ctx) {
      return { rules: hopOf(ctx).sandbox.faults.list() };
    },

    clearFaults(_req, ctx) {
      hopOf(ctx).sandbox.faults.clear();
      return {};
    },

    getDefences(_req, ctx) {
      return { defences: hopOf(ctx).sandbox.defences };
    },

    setDefences(req, ctx) {
      const box = hopOf(ctx).sandbox;
      box.defences = validateDefences(req.defences ?? create(DefencesSchema));
      deps.onDefences?.(box);
      return { defences: box.defences };
    },
  };
}
