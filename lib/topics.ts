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

/** The session a topic or topic filter belongs to, or undefined (wildcards never match). */
export function sessionOfTopic(topic: string): string | undefined {
  const parsed = parseTopic(topic);
  if (!parsed || parsed.session === "+" || parsed.session === "#") return undefined;
  return parsed.session;
}
