import { fromBinary, fromJsonString } from "@bufbuild/protobuf";
import { OrderCreatedSchema, type OrderCreated } from "../../lib/gen/lab/v1/order_pb";

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
