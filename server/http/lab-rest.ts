import { create, fromJson, toJson, type DescMessage, type JsonValue } from "@bufbuild/protobuf";
import { Code, ConnectError, createContextValues, createHandlerContext, type ServiceImpl } from "@connectrpc/connect";
import { DefencesSchema } from "../../lib/gen/lab/v1/fault_pb";
import { LabService } from "../../lib/gen/lab/v1/lab_pb";
import { codeName, httpStatusForCode } from "../../lib/rpc/codes";
import { kHop, type Hop } from "../services/hop-context";
import type { AnyRequest, AnyResponse } from "./http-tap";
import { sendError, sendJson } from "./json-response";
import { BodyError, readJsonBody } from "./read-body";

type Impl = ServiceImpl<typeof LabService>;
type MethodName = "listFaults" | "setFaults" | "clearFaults" | "getDefences" | "setDefences" | "getCounters" | "resetSandbox";

/** REST routes of LabService's sandbox methods: the same handlers, JSON in and out (protobuf JSON mapping). */
const ROUTES: Record<string, Partial<Record<string, MethodName>>> = {
  "/rest/lab/faults": { GET: "listFaults", PUT: "setFaults", DELETE: "clearFaults" },
  "/rest/lab/defences": { GET: "getDefences", PUT: "setDefences", PATCH: "setDefences" },
  "/rest/lab/counters": { GET: "getCounters" },
  "/rest/lab/reset": { POST: "resetSandbox" },
};

/**
 * The REST equivalent of LabService's faults, defences, counters and
 * reset, for curl and scripts: `PUT /rest/lab/faults {"rules":[…]}`.
 * PATCH /rest/lab/defences merges the given fields into the current ones.
 */
export async function handleLabRest(impl: Impl, req: AnyRequest, res: AnyResponse, hop: Hop, maxBodyBytes: number): Promise<void> {
  const path = (req.url ?? "/").split("?")[0];
  const routes = ROUTES[path];
  if (!routes) return sendError(res, 404, "not_found", `no lab route ${path}; see ${Object.keys(ROUTES).join(", ")}`);
  const name = routes[req.method ?? "GET"];
  if (!name) {
    const allow = Object.keys(routes).join(", ");
    return sendError(res, 405, "method_not_allowed", `${req.method} is not allowed on ${path}`, {}, { allow });
  }
  const method = LabService.method[name];
  try {
    let body: unknown = {};
    if (req.method !== "GET" && req.method !== "DELETE") body = (await readJsonBody(req, maxBodyBytes)) ?? {};
    if (typeof body !== "object" || body === null || Array.isArray(body)) throw new ConnectError("the body must be a JSON object", Code.InvalidArgument);
    if (name === "setDefences" && req.method === "PATCH") {
      const current = toJson(DefencesSchema, hop.sandbox.defences) as Record<string, JsonValue>;
      const given = (body as { defences?: Record<string, JsonValue> }).defences ?? (body as Record<string, JsonValue>);
      body = { defences: { ...current, ...given } };
    }
    let input;
    try {
      input = fromJson(method.input as DescMessage, body as JsonValue);
    } catch (err) {
      throw new ConnectError(`body is not a ${method.input.typeName}: ${(err as Error).message}`, Code.InvalidArgument);
    }
    const ctx = createHandlerContext({
      service: LabService,
      method,
      protocolName: "rest",
      requestMethod: req.method ?? "GET",
      url: path,
      contextValues: createContextValues().set(kHop, hop),
    });
    const fn = impl[name] as (r: unknown, c: unknown) => unknown;
    const out = await fn(input, ctx);
    sendJson(res, 200, toJson(method.output as DescMessage, create(method.output as DescMessage, out as never)));
  } catch (err) {
    if (err instanceof BodyError) return sendError(res, err.status, err.code, err.message);
    const ce = ConnectError.from(err);
    sendError(res, httpStatusForCode(ce.code), codeName(ce.code), ce.rawMessage);
  }
}
