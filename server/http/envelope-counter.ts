/**
 * Counts length-prefixed messages in a body as it streams past: the 5-byte
 * prefix (1 flag byte + 4-byte big-endian length) of gRPC (PROTOCOL-HTTP2
 * "Length-Prefixed-Message"), gRPC-web and Connect streaming. The prefixes
 * are the framing bytes of the trace's byte breakdown.
 */
export class EnvelopeCounter {
  frames = 0;
  /** Bytes still to skip of the current message body. */
  private remaining = 0;
  /** Prefix bytes gathered so far (a prefix may span chunks). */
  private prefix: number[] = [];

  push(chunk: Uint8Array): void {
    let i = 0;
    while (i < chunk.length) {
      if (this.remaining > 0) {
        const take = Math.min(this.remaining, chunk.length - i);
        this.remaining -= take;
        i += take;
        continue;
      }
      this.prefix.push(chunk[i++]);
      if (this.prefix.length === 5) {
        const p = this.prefix;
        this.remaining = ((p[1] << 24) >>> 0) + (p[2] << 16) + (p[3] << 8) + p[4];
        this.prefix = [];
        this.frames++;
      }
    }
  }

  get framingBytes(): number {
    return this.frames * 5;
  }
}
