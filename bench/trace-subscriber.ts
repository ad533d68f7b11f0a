/**
 * A page's trace stream, in its own process so decoding events does not
 * steal time from the load generator: follows one session's StreamTrace
 * light, as the page does (whole events are fetched with GetEvents only
 * when inspected), and prints the number of events it received when stopped.
 */
import { createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { LabService } from "../lib/gen/lab/v1/lab_pb";

const [port, session] = process.argv.slice(2);
const lab = createClient(LabService, createConnectTransport({ baseUrl: `http://127.0.0.1:${port}/rpc`, httpVersion: "1.1" }));
const abort = new AbortController();
let events = 0;
process.on("SIGTERM", () => abort.abort());
try {
  for await (const batch of lab.streamTrace({ light: true }, { signal: abort.signal, headers: { "x-lab-session": session } })) events += batch.events.length;
} catch {
  // aborted
}
process.stdout.write(String(events));
process.exit(0);
