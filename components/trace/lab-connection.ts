"use client";

import { createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";
import { LabService } from "@/lib/gen/lab/v1/lab_pb";

/** The page's LabService client over Connect on the same origin (binary: the trace stream is the page's busiest call). */
export const labService = createClient(LabService, createConnectTransport({ baseUrl: "/rpc", useBinaryFormat: true }));
