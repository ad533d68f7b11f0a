import { Code } from "@connectrpc/connect";

/**
 * Connect's spelling of a gRPC status code ("not_found" for 5), as in the
 * Connect protocol's error codes table and gRPC's doc/statuscodes.md.
 */
export function codeName(code: Code | number): string {
  if (code === 0) return "ok";
  const name = Code[code as Code];
  if (name === undefined) return "unknown";
  return name.replace(/[A-Z]/g, (c, i: number) => (i === 0 ? "" : "_") + c.toLowerCase());
}

/**
 * The HTTP status a REST gateway answers for an RPC code — the mapping of
 * the Connect protocol ("Error Codes" table), so REST, Connect and gRPC
 * tell the learner the same thing.
 */
export function httpStatusForCode(code: Code): number {
  switch (code) {
    case Code.Canceled:
      return 499;
    case Code.InvalidArgument:
    case Code.FailedPrecondition:
    case Code.OutOfRange:
      return 400;
    case Code.DeadlineExceeded:
      return 504;
    case Code.NotFound:
      return 404;
    case Code.AlreadyExists:
    case Code.Aborted:
      return 409;
    case Code.PermissionDenied:
      return 403;
    case Code.ResourceExhausted:
      return 429;
    case Code.Unimplemented:
      return 501;
    case Code.Unavailable:
      return 503;
    case Code.Unauthenticated:
      return 401;
    default:
      return 500;
  }
}

/** The code for Connect's spelling ("unavailable" → 14), or undefined for an unknown name. */
export function codeFromName(name: string): Code | undefined {
  if (name === "ok") return 0 as Code;
  for (let c = 1; c <= 16; c++) if (codeName(c) === name) return c as Code;
  return undefined;
}
