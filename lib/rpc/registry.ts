import type { DescMethod, DescService } from "@bufbuild/protobuf";
import { LabService } from "../gen/lab/v1/lab_pb";
import { OrderService } from "../gen/lab/v1/order_pb";
import { UserService } from "../gen/lab/v1/user_pb";

/** The services a learner can call (LabService is the lab's own plumbing). */
export const DEMO_SERVICES: readonly DescService[] = [UserService, OrderService];

const byPath = new Map<string, DescMethod>();
for (const service of [...DEMO_SERVICES, LabService]) {
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
