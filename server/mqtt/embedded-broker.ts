import { randomBytes, timingSafeEqual } from "node:crypto";
import net from "node:net";
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { Aedes, type AuthenticateError, type Client } from "aedes";
import { WebSocketServer, createWebSocketStream } from "ws";
import { sessionPrefix, TOPIC_ROOT } from "../../lib/topics";
import { SESSION_ID } from "../sandbox/sandbox";
import type { TraceHub } from "../trace/trace-hub";
import { listen } from "../net/listen";
import { ConnectionTrace, type RecentPublishes } from "./packet-observer";
import { FaultGate } from "./fault-gate";
import { participantForClientId, sessionOfServiceClient } from "./participants";
import { FaultKind, type FaultRule } from "../../lib/gen/lab/v1/fault_pb";
import { EventKind, Mode } from "../../lib/gen/lab/v1/trace_pb";
import type { Sandbox } from "../sandbox/sandbox";

/** How long a CONNECT during an injected outage waits for its refusal at most (see refuseDuringOutage). */
export const OUTAGE_HOLD_MS = 1_000;

/** Username of the lab's own MQTT clients; their password is a per-process secret. */
export const INTERNAL_USERNAME = "wirelab-internal";

export interface EmbeddedBrokerOptions {
  hub: TraceHub;
  /** Largest PUBLISH payload accepted, in bytes. */
  maxPayloadBytes: number;
  publishes: RecentPublishes;
  /** Called when a learner's client logs in; CONNACK waits for it (the session's consumers start). */
  onSessionClient: (session: string) => Promise<void>;
  /** A learner's client published under its session (keeps the session's pipeline alive). */
  onSessionPublish?: (session: string) => void;
  /** A session's sandbox if it exists (fault rules live there). */
  sandbox: (session: string) => Sandbox | undefined;
}


type Identity = { kind: "internal" } | { kind: "session"; session: string };

const identities = new WeakMap<Client, Identity>();

function authError(message: string, returnCode: 3 | 4 | 5): AuthenticateError {
  return Object.assign(new Error(message), { returnCode }) as AuthenticateError;
}

/**
 * The embedded broker (aedes) with the lab's rules: a learner's client logs
 * in with its session id as username and may only publish and subscribe
 * under `lab/<session>/`; the lab's own services log in as
 * `wirelab-internal`. Refusals are MQTT's own: CONNACK return code 4 or 5
 * (MQTT 3.1.1 §3.2.2.3), SUBACK 0x80 (§3.9.3), and for a PUBLISH the
 * connection is closed (3.1.1 has no negative PUBACK).
 */
export class EmbeddedBroker {
  readonly internalPassword = randomBytes(18).toString("base64url");
  private aedes!: Aedes;
  private tcp: net.Server | undefined;
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024 });
  /** Spans of recent publishes, shared with the lab's clients for parent links. */
  readonly publishes: RecentPublishes;
  private readonly sockets = new Set<Duplex>();

  constructor(private readonly opts: EmbeddedBrokerOptions) {
    this.publishes = opts.publishes;
  }

  async start(): Promise<void> {
    this.aedes = await Aedes.createBroker({
      authenticate: (client, username, password, done) => {
        if (username === INTERNAL_USERNAME) {
          const given = Buffer.from(password ?? "");
          const want = Buffer.from(this.internalPassword);
          if (given.length === want.length && timingSafeEqual(given, want)) {
            const serves = sessionOfServiceClient(client.id);
            if (serves && this.outageLeft(serves)) {
              return this.refuseDuringOutage(serves, (left) => done(authError(`broker unavailable for session ${serves}: injected outage, ${Math.ceil(left / 1000)} s left`, 3), false));
            }
            identities.set(client, { kind: "internal" });
            return done(null, true);
          }
          return done(authError("bad password for the lab's internal user", 4), false);
        }
        if (username !== undefined && SESSION_ID.test(username)) {
          // CONNACK 3 "Server unavailable" (MQTT 3.1.1 §3.2.2.3) while the session's broker is down.
          if (this.outageLeft(username)) {
            return this.refuseDuringOutage(username, (left) => done(authError(`broker unavailable: injected outage, ${Math.ceil(left / 1000)} s left`, 3), false));
          }
          identities.set(client, { kind: "session", session: username });
          this.opts.onSessionClient(username).then(
            () => done(null, true),
            () => done(null, true),
          );
          return;
        }
        return done(
          authError("log in with your lab session id as the MQTT username (mosquitto_sub -u <session>)", 5),
          false,
        );
      },
      authorizePublish: (client, packet, callback) => {
        if (client === null) return callback(null);
        this.gates.get(client)?.notePublish(packet.messageId ?? 0, packet.topic);
        const who = identities.get(client);
        if (who?.kind === "session") this.opts.onSessionPublish?.(who.session);
        const payloadBytes = typeof packet.payload === "string" ? Buffer.byteLength(packet.payload) : packet.payload.length;
        if (payloadBytes > this.opts.maxPayloadBytes) {
          return callback(new Error(`payload of ${payloadBytes} bytes is over the limit of ${this.opts.maxPayloadBytes} bytes (MAX_BODY_BYTES)`));
        }
        return callback(this.allowed(client, packet.topic) ? null : new Error(`publish to ${packet.topic} refused: outside your session's topics`));
      },
      authorizeSubscribe: (client, sub, callback) => {
        // A null subscription makes the broker answer SUBACK 0x80 (Failure).
        callback(null, this.allowed(client, sub.topic) ? sub : null);
      },
    });
    this.aedes.on("connectionError", () => {});
    this.aedes.on("clientError", () => {});
  }

  /** Serves MQTT over TCP on `port` (0 picks a free one); resolves with the port. */
  listenTcp(port: number, host: string): Promise<number> {
    this.tcp = net.createServer((socket) => {
      // MQTT packets are small and written in pieces; without TCP_NODELAY a
      // PUBACK can wait on Nagle + delayed ACK for ~40 ms per leg.
      socket.setNoDelay(true);
      this.handle(socket);
    });
    return listen(this.tcp, port, host);
  }

  /** Takes over an HTTP upgrade to MQTT over WebSocket (subprotocol "mqtt", MQTT 3.1.1 §6). */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      const stream = createWebSocketStream(ws);
      stream.on("error", () => stream.destroy());
      this.handle(stream, req);
    });
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    for (const ws of this.wss.clients) ws.terminate();
    await new Promise<void>((resolve) => this.tcp?.close(() => resolve()) ?? resolve());
    await new Promise<void>((resolve) => this.aedes?.close(() => resolve()) ?? resolve());
  }

  private readonly gates = new WeakMap<Client, FaultGate>();
  /** Unacknowledged deliveries per client id, across its connections (see FaultGate). */
  private readonly unacked = new Map<string, Set<number>>();
  /** Sessions whose broker is down (fault BROKER_DOWN): until when, and which rule. */
  private readonly outages = new Map<string, { until: number; ruleId: string }>();

  /**
   * A CONNECT during a session's outage is refused (CONNACK 3) after up to
   * OUTAGE_HOLD_MS, never past the outage's end, as a struggling broker
   * answers late. The hold spaces out the retries of every client of the
   * session (a fault drill for a class of 200 puts 800 clients into a
   * retry loop) and does not delay recovery: the refusal comes by the end
   * of the outage at the latest, and the client's next try gets in.
   */
  private refuseDuringOutage(session: string, refuse: (leftMs: number) => void): void {
    setTimeout(() => refuse(this.outageLeft(session)), Math.min(OUTAGE_HOLD_MS, this.outageLeft(session)));
  }

  private outageLeft(session: string): number {
    const o = this.outages.get(session);
    if (!o) return 0;
    const left = o.until - Date.now();
    if (left <= 0) this.outages.delete(session);
    return Math.max(0, left);
  }

  /**
   * Starts a session's broker outage when its rules gained a BROKER_DOWN
   * rule: every connection of the session (the learner's clients and the
   * session's own service clients) is dropped, and CONNECT is refused with
   * return code 3 until the outage is over; then the clients' reconnect
   * loops bring them back. Other sessions never notice.
   */
  applyOutage(session: string, rules: readonly FaultRule[]): void {
    const rule = rules.find((r) => r.kind === FaultKind.BROKER_DOWN);
    if (!rule) {
      this.outages.delete(session);
      return;
    }
    if (this.outages.get(session)?.ruleId === rule.id) return;
    const until = rule.expiresUnixMs || Date.now() + rule.durationMs;
    this.outages.set(session, { until, ruleId: rule.id });
    const box = this.opts.sandbox(session);
    if (box) box.counters.faultsApplied++;
    const detail = `broker down for ${Math.round((until - Date.now()) / 1000)} s: connections dropped, CONNECT refused (return code 3)`;
    this.opts.hub.emit({
      session,
      from: "Broker",
      to: "Broker",
      observer: "Broker",
      mode: Mode.MQTT,
      kind: EventKind.FAULT,
      summary: `⚡ ${detail}`,
      fault: { ruleId: rule.id, kind: "broker_down", detail },
    });
    const clients = (this.aedes as unknown as { clients: Record<string, Client> }).clients;
    for (const client of Object.values(clients)) {
      const who = identities.get(client);
      const serves = who?.kind === "session" ? who.session : sessionOfServiceClient(client.id);
      if (serves === session) client.close();
    }
  }

  private handle(conn: Duplex, req?: IncomingMessage): void {
    this.sockets.add(conn);
    conn.once("close", () => this.sockets.delete(conn));
    conn.on("error", () => {});
    const trace = this.opts.hub.enabled ? new ConnectionTrace(this.opts.hub, this.publishes) : undefined;
    const client = this.aedes.handle(conn, req);
    // One gate per connection frames both directions, for the faults and the trace alike.
    this.gates.set(client, new FaultGate(conn, {
      hub: this.opts.hub,
      unacked: this.unacked,
      sandbox: this.opts.sandbox,
      participant: () => trace?.participant ?? participantForClientId(client.id ?? ""),
      trace,
    }));
  }

  private allowed(client: Client, topic: string): boolean {
    const who = identities.get(client);
    if (!who) return false;
    if (who.kind === "internal") return topic.startsWith(`${TOPIC_ROOT}/`);
    return topic.startsWith(sessionPrefix(who.session));
  }
}
