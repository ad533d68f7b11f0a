import { fromBinary, fromJsonString } from "@bufbuild/protobuf";
import type { MqttClient } from "mqtt";
import { OrderCreatedSchema, type OrderCreated } from "../../lib/gen/lab/v1/order_pb";
import { EventKind, Mode } from "../../lib/gen/lab/v1/trace_pb";
import { deadLetterTopic, sessionOfTopic, TOPIC_ROOT } from "../../lib/topics";
import type { Sandbox, Sandboxes } from "../sandbox/sandbox";
import type { TraceHub } from "../trace/trace-hub";
import { publishAsync, subscribeAsync } from "./lab-client";

/** Every session's order.created events, for the lab's consumers (MQTT 3.1.1 §4.7.1.2 "+" wildcard). */
export const ORDER_CREATED_FILTER = `${TOPIC_ROOT}/+/events/order.created`;

/**
 * Decodes an OrderCreated payload: protobuf binary as the order service
 * publishes it, or protobuf JSON as a learner may type it into
 * mosquitto_pub. Throws when it is neither.
 */
export function decodeOrderCreated(payload: Uint8Array): OrderCreated {
  const first = payload.find((b) => b !== 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09);
  const event =
    first === 0x7b /* "{" */
      ? fromJsonString(OrderCreatedSchema, Buffer.from(payload).toString("utf8"))
      : fromBinary(OrderCreatedSchema, payload);
  if (!event.order || event.order.id === "" || event.order.quantity <= 0) {
    throw new Error("OrderCreated without an order id and a positive quantity");
  }
  return event;
}

export interface ConsumerDeps {
  hub: TraceHub;
  sandboxes: Sandboxes;
}

interface ConsumerSpec {
  name: string;
  participant: string;
  apply(box: Sandbox, event: OrderCreated): string;
}

/** Seed 1's inventory service: one stock decrement per order. */
export const inventoryConsumer: ConsumerSpec = {
  name: "inventory",
  participant: "Inventory",
  apply(box, event) {
    const order = event.order!;
    const before = box.stock.get(order.sku) ?? 0;
    box.stock.set(order.sku, before - order.quantity);
    box.counters.inventoryDecrements++;
    return `stock ${order.sku} ${before}→${before - order.quantity}`;
  },
};

/** Seed 1's notification service: one message to the buyer per order. */
export const notificationConsumer: ConsumerSpec = {
  name: "notification",
  participant: "Notification",
  apply(box, event) {
    box.counters.notificationsSent++;
    return `notify user ${event.order!.userId} about ${event.order!.id}`;
  },
};

/**
 * Runs a consumer on its own MQTT client: subscribes at QoS 1 and applies
 * each event to its session's sandbox. A payload it cannot decode goes to
 * the consumer's dead-letter topic (seed 2: retry + DLQ, never crash).
 */
export async function startConsumer(client: MqttClient, spec: ConsumerSpec, deps: ConsumerDeps): Promise<void> {
  client.on("message", (topic, payload) => {
    const session = sessionOfTopic(topic);
    if (session === undefined || !topic.endsWith("/events/order.created")) return;
    // A session another lab instance serves (shared external broker) is not ours.
    if (!deps.sandboxes.has(session)) return;
    const box = deps.sandboxes.get(session);
    // What the consumer did, as a note on its own lifeline.
    const note = (kind: EventKind, summary: string, extra: { error?: string; mqtt?: { topic: string } } = {}) =>
      deps.hub.emit({ session, from: spec.participant, to: spec.participant, observer: spec.participant, mode: Mode.LOCAL, kind, summary, ...extra });
    try {
      note(EventKind.PROCESSED, spec.apply(box, decodeOrderCreated(payload)));
    } catch (err) {
      box.counters.deadLettered++;
      const dlq = deadLetterTopic(session, spec.name);
      note(EventKind.DEAD_LETTER, `undecodable event → ${dlq.slice(dlq.indexOf("/", 4) + 1)}`, { error: (err as Error).message, mqtt: { topic: dlq } });
      publishAsync(client, dlq, payload, 1).catch(() => {});
    }
  });
  await subscribeAsync(client, ORDER_CREATED_FILTER, 1);
}
