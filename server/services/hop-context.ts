import { createContextKey, type HandlerContext } from "@connectrpc/connect";
import { Code, ConnectError } from "@connectrpc/connect";
import type { Mode } from "../../lib/gen/lab/v1/trace_pb";
import type { Sandbox } from "../sandbox/sandbox";

/**
 * What a handler knows about the hop that reached it, whatever the mode:
 * the caller's session and sandbox, and the span the hop belongs to, so
 * downstream hops can name it as their parent.
 */
export interface Hop {
  session: string;
  sandbox: Sandbox;
  spanId: string;
  /** The participant that called (e.g. "Browser", "Gateway", "curl"). */
  from: string;
  /** How the hop arrived (REST, Connect, gRPC-web, gRPC, MQTT), for fault targets. */
  mode?: Mode;
  /** The service instance the request addressed (/instance/<n>/…), for fault targets. */
  instance?: number;
  /** RPC code and message once the handler finished, for the trace. */
  result?: { code: string; message: string };
}

/** The context key under which every transport hands handlers their Hop. */
export const kHop = createContextKey<Hop | undefined>(undefined, { description: "wirelab hop" });

/** The hop of a handler call; every transport sets one, so a missing hop is a bug. */
export function hopOf(ctx: HandlerContext): Hop {
  const hop = ctx.values.get(kHop);
  if (!hop) throw new ConnectError("request reached a handler without a lab session", Code.Internal);
  return hop;
}
