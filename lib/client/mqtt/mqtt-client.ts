import { create, fromBinary, toBinary, type DescMessage, type DescMethod } from "@bufbuild/protobuf";
import mqtt, { type MqttClient } from "mqtt";
import { EchoService, type EchoResponse } from "../../gen/lab/v1/measure_pb";
import { OrderService, type Order } from "../../gen/lab/v1/order_pb";
import { Mode } from "../../gen/lab/v1/trace_pb";
import { UserService, type User } from "../../gen/lab/v1/user_pb";
import { rpcRequestTopic, sessionPrefix } from "../../topics";
import { ClientCall } from "../client-trace";
import { attemptTimeoutMs } from "../defences";
import type { CallOptions, CallResult, LabClientOptions, ModeClient } from "../types";

interface Pending {
  onMessage: (payload: Uint8Array) => void;
  onEnd: () => void;
  onError: (code: string, message: string) => void;
}

/**
 * Request/reply over MQTT 3.1.1 with binary protobuf payloads: publish the
 * request at QoS 1 on the method's rpc topic with a correlation id, and
 * wait for the reply on the matching reply topic (see lib/topics.ts).
 * One connection for the client's lifetime (seed 2: reuse connections).
 * One request per call; retries are lib/client/defences.ts's.
 */
export function createMqttClient(opts: LabClientOptions): ModeClient {
  const pending = new Map<string, Pending>();
  let connection: Promise<MqttClient> | undefined;
  const prefix = sessionPrefix(opts.session);

  function connect(): Promise<MqttClient> {
    connection ??= new Promise<MqttClient>((resolve, reject) => {
      if (!opts.mqttUrl) return reject(new Error("no MQTT URL configured"));
      const client = mqtt.connect(opts.mqttUrl, {
        clientId: `wirelab-${opts.participant === undefined || opts.participant === "Browser" ? "browser" : "node"}-${Math.random().toString(36).slice(2, 10)}`,
        username: opts.session,
        protocolVersion: 4,
        reconnectPeriod: 1000,
        connectTimeout: 5000,
        // Once connected, a refused reconnect (CONNACK 3 while the session's
        // broker is down) is retried like a lost connection.
        reconnectOnConnackError: true,
      });
      client.on("message", (topic, payload) => {
        if (!topic.startsWith(`${prefix}reply/`)) return;
        const parts = topic.slice(prefix.length).split("/");
        const [, , , correlation, tail] = parts;
        const p = pending.get(correlation);
        if (!p) return;
        if (tail === "error") {
          const e = JSON.parse(new TextDecoder().decode(payload)) as { code: string; message: string };
          p.onError(e.code, e.message);
        } else if (tail === "end") p.onEnd();
        else p.onMessage(payload);
      });
      client.on("connect", () => (client.stream as { setNoDelay?: (v: boolean) => void } | undefined)?.setNoDelay?.(true));
      client.once("connect", () => {
        client.subscribe(`${prefix}reply/#`, { qos: opts.mqttQos ?? 1 }, (err) => (err ? reject(err) : resolve(client)));
      });
      client.once("error", (err) => {
        client.end(true);
        connection = undefined;
        reject(err);
      });
    });
    return connection;
  }

  function call<T>(
    method: DescMethod,
    request: Uint8Array,
    collect: (payloads: Uint8Array[]) => T,
    attempt: CallOptions,
  ): Promise<CallResult<T>> {
    // Over MQTT the caller never talks to the service directly: its own view
    // of the call (sent, answered after n ms) is a note on its lifeline,
    // and the broker's packets draw the real path. MQTT 3.1.1 has no
    // headers, so the attempt number and the span it retries are only in
    // these client events; the idempotency key rides in the topic.
    const c = new ClientCall(opts, Mode.MQTT, opts.participant ?? "Browser", method.name, attempt);
    const timeoutMs = attemptTimeoutMs(attempt);
    return new Promise<CallResult<T>>((resolve) => {
      let settled = false;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const settle = (result: () => CallResult<T>) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        pending.delete(c.spanId);
        try {
          resolve(result());
        } catch (err) {
          // A reply that does not decode (gRPC calls that INTERNAL).
          resolve(c.finish<T>(false, "internal", undefined, (err as Error).message));
        }
      };
      // The deadline covers connecting too; without one the caller waits
      // for the reply as long as it takes (forever, if it never comes).
      if (timeoutMs !== undefined) {
        timer = setTimeout(() => settle(() => c.finish<T>(false, "deadline_exceeded", undefined, `no reply within ${timeoutMs} ms`)), timeoutMs);
      }
      const unavailable = (err: Error) => settle(() => c.finish<T>(false, "unavailable", undefined, err.message));
      connect().then((client) => {
        if (settled) return;
        const payloads: Uint8Array[] = [];
        pending.set(c.spanId, {
          onMessage: (p) => {
            c.responseBytes += p.length;
            payloads.push(p);
            if (method.methodKind === "unary") settle(() => c.finish(true, "ok", collect(payloads)));
          },
          onEnd: () => settle(() => c.finish(true, "ok", collect(payloads))),
          onError: (code, message) => settle(() => c.finish<T>(false, code, undefined, message)),
        });
        c.sent(request.length);
        const topic = rpcRequestTopic(opts.session, method.parent.typeName, method.name, c.spanId, attempt.idempotencyKey);
        client.publish(topic, Buffer.from(request), { qos: opts.mqttQos ?? 1 }, (err) => {
          if (err) unavailable(err);
        });
      }, unavailable);
    });
  }

  const decode = <M extends DescMessage>(schema: M) => (p: Uint8Array) => fromBinary(schema, p);
  const GetUser = UserService.method.getUser;
  const CreateUser = UserService.method.createUser;
  const ListUsers = UserService.method.listUsers;
  const CreateOrder = OrderService.method.createOrder;
  const Echo = EchoService.method.echo;

  return {
    mode: "mqtt",
    getUser: (id, a) =>
      call<User>(GetUser, toBinary(GetUser.input, create(GetUser.input, { id })), (p) => decode(GetUser.output)(p[0]).user!, a),
    createUser: (name, email, a) =>
      call<User>(
        CreateUser,
        toBinary(CreateUser.input, create(CreateUser.input, { name, email })),
        (p) => decode(CreateUser.output)(p[0]).user!,
        a,
      ),
    async listUsers(o, a) {
      const req = create(ListUsers.input, { limit: o.limit ?? 0, intervalMs: o.intervalMs ?? 0 });
      const r = await call<User[]>(ListUsers, toBinary(ListUsers.input, req), (ps) => ps.map((p) => decode(ListUsers.output)(p).user!), a);
      r.value?.forEach((u) => o.onUser?.(u));
      return r;
    },
    createOrder: (input, a) =>
      call<Order>(
        CreateOrder,
        toBinary(CreateOrder.input, create(CreateOrder.input, input)),
        (p) => decode(CreateOrder.output)(p[0]).order!,
        a,
      ),
    echo: (request, a) => call<EchoResponse>(Echo, toBinary(Echo.input, request), (p) => decode(Echo.output)(p[0]), a),
    async close() {
      const c = await connection?.catch(() => undefined);
      await c?.endAsync();
    },
  };
}
