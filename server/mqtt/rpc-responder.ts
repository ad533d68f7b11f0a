import { create, fromBinary, fromJsonString, toBinary, toJsonString, type DescMethod, type DescService } from "@bufbuild/protobuf";
import { ConnectError, createContextValues, createHandlerContext, type ServiceImpl } from "@connectrpc/connect";
import type { MqttClient } from "mqtt";
import { codeName } from "../../lib/rpc/codes";
import { newSpanId } from "../../lib/trace";
import { parseTopic, rpcReplyTopic, TOPIC_ROOT } from "../../lib/topics";
import type { Sandboxes } from "../sandbox/sandbox";
import { kHop } from "../services/hop-context";
import { FaultKind } from "../../lib/gen/lab/v1/fault_pb";
import { Mode } from "../../lib/gen/lab/v1/trace_pb";
import { reportFault, runWithServiceFaults } from "../faults/rpc-faults";
import type { TraceHub } from "../trace/trace-hub";
import { publishAsync, subscribeAsync } from "./lab-client";

/**
 * Request/reply over MQTT 3.1.1 (which has no response topic): a request
 * published on `lab/<s>/rpc/<service>/<Method>/<correlation>` is answered
 * on `lab/<s>/reply/<service>/<Method>/<correlation>`, in the request's
 * encoding (a payload starting with "{" is protobuf JSON, else binary).
 * A failure is published on `<reply topic>/error` as
 * `{"code":"not_found","message":"…"}`; a server stream sends one message
 * per reply and an empty `<reply topic>/end` when it is done.
 */
export async function startRpcResponder(
  client: MqttClient,
  service: DescService,
  impl: ServiceImpl<DescService>,
  deps: {
    sandboxes: Sandboxes;
    maxPayloadBytes: number;
    hub: TraceHub;
    /** A refusal's message when the session may not call now (a student's rate limit), else undefined. */
    admit?: (session: string) => string | undefined;
  },
): Promise<void> {
  const methods = new Map<string, DescMethod>(service.methods.map((m) => [m.name, m]));
  client.on("message", (topic, payload, packet) => {
    // Replies go at the request's QoS, so a QoS 0 exchange stays QoS 0.
    const qos = packet.qos;
    const parsed = parseTopic(topic);
    // An optional sixth level carries an Idempotency-Key (MQTT 3.1.1 has no user properties).
    if (!parsed || parsed.rest[0] !== "rpc" || parsed.rest[1] !== service.typeName || parsed.rest.length < 4 || parsed.rest.length > 5) return;
    const [, , methodName, correlation, idempotencyKey] = parsed.rest;
    const session = parsed.session;
    const replyTopic = rpcReplyTopic(session, service.typeName, methodName, correlation);
    const fail = (err: unknown) => {
      const ce = ConnectError.from(err);
      const body = JSON.stringify({ code: codeName(ce.code), message: ce.rawMessage });
      return publishAsync(client, `${replyTopic}/error`, body, qos).catch(() => {});
    };
    const method = methods.get(methodName);
    if (!method) {
      void fail(new ConnectError(`${service.typeName} has no method ${methodName}`, 12 /* unimplemented */));
      return;
    }
    void respond(method, session, payload, replyTopic, qos, idempotencyKey).catch(fail);
  });

  async function respond(method: DescMethod, session: string, payload: Buffer, replyTopic: string, qos: 0 | 1 | 2, idempotencyKey: string | undefined): Promise<void> {
    if (payload.length > deps.maxPayloadBytes) {
      throw new ConnectError(`request of ${payload.length} bytes is over the limit of ${deps.maxPayloadBytes} bytes`, 8 /* resource_exhausted */);
    }
    const refused = deps.admit?.(session);
    if (refused) throw new ConnectError(refused, 8 /* resource_exhausted */);
    const json = payload.length > 0 && payload[0] === 0x7b;
    let request;
    try {
      request = json ? fromJsonString(method.input, payload.toString("utf8")) : fromBinary(method.input, payload);
    } catch (err) {
      throw new ConnectError(`request is not a valid ${method.input.typeName}: ${(err as Error).message}`, 3 /* invalid_argument */);
    }
    const sandbox = deps.sandboxes.get(session);
    const hop = { session, sandbox, spanId: newSpanId(), from: "MQTT client", mode: Mode.MQTT };
    const ctx = createHandlerContext({
      service,
      method,
      protocolName: "mqtt",
      requestMethod: "PUBLISH",
      url: `mqtt://${TOPIC_ROOT}/${session}/rpc/${service.typeName}/${method.name}`,
      contextValues: createContextValues().set(kHop, hop),
    });
    sandbox.counters.requestsReceived++;
    const faultOptions = {
      hub: deps.hub,
      sandbox,
      hop,
      mode: Mode.MQTT,
      service: service.typeName,
      method: method.name,
      unary: method.methodKind === "unary",
      signal: ctx.signal,
      idempotencyKey,
    };
    // The handler ran, the reply is never published: a lost response.
    const lost = () => {
      const rule = sandbox.faults.fire([FaultKind.LOST_RESPONSE], { site: "http", mode: Mode.MQTT, service: service.typeName, method: method.name });
      if (rule) reportFault(deps.hub, hop, service.typeName.split(".").pop()!, Mode.MQTT, rule, `${method.name} ran; its reply is never published`);
      return rule !== undefined;
    };
    const encode = (msg: unknown) =>
      json
        ? toJsonString(method.output, msg as never)
        : toBinary(method.output, msg as never);
    const fn = (impl as Record<string, (req: unknown, ctx: unknown) => unknown>)[method.localName];
    if (method.methodKind === "unary") {
      try {
        const res = await runWithServiceFaults(faultOptions, async () => fn(request, ctx));
        sandbox.counters.requestsSucceeded++;
        if (lost()) return;
        await publishAsync(client, replyTopic, encode(createOutput(method, res)), qos);
      } catch (err) {
        sandbox.counters.requestsFailed++;
        throw err;
      }
      return;
    }
    if (method.methodKind === "server_streaming") {
      const stream = await runWithServiceFaults(faultOptions, async () => fn(request, ctx) as AsyncIterable<unknown>);
      for await (const res of stream) {
        await publishAsync(client, replyTopic, encode(createOutput(method, res)), qos);
      }
      await publishAsync(client, `${replyTopic}/end`, "", qos);
      return;
    }
    throw new ConnectError(`${method.methodKind} is not offered over MQTT`, 12);
  }

  await subscribeAsync(client, `${TOPIC_ROOT}/+/rpc/${service.typeName}/#`, 2);
}

function createOutput(method: DescMethod, init: unknown) {
  return create(method.output, init as never);
}
