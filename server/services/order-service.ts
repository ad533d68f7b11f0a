import { create, toBinary } from "@bufbuild/protobuf";
import { Code, ConnectError, type ServiceImpl } from "@connectrpc/connect";
import { OrderCreatedSchema, OrderSchema, type OrderService } from "../../lib/gen/lab/v1/order_pb";
import type { Sandbox } from "../sandbox/sandbox";
import { hopOf } from "./hop-context";

/** Largest quantity one order may ask for. */
export const ORDER_MAX_QUANTITY = 100;

/** How a service hands an event to the broker. */
export interface EventPublisher {
  /**
   * Publishes the session's OrderCreated and resolves once the broker has
   * taken it: for QoS 1 when the PUBACK arrives (MQTT 3.1.1 §4.3.2), the
   * analogue of Kafka's `acks=all` publisher confirmation (seed 2).
   */
  publish(box: Sandbox, payload: Uint8Array, parentSpanId: string): Promise<void>;
}

/**
 * Seed 1's order service: CreateOrder answers at once with an accepted
 * order and publishes OrderCreated for the inventory and notification
 * consumers; it never waits for them.
 */
export function createOrderService(publisher: EventPublisher): ServiceImpl<typeof OrderService> {
  let nextOrder = 1;
  return {
    async createOrder(req, ctx) {
      const hop = hopOf(ctx);
      const box = hop.sandbox;
      if (!box.users.has(req.userId)) throw new ConnectError(`user ${req.userId} not found`, Code.NotFound);
      if (!box.stock.has(req.sku)) {
        throw new ConnectError(`unknown sku ${JSON.stringify(req.sku)}; try one of ${[...box.stock.keys()].join(", ")}`, Code.InvalidArgument);
      }
      if (req.quantity < 1 || req.quantity > ORDER_MAX_QUANTITY) {
        throw new ConnectError(`quantity must be between 1 and ${ORDER_MAX_QUANTITY}`, Code.InvalidArgument);
      }
      const order = create(OrderSchema, {
        id: `ord-${(nextOrder++).toString().padStart(5, "0")}`,
        userId: req.userId,
        sku: req.sku,
        quantity: req.quantity,
        status: "accepted",
        createdAtUnixMs: BigInt(Date.now()),
      });
      box.orders.set(order.id, order);
      box.counters.ordersAccepted++;
      const event = create(OrderCreatedSchema, { messageId: `msg-${order.id}`, order });
      try {
        await publisher.publish(box, toBinary(OrderCreatedSchema, event), hop.spanId);
      } catch (err) {
        throw new ConnectError(`order ${order.id} accepted but its event could not be published: ${String(err)}`, Code.Unavailable);
      }
      return { order };
    },
  };
}
