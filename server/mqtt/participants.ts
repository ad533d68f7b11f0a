import type { LabTopicReader } from "../../lib/topics";

/** Client ids of the lab's own MQTT clients, and their names in the diagram. */
export const LAB_CLIENTS = {
  orders: { clientId: "wirelab-orders", participant: "OrderService" },
  users: { clientId: "wirelab-users", participant: "UserService" },
  inventory: { clientId: "wirelab-inventory", participant: "Inventory" },
  notification: { clientId: "wirelab-notification", participant: "Notification" },
} as const;

const byClientId = new Map<string, string>(Object.values(LAB_CLIENTS).map((c) => [c.clientId, c.participant]));

/** A session's own service client id: `wirelab-inventory-<session>` (plus `-<pid>` on a shared broker). */
const SESSION_CLIENT = /^wirelab-(?:orders|inventory|notification)-([a-z0-9]{8,32})(?:-\d+)?$/;

/** The session a lab service client serves, from its client id; undefined for any other client. */
export function sessionOfServiceClient(clientId: string): string | undefined {
  return SESSION_CLIENT.exec(clientId)?.[1];
}

/** The broker's name in every diagram. */
export const BROKER = "Broker";

/**
 * A client's name in the diagram: the lab's own services by name, a page
 * as "Browser", Mosquitto's tools by the client id the lab's commands give
 * them (`-i mosquitto_pub-<session>`),
 * anyone else by its client id.
 */
export function participantForClientId(clientId: string): string {
  // On a shared external broker the lab's clients add "-<pid>" to stay
  // unique; a session's own service clients add "-<session>".
  const base = clientId.replace(/-\d+$/, "");
  const known = byClientId.get(base) ?? byClientId.get(base.replace(/-[a-z0-9]{8,32}$/, ""));
  if (known) return known;
  if (clientId.startsWith("wirelab-browser")) return "Browser";
  // A client that names its own lifeline: "wirelab-as-Logistics-<session>"
  // (a lesson's learner-controlled consumer) is drawn as "Logistics".
  const named = /^wirelab-as-([A-Za-z][A-Za-z0-9_]{0,23})-/.exec(clientId);
  if (named) return named[1];
  if (clientId.startsWith("wirelab-node")) return "Node client";
  if (clientId.startsWith("mosquitto_pub")) return "mosquitto_pub";
  if (clientId.startsWith("mosquitto_sub")) return "mosquitto_sub";
  if (clientId.startsWith("mosq")) return "mosquitto";
  if (clientId.startsWith("mqttjs")) return "MQTT.js";
  return clientId.length > 24 ? clientId.slice(0, 23) + "…" : clientId || "MQTT client";
}

/** Request and response type names by method, made once: every traced request/reply PUBLISH names one. */
const rpcTypes = { rpc: new Map<string, string>(), reply: new Map<string, string>() };

/** The last method named by requests and by replies, compared in place first: calls come in runs of one method (no string made for the level). */
const lastRpc = { rpc: { method: "", type: "" }, reply: { method: "", type: "" } };

/** The lab's payload type for a lab topic (read with `topic.read` first), so the inspector can decode protobuf payloads. */
export function messageTypeForTopic(topic: LabTopicReader): string {
  if (topic.restIs(0, "events") && topic.restIs(1, "order.created")) return "lab.v1.OrderCreated";
  const request = topic.restIs(0, "rpc");
  if ((request || topic.restIs(0, "reply")) && topic.restLength >= 3) {
    const last = request ? lastRpc.rpc : lastRpc.reply;
    if (last.method !== "" && topic.restIs(2, last.method)) return last.type;
    const types = request ? rpcTypes.rpc : rpcTypes.reply;
    const method = topic.rest(2);
    let type = types.get(method);
    if (type === undefined) {
      type = `lab.v1.${method}${request ? "Request" : "Response"}`;
      // Method names in topics are whatever a client publishes: only the first few hundred are kept.
      if (types.size < 256) types.set(method, type);
    }
    last.method = method;
    last.type = type;
    return type;
  }
  return "";
}
