import { fromBinary, type DescMethod } from "@bufbuild/protobuf";
import type { AnyRequest } from "../http/http-tap";

/**
 * Why a binary request body is not the method's input message, or
 * undefined when it is (or is not binary protobuf at all).
 *
 * connect-es reports an undecodable binary request as `internal`; the lab
 * answers `invalid_argument` (the client sent a bad argument, gRPC
 * doc/statuscodes.md), so it checks the body first. Bodies are small
 * (MAX_BODY_BYTES), so reading one ahead costs little.
 */
export function invalidBinaryBody(method: DescMethod, contentType: string, body: Uint8Array): string | undefined {
  const ct = contentType.toLowerCase().split(";")[0].trim();
  const decode = (bytes: Uint8Array) => {
    try {
      fromBinary(method.input, bytes);
      return undefined;
    } catch (err) {
      return `request is not a valid ${method.input.typeName}: ${(err as Error).message}`;
    }
  };
  if (ct === "application/proto") return decode(body);
  const enveloped = ct === "application/grpc" || ct === "application/grpc+proto" || ct === "application/grpc-web" || ct === "application/grpc-web+proto" || ct === "application/connect+proto";
  if (!enveloped) return undefined;
  // Length-Prefixed-Message (gRPC PROTOCOL-HTTP2): flag byte, 4-byte length, message.
  let offset = 0;
  while (offset + 5 <= body.length) {
    const flags = body[offset];
    const length = new DataView(body.buffer, body.byteOffset + offset + 1, 4).getUint32(0);
    const end = offset + 5 + length;
    if (end > body.length) return undefined; // incomplete: let the protocol handler report it
    if ((flags & 0x01) === 0) {
      const problem = decode(body.subarray(offset + 5, end));
      if (problem) return problem;
    }
    offset = end;
  }
  return undefined;
}

/**
 * Makes the request yield `body` to whoever iterates it next (the Connect
 * adapter) instead of what came off the socket.
 */
export function replayBody(req: AnyRequest, body: Uint8Array): void {
  (req as unknown as { [Symbol.asyncIterator]: () => AsyncGenerator<Uint8Array> })[Symbol.asyncIterator] = async function* () {
    if (body.length > 0) yield body;
  };
}

/**
 * An empty message in the content type's framing: what the adapter is
 * given in place of an invalid body, so the request reaches the
 * interceptor that answers invalid_argument.
 */
export function emptyBody(contentType: string): Uint8Array {
  return /grpc|connect\+/i.test(contentType) ? new Uint8Array(5) : new Uint8Array(0);
}

/**
 * Reads a request body of at most `limit + 1` bytes and makes the request
 * replay it to whoever iterates it next (the Connect adapter), so the body
 * can be checked before the protocol handler sees it.
 */
export async function readAhead(req: AnyRequest, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    chunks.push(chunk);
    size += chunk.length;
    if (size > limit) break;
  }
  const body = Buffer.concat(chunks);
  replayBody(req, body);
  return body;
}
