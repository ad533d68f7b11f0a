import type { ModeName } from "./client";

/** The calls a learner can make from the playground and lessons. */
export type CallName = "GetUser" | "CreateUser" | "ListUsers" | "CreateOrder";

export const CALLS: readonly CallName[] = ["GetUser", "CreateUser", "ListUsers", "CreateOrder"];

/** Default input of each call, as the JSON a learner edits. */
export const DEFAULT_INPUT: Record<CallName, string> = {
  GetUser: `{ "id": 123 }`,
  CreateUser: `{ "name": "李四", "email": "lisi@example.com" }`,
  ListUsers: `{ "limit": 0, "intervalMs": 150 }`,
  CreateOrder: `{ "userId": 1, "sku": "sku-book", "quantity": 1 }`,
};

export interface Endpoints {
  /** e.g. "localhost" */
  host: string;
  httpPort: number;
  grpcPort: number;
  mqttPort: number;
  session: string;
}

const SERVICE: Record<CallName, string> = {
  GetUser: "lab.v1.UserService",
  CreateUser: "lab.v1.UserService",
  ListUsers: "lab.v1.UserService",
  CreateOrder: "lab.v1.OrderService",
};

function shq(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The input as protobuf JSON for the RPC (int64 as strings, field names as in proto JSON). */
function rpcJson(call: CallName, input: Record<string, unknown>): string {
  if (call === "GetUser") return JSON.stringify({ id: String(input.id ?? "") });
  if (call === "CreateOrder") return JSON.stringify({ userId: String(input.userId ?? ""), sku: input.sku, quantity: input.quantity });
  return JSON.stringify(input);
}

/**
 * The same call as a command a learner can paste in a terminal, with their
 * session filled in so its traffic shows up in their own trace.
 */
export function commandFor(mode: ModeName, call: CallName, input: Record<string, unknown>, ep: Endpoints): string {
  const http = `http://${ep.host}:${ep.httpPort}`;
  const session = `x-lab-session: ${ep.session}`;
  const svc = SERVICE[call];
  switch (mode) {
    case "rest": {
      const h = `-H ${shq(session)}`;
      if (call === "GetUser") return `curl -i ${h} ${http}/rest/users/${input.id}`;
      if (call === "ListUsers") return `curl -i ${h} ${http}/rest/users`;
      const path = call === "CreateUser" ? "/rest/users" : "/rest/orders";
      return `curl -i ${h} -H 'content-type: application/json' \\\n  -d ${shq(JSON.stringify(input))} ${http}${path}`;
    }
    case "connect":
    case "grpc-web":
      return `npx buf curl --schema proto --protocol ${mode === "connect" ? "connect" : "grpcweb"} \\\n  -H ${shq(session)} -d ${shq(rpcJson(call, input))} \\\n  ${http}/rpc/${svc}/${call}`;
    case "grpc":
      return `npx buf curl --schema proto --protocol grpc --http2-prior-knowledge \\\n  -H ${shq(session)} -d ${shq(rpcJson(call, input))} \\\n  http://${ep.host}:${ep.grpcPort}/${svc}/${call}`;
    case "mqtt": {
      const base = `lab/${ep.session}`;
      return `mosquitto_sub -h ${ep.host} -p ${ep.mqttPort} -u ${ep.session} -i mosquitto_sub-${ep.session} -q 1 \\\n  -t ${shq(`${base}/reply/#`)} -v &\nmosquitto_pub -h ${ep.host} -p ${ep.mqttPort} -u ${ep.session} -i mosquitto_pub-${ep.session} -q 1 \\\n  -t ${base}/rpc/${svc}/${call}/cli1 -m ${shq(rpcJson(call, input))}`;
    }
  }
}

