/**
 * The MQTT topic layout of the lab. Every topic of a session lives under
 * `lab/<session>/`; the broker refuses anything outside a client's own
 * namespace. Topic names follow MQTT 3.1.1 §4.7 (levels separated by "/").
 */
export const TOPIC_ROOT = "lab";

/** `lab/<session>/` */
export function sessionPrefix(session: string): string {
  return `${TOPIC_ROOT}/${session}/`;
}

/** The order.created event topic of a session. */
export function orderCreatedTopic(session: string): string {
  return `${sessionPrefix(session)}events/order.created`;
}

/** The dead-letter topic of one consumer in a session. */
export function deadLetterTopic(session: string, consumer: string): string {
  return `${sessionPrefix(session)}dlq/${consumer}`;
}

/**
 * MQTT 3.1.1 has no response-topic property, so request/reply puts the
 * correlation id in the topic: a request on
 * `lab/<s>/rpc/<service>/<method>/<correlation>` is answered on
 * `lab/<s>/reply/<service>/<method>/<correlation>`.
 *
 * MQTT 3.1.1 has no headers either (user properties came with MQTT 5), so a
 * call's idempotency key, when it has one, is one more level:
 * `lab/<s>/rpc/<service>/<method>/<correlation>/<key>`; the reply topic
 * stays the same.
 */
export function rpcRequestTopic(session: string, service: string, method: string, correlation: string, idempotencyKey?: string): string {
  const base = `${sessionPrefix(session)}rpc/${service}/${method}/${correlation}`;
  return idempotencyKey ? `${base}/${idempotencyKey}` : base;
}

export function rpcReplyTopic(session: string, service: string, method: string, correlation: string): string {
  return `${sessionPrefix(session)}reply/${service}/${method}/${correlation}`;
}

/** The parts of a lab topic, or undefined when it is not one. */
export function parseTopic(topic: string): { session: string; rest: string[] } | undefined {
  const parts = topic.split("/");
  if (parts.length < 3 || parts[0] !== TOPIC_ROOT) return undefined;
  return { session: parts[1], rest: parts.slice(2) };
}

/**
 * parseTopic's reading of a topic without the split, for the trace's hot
 * path (a split made an array and a string per level of every traced
 * PUBLISH): a level is read in place or made into a string only when asked.
 * One reader is reused topic after topic; `restLength` counts up to
 * MAX_LEVELS levels after the session.
 */
export class LabTopicReader {
  static readonly MAX_LEVELS = 6;
  private topic = "";
  /** Where each "/" is, up to the one after the last level counted. */
  private readonly slashes = new Int32Array(LabTopicReader.MAX_LEVELS + 2);
  private count = 0;

  /** Reads a topic; false when it is not a lab topic (parseTopic would give undefined). */
  read(topic: string): boolean {
    this.topic = topic;
    let n = 0;
    for (let i = topic.indexOf("/"); i >= 0 && n < this.slashes.length; i = topic.indexOf("/", i + 1)) this.slashes[n++] = i;
    this.count = n;
    return n >= 2 && this.slashes[0] === TOPIC_ROOT.length && topic.startsWith(TOPIC_ROOT);
  }

  get session(): string {
    return this.topic.slice(this.slashes[0] + 1, this.slashes[1]);
  }

  /** Whether the session level is `session`, compared in place. */
  sessionIs(session: string): boolean {
    const start = this.slashes[0] + 1;
    return this.slashes[1] - start === session.length && this.topic.startsWith(session, start);
  }

  /** parseTopic's `rest.length`, counted up to MAX_LEVELS. */
  get restLength(): number {
    return Math.min(this.count - 1, LabTopicReader.MAX_LEVELS);
  }

  /** parseTopic's `rest[i]`, or "" past the last level (i < MAX_LEVELS). */
  rest(i: number): string {
    return i < this.restLength ? this.topic.slice(this.start(i), this.end(i)) : "";
  }

  /** Whether `rest[i]` is `level`, compared in place. */
  restIs(i: number, level: string): boolean {
    if (i >= this.restLength) return false;
    const start = this.start(i);
    return this.end(i) - start === level.length && this.topic.startsWith(level, start);
  }

  private start(i: number): number {
    return this.slashes[i + 1] + 1;
  }

  private end(i: number): number {
    return i + 2 < this.count ? this.slashes[i + 2] : this.topic.length;
  }
}

/** The session a topic or topic filter belongs to, or undefined (wildcards never match). */
export function sessionOfTopic(topic: string): string | undefined {
  const parsed = parseTopic(topic);
  if (!parsed || parsed.session === "+" || parsed.session === "#") return undefined;
  return parsed.session;
}
