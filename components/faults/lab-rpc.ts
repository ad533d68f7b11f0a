"use client";

import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";
import { LabService } from "@/lib/gen/lab/v1/lab_pb";
import { codeName } from "@/lib/rpc/codes";

/**
 * The fault panels' LabService client: Connect, binary, same origin — the
 * same transport as components/trace/lab-connection.ts (which does not export
 * its transport), so the session cookie names the same session.
 */
export const labRpc = createClient(LabService, createConnectTransport({ baseUrl: "/rpc", useBinaryFormat: true }));

/** The LabService methods the panels call, for error messages. */
export type LabRpcName = "SetFaults" | "ListFaults" | "ClearFaults" | "GetDefences" | "SetDefences" | "GetCounters" | "ResetSandbox";

/**
 * An RPC failure as a sentence a learner can act on: the server's own words
 * (ConnectError.rawMessage, without the "[code]" prefix) and the code.
 */
export function rpcErrorText(err: unknown, rpc: LabRpcName): string {
  const e = ConnectError.from(err);
  if (e.code === Code.Unimplemented) return `This server does not offer LabService.${rpc} yet.`;
  if (e.code === Code.InvalidArgument) return `The server refused it: ${e.rawMessage}`;
  if (e.code === Code.Unavailable || e.code === Code.Unknown) return `LabService.${rpc} failed: ${e.rawMessage || "the server did not answer"} (${codeName(e.code)}).`;
  return `LabService.${rpc} failed: ${e.rawMessage} (${codeName(e.code)}).`;
}

/** Whether an error says the server has no such RPC (yet). */
export function isUnimplemented(err: unknown): boolean {
  return ConnectError.from(err).code === Code.Unimplemented;
}
