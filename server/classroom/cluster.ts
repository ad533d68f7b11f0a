import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";
import mqtt, { type MqttClient } from "mqtt";
import { INTERNAL_USERNAME } from "../mqtt/embedded-broker";
import type { ClassChange, Classroom } from "./classroom";
import type { Presence, PresenceDigest } from "./presence";
import { stepKey } from "../../lib/classroom/contract";

/**
 * The classroom's topics on a shared external broker. Outside `lab/`, so
 * a broker ACL that gives each student `lab/<their session>/#` keeps
 * students out of it (README "Classroom: deployment").
 */
export const CLASSROOM_TOPIC_ROOT = "wirelab/classroom/v1";

/** Each instance says who is online at least this often (and at once when it changes). */
export const PRESENCE_HEARTBEAT_MS = 10_000;
/** Records republished per event-loop turn after a (re)connect. */
const REPUBLISH_SLICE = 200;

/**
 * Seals classroom messages with AES-256-GCM under a key derived (HKDF) from
 * the teacher token every instance shares, the topic as associated data:
 * a student on the same broker can neither read a record (names, sessions,
 * resume codes) nor forge or move one. Layout: 1 (version) | 12-byte IV |
 * 16-byte tag | ciphertext.
 */
export class Sealer {
  private readonly key: Buffer;

  constructor(secret: string) {
    this.key = Buffer.from(hkdfSync("sha256", secret, "wirelab", "classroom replication v1", 32));
  }

  seal(topic: string, plain: string): Buffer {
    const iv = randomBytes(12);
    const c = createCipheriv("aes-256-gcm", this.key, iv);
    c.setAAD(Buffer.from(topic));
    const body = Buffer.concat([c.update(plain, "utf8"), c.final()]);
    return Buffer.concat([Buffer.of(1), iv, c.getAuthTag(), body]);
  }

  /** The plain text, or undefined when the message was not sealed with this key for this topic. */
  open(topic: string, sealed: Buffer): string | undefined {
    if (sealed.length < 29 || sealed[0] !== 1) return undefined;
    try {
      const d = createDecipheriv("aes-256-gcm", this.key, sealed.subarray(1, 13));
      d.setAAD(Buffer.from(topic));
      d.setAuthTag(sealed.subarray(13, 29));
      return Buffer.concat([d.update(sealed.subarray(29)), d.final()]).toString("utf8");
    } catch {
      return undefined;
    }
  }
}

export interface ClusterOptions {
  url: string;
  password: string | undefined;
  /** What every instance shares (the teacher token): the sealing key derives from it. */
  secret: string;
  instanceId: string;
  classroom: Classroom;
  presence: Presence;
}

function keyOf(change: ClassChange): [string, unknown] {
  switch (change.kind) {
    case "room":
      return [`room/${change.room.id}`, change.room];
    case "student":
      return [`student/${change.student.id}`, change.student];
    case "progress":
      return [`progress/${change.progress.studentId}/${change.progress.lesson}/${stepKey(change.progress.step)}`, change.progress];
    case "reset":
      return [`reset/${change.reset.studentId}`, change.reset];
  }
}

/**
 * Several lab instances behind a load balancer, one classroom: each
 * instance keeps its own durable store and replicates it through the
 * shared broker the instances already use (MQTT_URL), so no shared disk or
 * database is needed and any instance can answer the teacher.
 *
 * - Every record an instance writes is published retained at QoS 1 on
 *   `wirelab/classroom/v1/<store key>` (MQTT 3.1.1 §3.3.1.3: the broker
 *   keeps the last one per topic and hands it to every new subscriber), so
 *   a new or restarted instance receives the whole classroom on subscribe.
 * - Records merge in any order (classroom.ts: last writer wins by
 *   revision, progress commutatively), so duplicates and reordering
 *   (§4.3.2, §4.6) do no harm, and each instance stores what it receives.
 * - After every (re)connect an instance republishes the records it wrote
 *   last, which heals a broker that restarted without persistence.
 * - Every message is sealed (Sealer: AES-256-GCM, key from the shared
 *   teacher token), so students on the same broker can neither read nor
 *   forge the classroom, whatever the broker's ACLs.
 * - Presence: each instance publishes, retained, who is online on it
 *   (`presence/<instance>`), with a Will that clears it if the instance
 *   dies (§3.1.2.5).
 * - A drill, a message or a close is a change of the room record; a reset
 *   is a `reset/<student>` record: every instance applies them to the
 *   sandboxes it hosts, so a drill reaches students on every instance.
 */
export class ClassroomCluster {
  private client: MqttClient | undefined;
  private lastPresence = "";
  private lastPresenceAtMs = 0;
  private readonly unsubscribe: () => void;
  private readonly sealer: Sealer;
  /** Messages that did not open (another token, or forged), and whether that was logged. */
  unreadable = 0;

  constructor(private readonly opts: ClusterOptions) {
    this.sealer = new Sealer(opts.secret);
    this.unsubscribe = opts.classroom.onChange((c) => {
      if (c.local) this.publish(...keyOf(c));
    });
  }

  private topic(key: string): string {
    return `${CLASSROOM_TOPIC_ROOT}/${key}`;
  }

  async start(): Promise<void> {
    const presenceTopic = this.topic(`presence/${this.opts.instanceId}`);
    const client = mqtt.connect(this.opts.url, {
      clientId: `wirelab-classroom-${this.opts.instanceId}-${process.pid}`,
      username: INTERNAL_USERNAME,
      password: this.opts.password,
      protocolVersion: 4,
      clean: true,
      reconnectPeriod: 1_000,
      connectTimeout: 10_000,
      will: { topic: presenceTopic, payload: Buffer.alloc(0), qos: 1, retain: true },
    });
    this.client = client;
    client.on("error", () => {});
    client.on("message", (topic, payload, packet) => void this.receive(topic, payload, packet.retain));
    client.on("connect", () => {
      client.subscribe(`${CLASSROOM_TOPIC_ROOT}/#`, { qos: 1 }, () => {
        this.lastPresence = "";
        this.republish();
      });
    });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`classroom: could not reach the broker at ${this.opts.url}`)), 10_000);
      client.once("connect", () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /** Sends this instance's presence when it changed, or as a heartbeat. */
  publishPresence(digest: PresenceDigest): void {
    const text = JSON.stringify(digest);
    const now = Date.now();
    if (text === this.lastPresence && now - this.lastPresenceAtMs < PRESENCE_HEARTBEAT_MS) return;
    this.lastPresence = text;
    this.lastPresenceAtMs = now;
    const topic = this.topic(`presence/${this.opts.instanceId}`);
    this.client?.publish(topic, this.sealer.seal(topic, `{"atMs":${now},"students":${text}}`), { qos: 1, retain: true });
  }

  async close(): Promise<void> {
    this.unsubscribe();
    const c = this.client;
    if (!c) return;
    // Leaving cleanly: clear this instance's presence (the Will covers a crash).
    await new Promise<void>((resolve) => c.publish(this.topic(`presence/${this.opts.instanceId}`), Buffer.alloc(0), { qos: 1, retain: true }, () => resolve()));
    await c.endAsync(true).catch(() => undefined);
  }

  private publish(key: string, value: unknown): void {
    const topic = this.topic(key);
    this.client?.publish(topic, this.sealer.seal(topic, JSON.stringify(value)), { qos: 1, retain: true });
  }

  /** The JSON inside a sealed message, or undefined (counted, and said once in the log). */
  private unseal(topic: string, payload: Buffer): unknown {
    const text = this.sealer.open(topic, payload);
    if (text === undefined) {
      if (this.unreadable++ === 0) {
        console.error(`wirelab classroom: a message on ${topic} does not open with this lab's key: give every instance the same TEACHER_TOKEN`);
      }
      return undefined;
    }
    try {
      return JSON.parse(text);
    } catch {
      return undefined;
    }
  }

  private republish(): void {
    const records = [...this.opts.classroom.ownRecords()];
    const next = (from: number) => {
      for (const [k, v] of records.slice(from, from + REPUBLISH_SLICE)) this.publish(k, v);
      if (from + REPUBLISH_SLICE < records.length) setImmediate(() => next(from + REPUBLISH_SLICE));
    };
    next(0);
  }

  /** `retained`: a stored message handed over on subscribe (§3.3.1.3), not one just sent. */
  private async receive(topic: string, payload: Buffer, retained: boolean): Promise<void> {
    if (!topic.startsWith(`${CLASSROOM_TOPIC_ROOT}/`)) return;
    const key = topic.slice(CLASSROOM_TOPIC_ROOT.length + 1);
    if (key.startsWith("presence/")) {
      const instance = key.slice("presence/".length);
      if (instance === this.opts.instanceId) return;
      if (payload.length === 0) this.opts.presence.applyRemote(instance, 0, undefined);
      else {
        const p = this.unseal(topic, payload) as { atMs: number; students: PresenceDigest } | undefined;
        if (!p || typeof p.atMs !== "number" || typeof p.students !== "object") return;
        // A fresh report counts from now (the instances' clocks may differ); a stored one from when it was sent.
        this.opts.presence.applyRemote(instance, retained ? Math.min(p.atMs, Date.now()) : Date.now(), p.students);
      }
      return;
    }
    if (payload.length === 0) return;
    const value = this.unseal(topic, payload);
    if (value === undefined) return;
    try {
      await this.opts.classroom.applyRemote(key, value);
    } catch {
      // A record that does not parse or cannot be stored now comes again on the next republish.
    }
  }
}
