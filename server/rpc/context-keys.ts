import { createContextKey } from "@connectrpc/connect";
import type { HttpExchange } from "../http/http-tap";

/** The traced HTTP exchange an RPC arrived on (absent when the trace is off). */
export const kExchange = createContextKey<HttpExchange | undefined>(undefined, { description: "wirelab exchange" });

/**
 * Set by a caller inside the lab on an outgoing call: the session and the
 * span that caused the call, so the downstream hop joins the same trace.
 */
export interface CallOrigin {
  session: string;
  parentSpanId: string;
}

export const kCallOrigin = createContextKey<CallOrigin | undefined>(undefined, { description: "wirelab call origin" });

/** Set when the request body is not the method's input: the interceptor answers invalid_argument. */
export const kInvalidBody = createContextKey<string | undefined>(undefined, { description: "wirelab invalid body" });
