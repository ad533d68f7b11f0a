/**
 * Small types shared by every decoder of the wire inspector.
 *
 * All offsets in this library are byte offsets into the buffer the caller
 * handed in, plus the caller's `baseOffset` when one was given, so a decoder
 * run on a slice of a larger capture (the payload of a gRPC frame, say) still
 * reports positions that line up with the hex dump of the whole capture.
 */

/** A run of bytes: `length` bytes starting at `offset`. */
export interface ByteRange {
  /** Offset of the first byte. */
  offset: number;
  /** Number of bytes; may be 0. */
  length: number;
}

/**
 * Why a decoder stopped. Decoders never throw on malformed input: they
 * return what they could decode plus one of these.
 */
export interface WireError {
  /** Offset of the byte (or of the start of the item) that could not be decoded. */
  offset: number;
  /** A sentence a learner can read, e.g. "truncated: LEN field 2 declares 10 bytes but only 3 remain". */
  reason: string;
}

/**
 * Thrown internally by the decoders and always caught before returning to
 * the caller; exported only so that the modules of this folder share it.
 *
 * @internal
 */
export class WireDecodeFailure extends Error {
  /** Offset of the offending byte. */
  readonly offset: number;
  /** Human readable reason. */
  readonly reason: string;

  /**
   * @param offset offset of the offending byte
   * @param reason human readable reason
   */
  constructor(offset: number, reason: string) {
    super(`${reason} (at byte ${offset})`);
    this.name = "WireDecodeFailure";
    this.offset = offset;
    this.reason = reason;
  }
}

/**
 * Turns anything caught by a decoder into a {@link WireError}.
 *
 * @internal
 */
export function toWireError(e: unknown, fallbackOffset: number): WireError {
  if (e instanceof WireDecodeFailure) return { offset: e.offset, reason: e.reason };
  const message = e instanceof Error ? e.message : String(e);
  return { offset: fallbackOffset, reason: `internal decoder error: ${message}` };
}
