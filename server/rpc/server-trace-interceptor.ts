import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";
import { EventKind } from "../../lib/gen/lab/v1/trace_pb";
import { codeName } from "../../lib/rpc/codes";
import { kExchange, kInvalidBody } from "./context-keys";
import type { TraceHub } from "../trace/trace-hub";

/**
 * Server side of every RPC, in every protocol: refuses a request whose
 * body was found not to be the method's input (invalid_argument), records the handler's
 * outcome code on the exchange, and one STREAM_MESSAGE event per message
 * of a server stream, so the diagram shows the stream's messages under
 * their call.
 */
export function serverTraceInterceptor(hub: TraceHub): Interceptor {
  return (next) => async (req) => {
    const invalid = req.contextValues.get(kInvalidBody);
    if (invalid !== undefined) {
      const exchange = req.contextValues.get(kExchange);
      if (exchange) {
        exchange.code = "invalid_argument";
        exchange.message = invalid;
      }
      throw new ConnectError(invalid, Code.InvalidArgument);
    }
    const found = req.contextValues.get(kExchange);
    if (!found) return next(req);
    const exchange = found;
    try {
      const res = await next(req);
      if (!res.stream) {
        exchange.code = "ok";
        return res;
      }
      const p = exchange.parties;
      const source = res.message;
      async function* traced() {
        let index = 0;
        try {
          for await (const message of source) {
            hub.emit({
              session: p.session,
              spanId: p.spanId,
              parentSpanId: p.parentSpanId,
              from: p.to,
              to: p.from,
              observer: p.to,
              mode: p.mode,
              kind: EventKind.STREAM_MESSAGE,
              streamIndex: index,
              summary: `${req.method.name} #${index + 1}`,
              rpc: { service: req.service.typeName, method: req.method.name, messageType: req.method.output.typeName },
            });
            index++;
            yield message;
          }
          exchange.code = "ok";
        } catch (err) {
          const ce = ConnectError.from(err);
          exchange.code = codeName(ce.code);
          exchange.message = ce.rawMessage;
          throw err;
        }
      }
      return { ...res, message: traced() };
    } catch (err) {
      const ce = ConnectError.from(err);
      exchange.code = codeName(ce.code);
      exchange.message = ce.rawMessage;
      throw err;
    }
  };
}
