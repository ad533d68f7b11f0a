import http from "node:http";
import { Readable } from "node:stream";
import type { RestRequester } from "./types";

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

/**
 * REST's requester for Node (LabClientOptions.restRequest): one
 * http.request on a kept-alive connection, the answer's bytes gathered and
 * handed back, and the deadline a plain timer. No WHATWG Request, Response,
 * Headers or AbortSignal per call, and no URL parsed after an origin's
 * first call; that is the client's work per request about halved against
 * createNodeFetch, which matters when the caller is a load generator on
 * the cores of the server it measures. Plain HTTP only, as createNodeFetch.
 *
 * Failures are fetch's: the deadline passing rejects with a DOMException
 * named "TimeoutError" (as AbortSignal.timeout's); no connection, or one
 * lost before the whole answer, with TypeError("fetch failed") whose cause
 * is the socket error.
 */
export function createNodeRestRequester(agent = new http.Agent({ keepAlive: true, keepAliveMsecs: 1_000 })): RestRequester {
  const origins = new Map<string, { hostname: string; port: string }>();
  return ({ method, url, headers, body, timeoutMs }) =>
    new Promise((resolve, reject) => {
      const slash = url.indexOf("/", url.indexOf("//") + 2);
      const origin = slash < 0 ? url : url.slice(0, slash);
      let at = origins.get(origin);
      if (!at) {
        const u = new URL(origin);
        if (u.protocol !== "http:") return reject(new TypeError(`this requester speaks plain HTTP only, not ${u.protocol}`));
        at = { hostname: u.hostname.replace(/^\[|\]$/g, ""), port: u.port || "80" };
        origins.set(origin, at);
      }
      const h = body === undefined ? headers : { ...headers, "content-length": String(Buffer.byteLength(body)) };
      const req = http.request({ hostname: at.hostname, port: at.port, path: slash < 0 ? "/" : url.slice(slash), method, headers: h, agent });
      let settled = false;
      let timer: NodeJS.Timeout | undefined;
      const fail = (err: unknown) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        reject(err);
      };
      if (timeoutMs !== undefined) {
        timer = setTimeout(() => {
          fail(new DOMException("The operation was aborted due to timeout", "TimeoutError"));
          req.destroy();
        }, timeoutMs);
      }
      req.on("error", (err) => fail(new TypeError("fetch failed", { cause: err })));
      req.on("response", (res) => {
        const chunks: Buffer[] = [];
        let ended = false;
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          ended = true;
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          const whole = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
          resolve({ status: res.statusCode ?? 0, statusText: res.statusMessage ?? "", body: new Uint8Array(whole.buffer, whole.byteOffset, whole.byteLength) });
        });
        res.on("error", (err) => fail(new TypeError("fetch failed", { cause: err })));
        res.on("close", () => ended || fail(new TypeError("fetch failed", { cause: new Error("the connection closed before the whole answer arrived") })));
      });
      req.end(body);
    });
}
