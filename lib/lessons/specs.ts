/**
 * The specifications lessons cite, so every protocol claim names its
 * clause the same way everywhere: `<Cite spec="rfc9110" section="15.4.5" />`
 * renders "RFC 9110 §15.4.5" linked to the clause.
 */
export interface SpecInfo {
  /** How the citation reads ("RFC 9110"). */
  name: string;
  /** The document. */
  url: string;
  /** The link to one section, when the document has stable anchors. */
  section?: (section: string) => string;
}

export const SPECS = {
  rfc9110: { name: "RFC 9110", url: "https://www.rfc-editor.org/rfc/rfc9110", section: (s: string) => `https://www.rfc-editor.org/rfc/rfc9110#section-${s}` },
  rfc9111: { name: "RFC 9111", url: "https://www.rfc-editor.org/rfc/rfc9111", section: (s: string) => `https://www.rfc-editor.org/rfc/rfc9111#section-${s}` },
  rfc9112: { name: "RFC 9112", url: "https://www.rfc-editor.org/rfc/rfc9112", section: (s: string) => `https://www.rfc-editor.org/rfc/rfc9112#section-${s}` },
  rfc9113: { name: "RFC 9113", url: "https://www.rfc-editor.org/rfc/rfc9113", section: (s: string) => `https://www.rfc-editor.org/rfc/rfc9113#section-${s}` },
  rfc6455: { name: "RFC 6455", url: "https://www.rfc-editor.org/rfc/rfc6455", section: (s: string) => `https://www.rfc-editor.org/rfc/rfc6455#section-${s}` },
  "mqtt-3.1.1": { name: "MQTT 3.1.1", url: "https://docs.oasis-open.org/mqtt/mqtt/v3.1.1/os/mqtt-v3.1.1-os.html" },
  "grpc-http2": { name: "gRPC PROTOCOL-HTTP2", url: "https://github.com/grpc/grpc/blob/master/doc/PROTOCOL-HTTP2.md" },
  "grpc-web": { name: "gRPC PROTOCOL-WEB", url: "https://github.com/grpc/grpc/blob/master/doc/PROTOCOL-WEB.md" },
  "grpc-status": { name: "gRPC status codes", url: "https://github.com/grpc/grpc/blob/master/doc/statuscodes.md" },
  connect: { name: "Connect protocol", url: "https://connectrpc.com/docs/protocol/" },
  protobuf: { name: "Protobuf encoding", url: "https://protobuf.dev/programming-guides/encoding/" },
  "proto-json": { name: "ProtoJSON", url: "https://protobuf.dev/programming-guides/json/" },
  fetch: { name: "WHATWG Fetch", url: "https://fetch.spec.whatwg.org/" },
  rfc9293: { name: "RFC 9293", url: "https://www.rfc-editor.org/rfc/rfc9293", section: (s: string) => `https://www.rfc-editor.org/rfc/rfc9293#section-${s}` },
  rfc8446: { name: "RFC 8446", url: "https://www.rfc-editor.org/rfc/rfc8446", section: (s: string) => `https://www.rfc-editor.org/rfc/rfc8446#section-${s}` },
  "idempotency-key": {
    name: "draft-ietf-httpapi-idempotency-key-header",
    url: "https://datatracker.ietf.org/doc/draft-ietf-httpapi-idempotency-key-header/",
    section: (s: string) => `https://datatracker.ietf.org/doc/html/draft-ietf-httpapi-idempotency-key-header#section-${s}`,
  },
  // lessons 9–12
  "aws-backoff": { name: "AWS Architecture Blog, “Exponential Backoff And Jitter”", url: "https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/" },
  "grpc-retry": { name: "gRPC A6 (client retries)", url: "https://github.com/grpc/proposal/blob/master/A6-client-retries.md" },
  "sre-overload": { name: "Google SRE book, “Handling Overload”", url: "https://sre.google/sre-book/handling-overload/" },
  "grpc-lb": { name: "gRPC load balancing", url: "https://github.com/grpc/grpc/blob/master/doc/load-balancing.md" },
  "grpc-outlier": { name: "gRPC A50 (outlier detection)", url: "https://github.com/grpc/proposal/blob/master/A50-xds-outlier-detection.md" },
  wrk2: { name: "wrk2 (coordinated omission)", url: "https://github.com/giltene/wrk2" },
} as const satisfies Record<string, SpecInfo>;

export type SpecId = keyof typeof SPECS;

export function isSpecId(id: string): id is SpecId {
  return Object.hasOwn(SPECS, id);
}

/** "RFC 9110 §15.4.5" and its link. */
export function citation(id: SpecId, section?: string): { text: string; href: string } {
  const spec: SpecInfo = SPECS[id];
  return {
    text: section ? `${spec.name} §${section}` : spec.name,
    href: section && spec.section ? spec.section(section) : spec.url,
  };
}
