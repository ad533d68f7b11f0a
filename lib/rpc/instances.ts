/**
 * Service instances (lesson 11): the lab serves every RPC service at
 * `/rpc/…` and also at `/instance/<n>/rpc/…` (and `/instance/<n>/…` on the
 * h2c port), n = 1 … SERVICE_INSTANCES. An instance is an address of its
 * own: the trace names it "UserService#2" and a fault rule can target it
 * alone (`target.service: "UserService#2"`), so one instance can be killed
 * while the other answers. Behind both addresses run the same handlers
 * over the session's one data store, like stateless replicas in front of
 * one database.
 */

/** How many addressable instances each RPC service has. */
export const SERVICE_INSTANCES = 2;

const PREFIX = /^\/instance\/(\d+)(?=\/)/;

/** The path prefix of instance n: "/instance/2". */
export function instancePrefix(n: number): string {
  return `/instance/${n}`;
}

/**
 * The instance a request path addresses and the path without the prefix:
 * "/instance/2/rpc/lab.v1.UserService/GetUser" → { instance: 2, path: "/rpc/lab.v1.UserService/GetUser" }.
 * A path without the prefix, or with an instance out of range, is returned as it is.
 */
export function instanceOfPath(path: string): { instance?: number; path: string } {
  const m = PREFIX.exec(path);
  if (!m) return { path };
  const n = Number(m[1]);
  if (!isInstance(n)) return { path };
  return { instance: n, path: path.slice(m[0].length) };
}

export function isInstance(n: number): boolean {
  return Number.isInteger(n) && n >= 1 && n <= SERVICE_INSTANCES;
}

/** The diagram's name of an instance: "UserService#2". */
export function instanceParticipant(service: string, n: number | undefined): string {
  return n === undefined ? service : `${service}#${n}`;
}

/** A fault target's service, with its instance when it names one: "UserService#2" → { service: "UserService", instance: 2 }. */
export function parseServiceTarget(target: string): { service: string; instance?: number } {
  const hash = target.indexOf("#");
  if (hash < 0) return { service: target };
  return { service: target.slice(0, hash), instance: Number(target.slice(hash + 1)) };
}
