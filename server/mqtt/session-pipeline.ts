import type { MqttClient } from "mqtt";
import type { IPublishPacket } from "mqtt-packet";
import { FaultKind, type Defences } from "../../lib/gen/lab/v1/fault_pb";
import type { OrderCreated } from "../../lib/gen/lab/v1/order_pb";
import { EventKind, Mode } from "../../lib/gen/lab/v1/trace_pb";
import { deadLetterTopic, orderCreatedTopic, sessionPrefix } from "../../lib/topics";
import { faultSleep } from "../faults/http-faults";
import type { Sandbox, Sandboxes } from "../sandbox/sandbox";
import type { TraceHub } from "../trace/trace-hub";
import { decodeOrderCreated } from "./consumers";
import { connectLabClient, publishAsync, subscribeAsync, type LabClientOptions } from "./lab-client";
import { LAB_CLIENTS } from "./participants";
import type { RecentPublishes } from "./packet-observer";

/** How many times the order service re-sends a publish whose PUBACK does not come. */
const PUBLISH_RESENDS = 2;
/** How long a session's clients keep trying to reach a broker that is down before giving up. */
const CONNECT_PATIENCE_MS = 30_000;

/**
 * How long a pipeline being replaced (its defences changed, or the sandbox
 * was reset) lets the events it is still publishing wait for their
 * acknowledgement before it closes; the new pipeline connects after that.
 * They cannot overlap: the new publisher has the same client id, and its
 * CONNECT would take over the old one's session (MQTT 3.1.1 §3.1.4).
 * Enough for one re-send after the default PUBACK wait (2 s).
 */
export const PIPELINE_DRAIN_MS = 5_000;

interface ConsumerSpec {
  name: "inventory" | "notification";
  participant: string;
  apply(box: Sandbox, event: OrderCreated): string;
}

/** Seed 1's inventory service: one stock decrement per order. */
export const inventoryConsumer: ConsumerSpec = {
  name: "inventory",
  participant: LAB_CLIENTS.inventory.participant,
  apply(box, event) {
    const order = event.order!;
    const before = box.stock.get(order.sku) ?? 0;
    box.stock.set(order.sku, before - order.quantity);
    box.counters.inventoryDecrements++;
    box.decrementsByOrder.set(order.id, (box.decrementsByOrder.get(order.id) ?? 0) + 1);
    return `stock ${order.sku} ${before}→${before - order.quantity}`;
  },
};

/** Seed 1's notification service: one message to the buyer per order. */
export const notificationConsumer: ConsumerSpec = {
  name: "notification",
  participant: LAB_CLIENTS.notification.participant,
  apply(box, event) {
    box.counters.notificationsSent++;
    return `notify user ${event.order!.userId} about ${event.order!.id}`;
  },
};

export interface PipelineDeps {
  hub: TraceHub;
  sandboxes: Sandboxes;
  publishes: RecentPublishes;
  /** Connection settings shared by every client (URL, password, tracing). */
  client: Omit<LabClientOptions, "clientId" | "clean" | "keepaliveSeconds" | "hub" | "publishes">;
  /** Suffix that keeps client ids unique on a shared external broker. */
  idSuffix: string;
}

/**
 * One session's event pipeline, as seed 1's e-commerce scenario has it:
 * the order service's publisher and the inventory and notification
 * consumers, each its own MQTT client with its own connection, configured
 * by the session's defences (QoS, persistent session, shared client id,
 * keepalive). A session's faults can crash, slow or cut off its clients
 * without touching anyone else's.
 */
export class SessionPipeline {
  private publisher!: MqttClient;
  private consumers: MqttClient[] = [];
  private closed = false;
  /** Rejects when the pipeline closes, so a publish waiting for its acknowledgement fails at once instead of hanging. */
  private readonly closing: Promise<never>;
  /** Publishes waiting for their acknowledgement (see drain). */
  private readonly inFlight = new Set<Promise<void>>();
  private rejectClosing!: (err: Error) => void;
  readonly defences: Defences;

  constructor(
    readonly box: Sandbox,
    private readonly deps: PipelineDeps,
  ) {
    this.defences = box.defences;
    this.closing = new Promise<never>((_, reject) => (this.rejectClosing = reject));
    this.closing.catch(() => {});
  }

  private clientId(base: string): string {
    return `${base}-${this.box.id}${this.deps.idSuffix}`;
  }

  private connect(base: string, clean: boolean): Promise<MqttClient> {
    return connectLabClient({
      ...this.deps.client,
      hub: this.deps.hub,
      publishes: this.deps.publishes,
      clientId: this.clientId(base),
      clean,
      keepaliveSeconds: this.defences.keepaliveSeconds,
      patienceMs: CONNECT_PATIENCE_MS,
    });
  }

  async start(): Promise<void> {
    const d = this.defences;
    const clean = !d.persistentSession;
    const specs: ConsumerSpec[] = [inventoryConsumer, notificationConsumer];
    // Seed 2: two instances sharing one client id take the session from
    // each other on every CONNECT (MQTT 3.1.1 §3.1.4 step 2).
    if (d.sharedClientId) specs.push(inventoryConsumer);
    // Connect all at once; if one fails, close the others, so a failed
    // start leaves no connection behind to flap or leak.
    const settled = await Promise.allSettled([
      this.connect(LAB_CLIENTS.orders.clientId, true),
      ...specs.map((s) => this.connect(s === inventoryConsumer ? LAB_CLIENTS.inventory.clientId : LAB_CLIENTS.notification.clientId, clean)),
    ]);
    const failed = settled.find((r) => r.status === "rejected");
    if (failed) {
      await Promise.all(settled.map((r) => (r.status === "fulfilled" ? r.value.endAsync(true).catch(() => {}) : undefined)));
      throw failed.reason;
    }
    const [publisher, ...consumers] = settled.map((r) => (r as PromiseFulfilledResult<MqttClient>).value);
    this.publisher = publisher;
    this.consumers = consumers;
    try {
      await Promise.all(consumers.map((c, i) => this.startConsumer(c, specs[i])));
    } catch (err) {
      await this.close();
      throw err;
    }
  }

  /**
   * Publishes an OrderCreated at the session's event QoS and resolves on
   * the broker's acknowledgement (PUBACK for QoS 1, PUBCOMP for QoS 2;
   * MQTT 3.1.1 §4.3): the publisher confirmation, like Kafka's acks=all.
   * If no acknowledgement comes within publishAckTimeoutMs the publisher
   * treats the connection as broken, reconnects and re-sends the message
   * with the same packet id (§4.4), up to PUBLISH_RESENDS times.
   */
  publish(payload: Uint8Array, parentSpanId: string): Promise<void> {
    const p = this.publishAcked(payload, parentSpanId);
    this.inFlight.add(p);
    const settled = () => void this.inFlight.delete(p);
    p.then(settled, settled);
    return p;
  }

  private async publishAcked(payload: Uint8Array, parentSpanId: string): Promise<void> {
    const topic = orderCreatedTopic(this.box.id);
    const qos = this.defences.eventQos as 0 | 1 | 2;
    this.deps.publishes.expectCause(topic, parentSpanId);
    this.box.counters.messagesPublished++;
    // While the broker is unreachable MQTT.js keeps the message in its
    // outgoing store and sends it once connected again.
    // A change of defences replaces the pipeline: a publish still waiting
    // for its acknowledgement gets PIPELINE_DRAIN_MS to finish (see
    // drain), then fails (the order answers 503), rather than waiting on a
    // closed client until the caller's deadline.
    const acked = Promise.race([publishAsync(this.publisher, topic, payload, qos), this.closing]);
    if (qos === 0) return acked;
    let done = false;
    acked.then(() => (done = true), () => (done = true));
    const connected = () => (this.publisher.connected ? Promise.resolve() : new Promise<void>((r) => this.publisher.once("connect", () => r())));
    for (let resend = 0; ; resend++) {
      await Promise.race([acked, connected()]);
      if (done) return acked;
      const timedOut = await Promise.race([acked.then(() => false), faultSleep(this.defences.publishAckTimeoutMs, undefined).then(() => true)]);
      if (!timedOut) return;
      if (!this.publisher.connected) continue; // lost meanwhile: the reconnect re-sends it
      if (resend === PUBLISH_RESENDS) throw new Error(`no acknowledgement from the broker after ${PUBLISH_RESENDS + 1} tries`);
      this.note(LAB_CLIENTS.orders.participant, EventKind.ERROR, `no PUBACK within ${this.defences.publishAckTimeoutMs} ms: reconnect and re-send`);
      this.publisher.stream.destroy();
    }
  }

  private note(participant: string, kind: EventKind, summary: string, extra: { error?: string; mqtt?: { topic: string } } = {}): void {
    this.deps.hub.emit({ session: this.box.id, from: participant, to: participant, observer: participant, mode: Mode.LOCAL, kind, summary, ...extra });
  }

  private async startConsumer(client: MqttClient, spec: ConsumerSpec): Promise<void> {
    const box = this.box;
    const topic = orderCreatedTopic(box.id);
    const relative = topic.slice(sessionPrefix(box.id).length);
    const point = { site: "consumer" as const, mode: Mode.MQTT, topic: relative, consumer: spec.name };
    // MQTT.js acknowledges a QoS 1 message (PUBACK) only when handleMessage
    // calls back, and a QoS 2 message (PUBCOMP) likewise: the consumer acks
    // after processing, as a careful consumer does.
    client.handleMessage = (packet: IPublishPacket, done: (err?: Error) => void) => {
      if (packet.topic !== topic || this.closed) return done();
      const payload = typeof packet.payload === "string" ? Buffer.from(packet.payload) : packet.payload;
      box.counters.messagesDelivered++;
      box.backlog++;
      void this.consume(client, spec, payload, point).then(
        (ack) => {
          box.backlog--;
          if (ack) done();
        },
        () => {
          box.backlog--;
          done();
        },
      );
    };
    const qos = this.defences.eventQos as 0 | 1 | 2;
    if (!this.defences.sharedClientId) return subscribeAsync(client, topic, qos);
    // Twins sharing a client id throw each other out (§3.1.4), often in the
    // middle of a SUBSCRIBE: the subscription that failed is made again on
    // the instance's next CONNECT, as a real consumer would, instead of
    // failing the whole pipeline (and with it every order).
    const subscribe = (): void => {
      if (this.closed) return;
      subscribeAsync(client, topic, qos).catch(() => client.once("connect", subscribe));
    };
    subscribe();
  }

  /** Processes one message; resolves with whether to acknowledge it. */
  private async consume(client: MqttClient, spec: ConsumerSpec, payload: Buffer, point: { site: "consumer"; mode: Mode; topic: string; consumer: string }): Promise<boolean> {
    const box = this.box;
    const d = this.defences;
    const slow = box.faults.fire([FaultKind.SLOW_CONSUMER], point);
    if (slow) await faultSleep(slow.latencyMs, undefined);
    let event: OrderCreated;
    try {
      event = decodeOrderCreated(payload);
    } catch (err) {
      await this.deadLetter(client, spec, payload, `undecodable event`, (err as Error).message);
      return true;
    }
    const id = event.messageId || event.order!.id;
    if (spec === inventoryConsumer && box.seenBefore("inventory:received", id)) box.counters.messagesDuplicated++;
    if (d.consumerDedup && box.processed.get(spec.name)?.has(id)) {
      box.counters.duplicatesSkipped++;
      this.note(spec.participant, EventKind.PROCESSED, `duplicate ${id} skipped (de-duplication by message id)`);
      return true;
    }
    const failure = box.faults.fire([FaultKind.ERROR], point);
    if (failure) {
      const key = `${spec.name}:${id}`;
      const attempts = (box.failures.get(key) ?? 0) + 1;
      box.failures.set(key, attempts);
      if (d.dlqAfterAttempts > 0 && attempts >= d.dlqAfterAttempts) {
        box.failures.delete(key);
        await this.deadLetter(client, spec, payload, `failed ${attempts}×`, `processing failed ${attempts} times (injected fault ${failure.id})`);
        return true;
      }
      this.note(spec.participant, EventKind.FAULT, `⚡ processing ${id} failed (attempt ${attempts}); not acknowledged, connection dropped`);
      this.crash(client);
      return false;
    }
    this.note(spec.participant, EventKind.PROCESSED, spec.apply(box, event));
    box.seenBefore(spec.name, id);
    const crash = box.faults.fire([FaultKind.CONSUMER_CRASH], point);
    if (crash) {
      box.counters.consumerCrashes++;
      this.note(spec.participant, EventKind.FAULT, `⚡ ${spec.name} crashed after processing ${id}, before acknowledging`);
      this.crash(client);
      return false;
    }
    return true;
  }

  /** Drops the consumer's connection without a DISCONNECT; MQTT.js reconnects after its reconnect period. */
  private crash(client: MqttClient): void {
    client.stream?.destroy();
  }

  private async deadLetter(client: MqttClient, spec: ConsumerSpec, payload: Buffer, why: string, error: string): Promise<void> {
    this.box.counters.messagesDeadLettered++;
    const dlq = deadLetterTopic(this.box.id, spec.name);
    this.note(spec.participant, EventKind.DEAD_LETTER, `${why} → ${dlq.slice(sessionPrefix(this.box.id).length)}`, { error, mqtt: { topic: dlq } });
    await publishAsync(client, dlq, payload, 1).catch(() => {});
  }

  /**
   * Lets the publishes waiting for their acknowledgement finish, for at
   * most `ms`, then closes: the events of orders placed before a change of
   * defences are still published under the defences they were placed with.
   * The consumers keep consuming meanwhile.
   */
  async drain(ms: number): Promise<void> {
    if (this.inFlight.size > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([Promise.allSettled([...this.inFlight]), new Promise((r) => (timer = setTimeout(r, ms).unref()))]);
      clearTimeout(timer);
    }
    await this.close(`the session's event pipeline was rebuilt (its defences changed, or the sandbox was reset) and the broker had not acknowledged this event within ${ms / 1000} s`);
  }

  /** Closes every client; a publish still waiting for its acknowledgement fails with `why`. */
  async close(why = "the session's event pipeline closed (the session expired, or the lab is shutting down) before the broker acknowledged this event"): Promise<void> {
    this.closed = true;
    this.rejectClosing(new Error(why));
    await Promise.all([this.publisher, ...this.consumers].filter(Boolean).map((c) => c.endAsync(true).catch(() => {})));
  }
}

/** A pipeline nobody used for this long is closed (a persistent session keeps its messages at the broker). */
export const PIPELINE_IDLE_MS = 15 * 60_000;

/**
 * Every session's pipeline, started on first use (an order, or the
 * learner's own MQTT client logging in), rebuilt when its defences change,
 * and closed when idle, so a page that only looks costs no connections.
 */
export class SessionPipelines {
  private readonly all = new Map<string, Promise<SessionPipeline>>();
  /** Pipelines being replaced, until they have drained and closed (see reconfigure). */
  private readonly retiring = new Map<string, Promise<void>>();
  private readonly draining = new Set<SessionPipeline>();
  private readonly used = new Map<string, number>();
  private readonly sweep: NodeJS.Timeout;

  constructor(private readonly deps: PipelineDeps) {
    this.sweep = setInterval(() => this.closeIdle(), 60_000);
    this.sweep.unref();
  }

  /** Marks a session's pipeline as in use (its learner published something). */
  touch(session: string): void {
    if (this.all.has(session)) this.used.set(session, Date.now());
  }

  private closeIdle(): void {
    const cutoff = Date.now() - PIPELINE_IDLE_MS;
    for (const [session, at] of this.used) if (at < cutoff) this.forget(session);
  }

  get(box: Sandbox): Promise<SessionPipeline> {
    this.used.set(box.id, Date.now());
    let p = this.all.get(box.id);
    if (!p) {
      const pipeline = new SessionPipeline(box, this.deps);
      // A pipeline being replaced goes first: both would connect the same client ids.
      const before = this.retiring.get(box.id) ?? Promise.resolve();
      p = before.then(() => pipeline.start()).then(() => pipeline);
      p.catch(() => this.all.delete(box.id));
      this.all.set(box.id, p);
    }
    return p;
  }

  /**
   * After a change of defences (or a reset): the pipeline's waiting
   * publishes finish (PIPELINE_DRAIN_MS at most), then the next use
   * connects anew with the new defences; an order placed meanwhile waits
   * for that.
   */
  async reconfigure(box: Sandbox): Promise<void> {
    const p = this.all.get(box.id);
    if (!p) return;
    this.all.delete(box.id);
    // p started after any pipeline replaced before it had closed (see get).
    const retired = p.then(
      (x) => {
        this.draining.add(x);
        return x.drain(PIPELINE_DRAIN_MS).finally(() => this.draining.delete(x));
      },
      () => undefined,
    );
    this.retiring.set(box.id, retired);
    await retired;
    if (this.retiring.get(box.id) === retired) this.retiring.delete(box.id);
  }

  forget(session: string): void {
    const p = this.all.get(session);
    this.all.delete(session);
    this.used.delete(session);
    void p?.then((x) => x.close(), () => undefined);
  }

  async close(): Promise<void> {
    clearInterval(this.sweep);
    const all = [...this.all.values()];
    this.all.clear();
    // Shutting down: pipelines being replaced close now, without waiting for their events.
    await Promise.all([...all.map((p) => p.then((x) => x.close(), () => undefined)), ...[...this.draining].map((x) => x.close())]);
  }
}
