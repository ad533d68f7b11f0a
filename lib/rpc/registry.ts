import type { DescMethod, DescService } from "@bufbuild/protobuf";
import { LabService } from "../gen/lab/v1/lab_pb";
import { EchoService, MeasureService } from "../gen/lab/v1/measure_pb";
import { OrderService } from "../gen/lab/v1/order_pb";
import { UserService } from "../gen/lab/v1/user_pb";

/** The services a learner can call. */
export const DEMO_SERVICES: readonly DescService[] = [UserService, OrderService, EchoService];

/**
 * The lab's own plumbing: not traced, not counted as the session's
 * requests, and never hit by its fault rules (a latency rule must not slow
 * down the fault panel, nor the load run that measures it).
 */
export const CONTROL_SERVICES: readonly DescService[] = [LabService, MeasureService];

const controlNames = new Set(CONTROL_SERVICES.map((s) => s.typeName));

/** Whether a service ("lab.v1.LabService") is the lab's own plumbing. */
export function isControlService(typeName: string): boolean {
  return controlNames.has(typeName);
}

const byPath = new Map<string, DescMethod>();
for (const service of [...DEMO_SERVICES, ...CONTROL_SERVICES]) {
  for (const method of service.methods) byPath.set(`${service.typeName}/${method.name}`, method);
}

/**
 * The method an RPC path names: "/lab.v1.UserService/GetUser" (gRPC's
 * standard path, PROTOCOL-HTTP2 "Path") or the same under a prefix such as
 * "/rpc/".
 */
export function methodForPath(path: string): DescMethod | undefined {
  const clean = path.split("?")[0];
  const parts = clean.split("/").filter(Boolean);
  if (parts.length < 2) return undefined;
  return byPath.get(`${parts[parts.length - 2]}/${parts[parts.length - 1]}`);
}

/** A service's participant name in the diagram: "lab.v1.UserService" → "UserService". */
export function participantForService(typeName: string): string {
  return typeName.slice(typeName.lastIndexOf(".") + 1);
}
