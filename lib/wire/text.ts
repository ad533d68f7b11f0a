/**
 * UTF-8 and printable-text helpers shared by the decoders.
 *
 * Uses the WHATWG Encoding API (`TextDecoder`), available in browsers and in
 * Node, so that the library runs on both.
 */

// `fatal: true` makes invalid UTF-8 (RFC 3629 §3) an error instead of U+FFFD;
// `ignoreBOM: true` keeps a leading U+FEFF as a character so the decoded text
// accounts for every byte on the wire.
const strictDecoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const lenientDecoder = new TextDecoder("utf-8", { fatal: false, ignoreBOM: true });

/**
 * Decodes UTF-8, returning `undefined` when the bytes are not well-formed
 * UTF-8 (RFC 3629): overlong forms, surrogates, truncated sequences, …
 */
export function decodeUtf8Strict(bytes: Uint8Array): string | undefined {
  try {
    return strictDecoder.decode(bytes);
  } catch {
    return undefined;
  }
}

/** Decodes UTF-8, replacing malformed sequences with U+FFFD. */
export function decodeUtf8Lenient(bytes: Uint8Array): string {
  return lenientDecoder.decode(bytes);
}

/**
 * Whether a code point is something a person would call "text": not a C0 or
 * C1 control character (tab, line feed and carriage return excepted), not
 * DEL, not a lone surrogate or a noncharacter.
 */
export function isPrintableCodePoint(cp: number): boolean {
  if (cp === 0x09 || cp === 0x0a || cp === 0x0d) return true;
  if (cp < 0x20) return false;
  if (cp >= 0x7f && cp <= 0x9f) return false;
  if (cp >= 0xd800 && cp <= 0xdfff) return false;
  if (cp === 0xfffe || cp === 0xffff) return false;
  return true;
}

/** Share (0…1) of the code points of `text` that are printable; 1 for "". */
export function printableRatio(text: string): number {
  let total = 0;
  let printable = 0;
  for (const ch of text) {
    total++;
    if (isPrintableCodePoint(ch.codePointAt(0) ?? 0)) printable++;
  }
  return total === 0 ? 1 : printable / total;
}

/** A printable ASCII character for a byte, or "." (the `hexdump -C` convention). */
export function asciiChar(byte: number): string {
  return byte >= 0x20 && byte < 0x7f ? String.fromCharCode(byte) : ".";
}

/** Lower-case hex of one byte, two digits. */
export function hexByte(byte: number): string {
  return byte.toString(16).padStart(2, "0");
}

/**
 * Lower-case hex of some bytes separated by `separator`, cut after `max`
 * bytes with an ellipsis.
 */
export function toHex(bytes: Uint8Array, separator = " ", max = Infinity): string {
  const n = Math.min(bytes.length, max);
  const parts: string[] = [];
  for (let i = 0; i < n; i++) parts.push(hexByte(bytes[i]));
  return parts.join(separator) + (bytes.length > n ? `${separator}…` : "");
}

/**
 * Parses hex text such as "0a 05 41 6c" or "0a05416c" (whitespace, commas
 * and "0x" prefixes ignored) into bytes. Throws on odd length or non-hex.
 */
export function fromHex(hex: string): Uint8Array {
  const clean = hex.replace(/0x/gi, "").replace(/[\s,:]/g, "");
  if (clean.length % 2 !== 0) throw new Error(`hex text has an odd number of digits (${clean.length})`);
  if (!/^[0-9a-fA-F]*$/.test(clean)) throw new Error("hex text contains a non-hex character");
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(i * 2, i * 2 + 2), 16);
  return out;
}
