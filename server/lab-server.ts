import http, { type IncomingMessage, type ServerResponse } from "node:http";
import http2 from "node:http2";
import type net from "node:net";
import type { Socket } from "node:net";
import type { Duplex } from "node:stream";
import type { DescMethod } from "@bufbuild/protobuf";
import { createContextValues, type ConnectRouter } from "@connectrpc/connect";
import { connectNodeAdapter, createGrpcTransport } from "@connectrpc/connect-node";
import { createClient } from "@connectrpc/connect";
import type { MqttClient } from "mqtt";
import { LabService } from "../lib/gen/lab/v1/lab_pb";
import { EchoService, MeasureService } from "../lib/gen/lab/v1/measure_pb";
import { OrderService } from "../lib/gen/lab/v1/order_pb";
import { Mode } from "../lib/gen/lab/v1/trace_pb";
import { UserService } from "../lib/gen/lab/v1/user_pb";
import { instanceOfPath, instanceParticipant, instancePrefix, SERVICE_INSTANCES } from "../lib/rpc/instances";
import { isControlService, methodForPath, participantForService } from "../lib/rpc/registry";
import { LAB_HEADERS, modeForRequest, newSpanId, participantForUserAgent } from "../lib/trace";
import type { LabConfig } from "./config";
import { tapHttpExchange, type AnyRequest, type AnyResponse, type HttpExchange } from "./http/http-tap";
import { sendError } from "./http/json-response";
import { createRestGateway, restRouteMethod } from "./http/rest-gateway";
import { handleLabRest } from "./http/lab-rest";
import { applyHttpFaults } from "./faults/http-faults";
import { clientGone, restEdgeFaults } from "./faults/rest-faults";
import { faultInterceptor, reportFault } from "./faults/rpc-faults";
import { newSessionCookie, sessionOf } from "./http/session";
import { SessionPipelines } from "./mqtt/session-pipeline";
import { EmbeddedBroker } from "./mqtt/embedded-broker";
import { listen } from "./net/listen";
import { connectLabClient } from "./mqtt/lab-client";
import { RecentPublishes } from "./mqtt/packet-observer";
import { LAB_CLIENTS } from "./mqtt/participants";
import { startRpcResponder } from "./mqtt/rpc-responder";
import { WsBridge } from "./mqtt/ws-bridge";
import { clientTraceInterceptor } from "./rpc/client-trace-interceptor";
import { internalCallerInterceptor, isInternalCall } from "./rpc/internal-caller";
import { emptyBody, invalidBinaryBody, readAhead, replayBody } from "./rpc/binary-body";
import { kExchange, kInvalidBody } from "./rpc/context-keys";
import { serverTraceInterceptor } from "./rpc/server-trace-interceptor";
import { Sandboxes } from "./sandbox/sandbox";
import { kHop, type Hop } from "./services/hop-context";
import { echoService } from "./services/echo-service";
import { createLabService } from "./services/lab-service";
import { createMeasureService } from "./measure/measure-service";
import { createOrderService, type EventPublisher } from "./services/order-service";
import { userService } from "./services/user-service";
import { TraceHub } from "./trace/trace-hub";
import { mountClassroom, type ClassroomMount } from "./classroom";
import { refusalError } from "./classroom/rate-limit";

/** A request handler for everything that is not the lab's own (Next.js pages). */
export type PageHandler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;
export type UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;

export interface LabServerOptions {
  /** Serves pages; without it, non-API paths answer 404 (tests of the services alone). */
  pages?: { handler: PageHandler; upgrade?: UpgradeHandler };
}

export interface LabServer {
  readonly ports: { http: number; grpc: number; mqtt: number };
  readonly hub: TraceHub;
  readonly sandboxes: Sandboxes;
  readonly broker: EmbeddedBroker | undefined;
  /** Rooms, students, progress, the teacher's dashboard and students' rate limits. */
  readonly classroom: ClassroomMount;
  /** Makes /healthz answer 200; until then it answers 503 (pages still preparing). */
  markReady(): void;
  close(): Promise<void>;
}

/** A port the lab could not bind, named for the start-up message. */
export class PortInUseError extends Error {
  constructor(
    readonly variable: string,
    readonly port: number,
  ) {
    super(`wirelab: port ${port} (${variable}) is already in use; stop what holds it or start with ${variable}=<another port>.`);
  }
}

async function bind(server: net.Server, port: number, host: string, variable: string): Promise<number> {
  try {
    return await listen(server, port, host);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EADDRINUSE") throw new PortInUseError(variable, port);
    throw err;
  }
}

/** What the lab knows about one REST or RPC request while it is served. */
interface RequestState {
  hop: Hop;
  exchange: HttpExchange | undefined;
  /** Set when a binary body is not the method's input (answered invalid_argument). */
  invalidBody?: string;
}

const SPAN_HEADER = /^[A-Za-z0-9_-]{1,40}$/;
const FROM_HEADER = /^[\p{L}\p{N} ._-]{1,32}$/u;

function header(req: AnyRequest, name: string): string | undefined {
  const v = req.headers[name];
  return typeof v === "string" ? v : undefined;
}

/**
 * Starts the whole lab: HTTP/1.1 (pages, REST, Connect, gRPC-web, MQTT over
 * WebSocket), native gRPC over h2c, the broker and the lab's own services
 * with their real clients. Every hop crosses a real loopback socket.
 */
export async function startLabServer(cfg: LabConfig, options: LabServerOptions = {}): Promise<LabServer> {
  const hub = new TraceHub({ enabled: cfg.TRACE === "on", bufferEvents: cfg.TRACE_BUFFER_EVENTS });
  let pipelines: SessionPipelines | undefined;
  let madePipelines: (p: SessionPipelines) => void = () => {};
  const pipelinesMade = new Promise<SessionPipelines>((resolve) => (madePipelines = resolve));
  const sandboxes = new Sandboxes(cfg.SESSION_IDLE_MS, (id) => {
    hub.forget(id);
    pipelines?.forget(id);
  });
  const publishes = new RecentPublishes();
  const closers: Array<() => Promise<void> | void> = [];
  const close = async () => {
    for (const c of closers.reverse()) await c();
  };
  closers.push(() => sandboxes.close(), () => hub.close());

  try {
    // Sockets first, so a port in use fails start-up before anything else runs.
    let ready = options.pages === undefined;
    // Ports open first; until the services are wired, requests get a 503
    // rather than hanging with no handler.
    const starting = (_req: AnyRequest, res: AnyResponse) => sendError(res, 503, "unavailable", "the lab is starting; try again in a moment");
    let onHttp: (req: IncomingMessage, res: ServerResponse) => void = starting;
    let onGrpc: (req: http2.Http2ServerRequest, res: http2.Http2ServerResponse) => void = starting;
    const httpServer = http.createServer({ keepAliveTimeout: 65_000 }, (req, res) => onHttp(req, res));
    const grpcServer = http2.createServer((req, res) => onGrpc(req, res));
    const ports = { http: 0, grpc: 0, mqtt: 0 };
    ports.http = await bind(httpServer, cfg.PORT, cfg.HOST, "PORT");
    closers.push(() => closeServer(httpServer));
    ports.grpc = await bind(grpcServer, cfg.GRPC_PORT, cfg.HOST, "GRPC_PORT");
    const h2Sessions = new Set<http2.Http2Session>();
    grpcServer.on("session", (s) => {
      h2Sessions.add(s);
      s.once("close", () => h2Sessions.delete(s));
    });
    closers.push(() => {
      for (const s of h2Sessions) s.destroy();
      return closeServer(grpcServer);
    });

    let broker: EmbeddedBroker | undefined;
    let mqttUrl = cfg.MQTT_URL;
    if (mqttUrl === undefined) {
      broker = new EmbeddedBroker({
        hub,
        publishes,
        maxPayloadBytes: cfg.MAX_BODY_BYTES,
        // A learner's client waits for its session's consumers, so what it publishes is consumed.
        // The port opens before the pipelines exist: a client that connects in between waits for them.
        onSessionClient: (s) => pipelinesMade.then((p) => p.get(sandboxes.get(s))).then(() => undefined),
        sandbox: (s) => sandboxes.peek(s),
        onSessionPublish: (s) => pipelines?.touch(s),
      });
      await broker.start();
      ports.mqtt = await broker.listenTcp(cfg.MQTT_PORT, cfg.HOST).catch((err: NodeJS.ErrnoException) => {
        throw err.code === "EADDRINUSE" ? new PortInUseError("MQTT_PORT", cfg.MQTT_PORT) : err;
      });
      closers.push(() => broker?.close());
      mqttUrl = `mqtt://127.0.0.1:${ports.mqtt}`;
    } else {
      ports.mqtt = Number(new URL(mqttUrl).port || 1883);
    }
    const wsBridge = broker ? undefined : new WsBridge(new URL(mqttUrl), hub, publishes);
    if (wsBridge) closers.push(() => wsBridge.close());

    // The lab's own MQTT clients: real connections to the broker.
    const clients: MqttClient[] = [];
    closers.push(() => Promise.all(clients.map((c) => c.endAsync(true))).then(() => undefined));
    const connect = async (clientId: string) => {
      const c = await connectLabClient({
        url: mqttUrl!,
        clientId: cfg.MQTT_URL ? `${clientId}-${process.pid}` : clientId,
        password: broker?.internalPassword ?? cfg.MQTT_PASSWORD,
        hub,
        publishes,
        traceClientSide: broker === undefined,
      });
      clients.push(c);
      return c;
    };
    const [ordersMqtt, usersMqtt] = await Promise.all([connect(LAB_CLIENTS.orders.clientId), connect(LAB_CLIENTS.users.clientId)]);
    // Each session's event pipeline (publisher, inventory, notification) has clients of its own.
    const sessionPipelines = new SessionPipelines({
      hub,
      sandboxes,
      publishes,
      client: { url: mqttUrl, password: broker?.internalPassword ?? cfg.MQTT_PASSWORD, traceClientSide: broker === undefined },
      idSuffix: cfg.MQTT_URL ? `-${process.pid}` : "",
    });
    pipelines = sessionPipelines;
    madePipelines(sessionPipelines);
    closers.push(() => sessionPipelines.close());
    sandboxes.onCreate = (box) => {
      box.onReset = () => void sessionPipelines.reconfigure(box);
      box.faults.onChange = (rules) => broker?.applyOutage(box.id, rules);
    };
    const classroom = await mountClassroom({ cfg, sandboxes, hub });
    closers.push(() => classroom.close());
    const publisher: EventPublisher = {
      publish: (box, payload, parentSpanId) => sessionPipelines.get(box).then((p) => p.publish(payload, parentSpanId)),
    };
    const orderService = createOrderService(publisher);
    await Promise.all([
      startRpcResponder(usersMqtt, UserService, userService as never, { sandboxes, hub, maxPayloadBytes: cfg.MAX_BODY_BYTES, admit: classroom.admitMqtt }),
      startRpcResponder(ordersMqtt, OrderService, orderService as never, { sandboxes, hub, maxPayloadBytes: cfg.MAX_BODY_BYTES, admit: classroom.admitMqtt }),
      startRpcResponder(usersMqtt, EchoService, echoService as never, { sandboxes, hub, maxPayloadBytes: cfg.MAX_BODY_BYTES, admit: classroom.admitMqtt }),
    ]);

    // RPC: one router, served on /rpc/ (Connect, gRPC-web) and on h2c (gRPC).
    const labService = createLabService({ hub, ports: () => ports, mqttUrl: cfg.MQTT_URL, onDefences: (box) => void sessionPipelines.reconfigure(box) });
    const measureService = createMeasureService({
      ports,
      mqttUrl,
      sandboxes,
      onClose: (c) => void closers.push(c),
      // The classroom's per-student limit on load runs.
      admitRun: (session) => {
        const r = classroom.admitRun(session);
        return r && refusalError(r);
      },
      runPace: (session) => classroom.runPace(session),
    });
    const routes = (router: ConnectRouter) => {
      router.service(UserService, userService);
      router.service(OrderService, orderService);
      router.service(LabService, labService);
      router.service(EchoService, echoService);
      router.service(MeasureService, measureService);
    };
    const perRequest = new WeakMap<object, RequestState>();
    const adapterOptions = {
      routes,
      // No response compression: the lab shows bytes as the protocol lays
      // them out, and loopback gains nothing from gzip.
      acceptCompression: [],
      readMaxBytes: cfg.MAX_BODY_BYTES,
      // The trace interceptor is outermost, so it records the codes of injected faults.
      interceptors: [serverTraceInterceptor(hub), classroom.rpcInterceptor, faultInterceptor(hub)],
      contextValues: (req: object) => {
        const r = perRequest.get(req);
        return createContextValues().set(kHop, r?.hop).set(kExchange, r?.exchange).set(kInvalidBody, r?.invalidBody);
      },
    };
    const rpcHttp1 = connectNodeAdapter({ ...adapterOptions, requestPathPrefix: "/rpc" });
    const rpcHttp2 = connectNodeAdapter(adapterOptions);
    // Each service instance's address (lib/rpc/instances.ts) has adapters of
    // its own, so the path keeps its prefix on the wire and in the trace.
    const instanceAdapters = new Map(
      Array.from({ length: SERVICE_INSTANCES }, (_, i) => [
        i + 1,
        {
          http1: connectNodeAdapter({ ...adapterOptions, requestPathPrefix: `${instancePrefix(i + 1)}/rpc` }),
          http2: connectNodeAdapter({ ...adapterOptions, requestPathPrefix: instancePrefix(i + 1) }),
        },
      ]),
    );

    // The gateway reaches the services over native gRPC on the h2c port.
    const transport = createGrpcTransport({
      baseUrl: `http://127.0.0.1:${ports.grpc}`,
      interceptors: [internalCallerInterceptor, clientTraceInterceptor(hub, "Gateway", Mode.GRPC)],
    });
    const handleRest = createRestGateway({ users: createClient(UserService, transport), orders: createClient(OrderService, transport), echo: createClient(EchoService, transport) });

    /**
     * Session, span, tap, request counters and network faults for one lab
     * request; answers 400 itself on a bad session, and returns undefined
     * when the request was refused or a fault ended it.
     */
    const begin = (req: AnyRequest, res: AnyResponse, to: string, mode: Mode, method?: DescMethod, target?: { service: string; method: string; instance?: number }) => {
      let found = sessionOf(req);
      if (!found.ok) {
        sendError(res, 400, "invalid_argument", found.error);
        return undefined;
      }
      // A browser without a session gets one when the page asks for it
      // (an API response, never cached like a prerendered page).
      if (found.source === "public" && method === LabService.method.getSession && req.headers["sec-fetch-mode"] !== undefined) {
        const fresh = newSessionCookie();
        res.setHeader("set-cookie", fresh.setCookie);
        found = { ok: true, session: fresh.session, source: "cookie" };
      }
      const spanHeader = header(req, LAB_HEADERS.span);
      const fromHeader = header(req, LAB_HEADERS.from);
      const hop: Hop = {
        session: found.session,
        sandbox: sandboxes.get(found.session),
        spanId: spanHeader && SPAN_HEADER.test(spanHeader) ? spanHeader : newSpanId(),
        from: fromHeader && FROM_HEADER.test(fromHeader) ? fromHeader : participantForUserAgent(header(req, "user-agent")),
        mode,
        instance: target?.instance,
      };
      const parent = header(req, LAB_HEADERS.parentSpan);
      const attempt = Number(header(req, LAB_HEADERS.attempt) ?? "1");
      const retryOf = header(req, LAB_HEADERS.retryOf);
      const control = to === "Lab" || (method !== undefined && isControlService(method.parent.typeName));
      // A student over their call limit is refused before any work (few of the refusals are traced).
      // The gateway's hop is the lab's own work (only when it proves it: anyone can send x-lab-from: Gateway).
      const own = isInternalCall(req.headers);
      const refused = control || own ? undefined : classroom.admit(hop);
      // No hold left for this refusal: it is answered at once, and the connection closes (RFC 9112 §9.6).
      if (refused?.closeConnection && !("stream" in res)) res.setHeader("connection", "close");
      const traced = hub.enabled && !control && (refused?.traced ?? true);
      const exchange = traced
        ? tapHttpExchange(
            hub,
            req,
            res,
            {
              session: hop.session,
              spanId: hop.spanId,
              parentSpanId: parent && SPAN_HEADER.test(parent) ? parent : "",
              from: hop.from,
              to,
              mode,
              attempt: Number.isInteger(attempt) && attempt > 0 ? attempt : 1,
              retryOfSpanId: retryOf && SPAN_HEADER.test(retryOf) ? retryOf : "",
            },
            { method },
          )
        : undefined;
      const state: RequestState = { hop, exchange };
      if (control || refused) return state;
      const box = hop.sandbox;
      const edge = hop.from !== "Gateway";
      if (edge) {
        box.counters.requestsReceived++;
        if (attempt > 1) box.counters.requestsRetried++;
        // A new connection per call: "Connection: close" (RFC 9112 §9.6).
        if (!box.defences.reuseConnections && !("stream" in res)) res.setHeader("connection", "close");
      }
      const point = { site: "http" as const, mode, edge: mode === Mode.REST, service: target?.service, instance: target?.instance, method: target?.method };
      const report = (rule: Parameters<typeof reportFault>[4], detail: string) => reportFault(hub, hop, to, mode, rule, detail);
      if (!applyHttpFaults(box.faults, point, req, res, report)) {
        if (edge) box.counters.requestsFailed++;
        return undefined;
      }
      return state;
    };

    const handleRpc = (req: AnyRequest, res: AnyResponse, h2: boolean) => {
      // One instance of a service (lib/rpc/instances.ts), traced as "UserService#2".
      const { instance } = instanceOfPath(req.url ?? "");
      const adapters = instance === undefined ? undefined : instanceAdapters.get(instance);
      const adapter = h2 ? (adapters?.http2 ?? rpcHttp2) : (adapters?.http1 ?? rpcHttp1);
      const method = methodForPath(req.url ?? "");
      const mode = modeForRequest(req.url ?? "", header(req, "content-type"));
      const to = method ? instanceParticipant(participantForService(method.parent.typeName), instance) : "RPC";
      const started = begin(req, res, to, mode, method, method && { service: method.parent.typeName, method: method.name, instance });
      if (!started) return;
      perRequest.set(req, started);
      const contentType = header(req, "content-type") ?? "";
      if (!method || req.method !== "POST" || !/proto|grpc/i.test(contentType) || /json/i.test(contentType)) {
        return void adapter(req as never, res as never);
      }
      readAhead(req, cfg.MAX_BODY_BYTES).then(
        (body) => {
          if (body.length <= cfg.MAX_BODY_BYTES) started.invalidBody = invalidBinaryBody(method, contentType, body);
          if (started.invalidBody !== undefined) replayBody(req, emptyBody(contentType));
          adapter(req as never, res as never);
        },
        () => res.destroy(),
      );
    };

    onHttp = (req: IncomingMessage, res: ServerResponse) => {
      const url = req.url ?? "/";
      if (url.startsWith("/rest/teach/") || url.startsWith("/rest/class/")) return classroom.handle(req, res);
      if (url.startsWith("/rest/lab/")) {
        const started = begin(req, res, "Lab", Mode.REST);
        if (started) void handleLabRest(labService, req, res, started.hop, cfg.MAX_BODY_BYTES);
        return;
      }
      if (url.startsWith("/rest/")) {
        const target = restRouteMethod(req.method ?? "GET", url.split("?")[0]);
        const started = begin(req, res, "Gateway", Mode.REST, undefined, target);
        if (!started || classroom.refuseRest(started.hop, res)) return;
        const { hop } = started;
        const counters = hop.sandbox.counters;
        res.once("finish", () => (res.statusCode < 400 ? counters.requestsSucceeded++ : counters.requestsFailed++));
        const gone = clientGone(res);
        gone.addEventListener("abort", () => counters.requestsFailed++, { once: true });
        const timeout = Number(header(req, "x-lab-timeout-ms"));
        const report = (rule: Parameters<typeof reportFault>[4], detail: string) => reportFault(hub, hop, "Gateway", Mode.REST, rule, detail);
        void restEdgeFaults(hop.sandbox.faults, target ?? {}, res, gone, report).then(({ proceed, replay }) => {
          if (!proceed) return;
          return handleRest(req, res, {
            session: hop.session,
            spanId: hop.spanId,
            maxBodyBytes: cfg.MAX_BODY_BYTES,
            timeoutMs: Number.isInteger(timeout) && timeout > 0 ? timeout : undefined,
            propagate: hop.sandbox.defences.propagateDeadline,
            gone,
            idempotencyKey: header(req, "idempotency-key"),
            replay,
          });
        });
        return;
      }
      if (instanceOfPath(url).path.startsWith("/rpc/")) return handleRpc(req, res, false);
      if (url === "/healthz") {
        res.writeHead(ready ? 200 : 503, { "content-type": "application/json" });
        return void res.end(JSON.stringify({ ok: ready, ports }));
      }
      if (options.pages) return void options.pages.handler(req, res);
      sendError(res, 404, "not_found", `no page ${url} (this server runs without the web UI)`);
    };
    httpServer.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      const path = (req.url ?? "").split("?")[0];
      if (path === "/mqtt") return (broker ?? wsBridge)!.handleUpgrade(req, socket, head);
      if (options.pages?.upgrade) return options.pages.upgrade(req, socket, head);
      socket.destroy();
    });
    onGrpc = (req, res) => handleRpc(req, res, true);
    grpcServer.on("sessionError", () => {});
    httpServer.on("clientError", (_err, socket: Socket) => {
      if (socket.writable) socket.end("HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n");
    });

    return {
      ports,
      hub,
      sandboxes,
      broker,
      classroom,
      close,
      markReady: () => {
        ready = true;
      },
    };
  } catch (err) {
    await close();
    throw err;
  }
}

function closeServer(server: http.Server | http2.Http2Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    if ("closeAllConnections" in server) server.closeAllConnections();
  });
}
