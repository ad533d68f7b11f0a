import { toJson } from "@bufbuild/protobuf";
import { OrderSchema } from "../gen/lab/v1/order_pb";
import { UserSchema } from "../gen/lab/v1/user_pb";
import type { CallResult } from "./types";

/** A JSON body pretty-printed; anything else as it came. */
export function prettyBody(body: string): string {
  try {
    return JSON.stringify(JSON.parse(body), null, 2);
  } catch {
    return body;
  }
}

/** A call's value as JSON (protobuf messages by their JSON mapping, where int64 is a string). */
export function showValue(value: unknown): string {
  const show = (x: unknown): unknown => {
    if (Array.isArray(x)) return x.map(show);
    if (x && typeof x === "object" && "$typeName" in x) {
      const t = (x as { $typeName: string }).$typeName;
      if (t === UserSchema.typeName) return toJson(UserSchema, x as never);
      if (t === OrderSchema.typeName) return toJson(OrderSchema, x as never);
    }
    return x;
  };
  return JSON.stringify(show(value), null, 2);
}

/**
 * A call's answer as a page shows it: REST's body as it came over the wire
 * (`"id": 123`, seed 1's shape), the other modes' messages by protobuf's
 * JSON mapping (`"id": "123"`, as Connect's JSON codec would send it).
 */
export function showAnswer(result: Pick<CallResult<unknown>, "value" | "responseText">): string {
  return result.responseText !== undefined && result.responseText !== "" ? prettyBody(result.responseText) : showValue(result.value);
}
