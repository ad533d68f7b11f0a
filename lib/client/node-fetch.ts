import http from "node:http";
import { Readable } from "node:stream";

/**
 * A fetch over node:http for the lab's Node clients: what REST, Connect and
 * gRPC-web need of fetch (method, headers, a string or byte body, a signal;
 * a streamed response) at about half the CPU of Node's WHATWG fetch per
 * call, which matters when the client is a load generator sharing the
 * machine with the server it measures. Connections are kept alive and
 * reused (RFC 9112 §9.3) unless the server answers `Connection: close`.
 *
 * Failures look like the global fetch's: no connection or a connection
 * lost before the answer (or, for a whole body, during it) rejects with a
 * TypeError whose cause is the socket error; an aborted signal rejects
 * with the signal's reason (a TimeoutError for AbortSignal.timeout); a
 * connection lost mid-stream errors the body stream.
 */
/** Content types whose messages arrive one by one: Connect streams and gRPC-web. */
const STREAMED = /^application\/(connect\+|grpc-web)/i;

export function createNodeFetch(agent = new http.Agent({ keepAlive: true, keepAliveMsecs: 1_000 })): typeof globalThis.fetch {
  return (input, init = {}) =>
    new Promise<Response>((resolve, reject) => {
      const url = new URL(typeof input === "string" ? input : input instanceof URL ? input.href : input.url);
      const signal = init.signal ?? undefined;
      if (signal?.aborted) return reject(signal.reason);
      const headers: Record<string, string> = {};
      const given = init.headers;
      if (given instanceof Headers || Array.isArray(given)) new Headers(given).forEach((v, k) => (headers[k] = v));
      else if (given) for (const [k, v] of Object.entries(given)) headers[k.toLowerCase()] = v;
      const body = init.body;
      if (body !== undefined && body !== null && typeof body !== "string" && !(body instanceof Uint8Array)) {
        return reject(new TypeError("this fetch sends only string or byte bodies"));
      }
      if (body !== undefined && body !== null) headers["content-length"] = String(typeof body === "string" ? Buffer.byteLength(body) : body.byteLength);
      const req = http.request(url, { method: init.method ?? "GET", headers, agent });
      let settled = false;
      let response: http.IncomingMessage | undefined;
      const onAbort = () => {
        // Before the answer the promise rejects; while the body streams, the stream errors — with the signal's reason either way.
        if (response) response.destroy(signal!.reason);
        else req.destroy();
        if (!settled) {
          settled = true;
          reject(signal!.reason);
        }
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      req.on("error", (err) => {
        signal?.removeEventListener("abort", onAbort);
        if (settled) return;
        settled = true;
        reject(new TypeError("fetch failed", { cause: err }));
      });
      req.on("response", (res) => {
        settled = true;
        response = res;
        const status = res.statusCode ?? 0;
        const h = new Headers();
        for (const [k, v] of Object.entries(res.headers)) {
          if (Array.isArray(v)) v.forEach((x) => h.append(k, x));
          else if (v !== undefined) h.set(k, v);
        }
        res.once("close", () => signal?.removeEventListener("abort", onAbort));
        const init2 = { status, statusText: res.statusMessage, headers: h };
        if (status === 204 || status === 304 || init.method === "HEAD") {
          res.resume();
          return resolve(new Response(null, init2));
        }
        // Streams (Connect and gRPC-web envelopes) are handed over as they
        // arrive; a whole body is read first, which spares web streams'
        // per-chunk cost on every unary answer.
        if (STREAMED.test(res.headers["content-type"] ?? "")) return resolve(new Response(Readable.toWeb(res) as ReadableStream<Uint8Array>, init2));
        const chunks: Buffer[] = [];
        let ended = false;
        const lost = (err: Error) => reject(signal?.aborted ? signal.reason : new TypeError("fetch failed", { cause: err }));
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          ended = true;
          const whole = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
          resolve(new Response(new Uint8Array(whole.buffer, whole.byteOffset, whole.byteLength) as Uint8Array<ArrayBuffer>, init2));
        });
        res.on("error", lost);
        res.on("close", () => ended || lost(new Error("the connection closed before the whole answer arrived")));
      });
      req.end(body ?? undefined);
    });
}
