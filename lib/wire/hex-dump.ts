/**
 * Hex dumps: rows of offset, hex bytes and ASCII, in the layout of
 * `hexdump -C` / `xxd`, as structured rows for a React component and as
 * plain text.
 *
 * Highlights are byte ranges in the same coordinates as the decoders'
 * offsets (`baseOffset` included), so a field from `decodeProtobuf` or
 * `decodeMqttPacket` can be passed straight in.
 */

import { asciiChar, hexByte } from "./text";
import type { ByteRange } from "./types";

/** A byte range to mark in the dump. */
export interface HexHighlight extends ByteRange {
  /** Identifies the range, e.g. the path of a field ("user.name") or "frame-0-prefix". */
  id: string;
  /** Text for a tooltip or legend. */
  label?: string;
  /** A style hint for the renderer ("tag", "length", "value", "framing", …). */
  tone?: string;
}

/** One byte of a row. */
export interface HexCell {
  /** Offset of the byte (including `baseOffset`). */
  offset: number;
  /** Column within the row, 0-based. */
  column: number;
  /** The byte value (0–255). */
  byte: number;
  /** Two lower-case hex digits, or "••" when redacted. */
  hex: string;
  /** The ASCII character, "." when not printable, "•" when redacted. */
  char: string;
  /** Ids of every highlight covering the byte, in the order given. */
  highlightIds: string[];
  /** The innermost (shortest) highlight covering the byte, to colour it. */
  highlight?: HexHighlight;
  /** The byte is the first of its innermost highlight (round the left corner). */
  highlightStart: boolean;
  /** The byte is the last of its innermost highlight (round the right corner). */
  highlightEnd: boolean;
  /** The byte is secret (e.g. an MQTT password) and must not be shown. */
  redacted: boolean;
}

/** One row of the dump. */
export interface HexRow {
  /** Offset of the row's first byte. */
  offset: number;
  /** The offset as zero-padded hex, e.g. "00000010". */
  offsetLabel: string;
  /** The row's bytes; the last row may have fewer than `bytesPerRow`. */
  cells: HexCell[];
  /** Empty columns to pad the last row to the full width. */
  padding: number;
}

/** Options of {@link hexDumpRows} and {@link hexDumpString}. */
export interface HexDumpOptions {
  /** Bytes per row. Default 16. */
  bytesPerRow?: number;
  /** Offset of `bytes[0]` in the coordinates of highlights and labels. Default 0. */
  baseOffset?: number;
  /** Ranges to mark. */
  highlights?: HexHighlight[];
  /** Ranges whose bytes are hidden. */
  redact?: ByteRange[];
  /** Hex digits of the offset column. Default 8. */
  offsetDigits?: number;
}

/**
 * Lays out bytes as rows of cells for rendering, with highlight and
 * redaction information on each cell.
 */
export function hexDumpRows(bytes: Uint8Array, options: HexDumpOptions = {}): HexRow[] {
  const perRow = Math.max(1, Math.floor(options.bytesPerRow ?? 16));
  const base = options.baseOffset ?? 0;
  const digits = options.offsetDigits ?? 8;
  const highlights = options.highlights ?? [];
  const redact = options.redact ?? [];
  const rows: HexRow[] = [];
  for (let rowStart = 0; rowStart < bytes.length; rowStart += perRow) {
    const cells: HexCell[] = [];
    const rowEnd = Math.min(bytes.length, rowStart + perRow);
    for (let i = rowStart; i < rowEnd; i++) {
      const offset = base + i;
      const byte = bytes[i];
      const covering = highlights.filter((h) => contains(h, offset));
      const inner = innermost(covering);
      const redacted = redact.some((r) => contains(r, offset));
      const cell: HexCell = {
        offset,
        column: i - rowStart,
        byte,
        hex: redacted ? "••" : hexByte(byte),
        char: redacted ? "•" : asciiChar(byte),
        highlightIds: covering.map((h) => h.id),
        highlightStart: inner !== undefined && offset === inner.offset,
        highlightEnd: inner !== undefined && offset === inner.offset + inner.length - 1,
        redacted,
      };
      if (inner) cell.highlight = inner;
      cells.push(cell);
    }
    rows.push({
      offset: base + rowStart,
      offsetLabel: (base + rowStart).toString(16).padStart(digits, "0"),
      cells,
      padding: perRow - cells.length,
    });
  }
  return rows;
}

/**
 * Formats bytes like `hexdump -C`:
 *
 *     00000000  0a 0b 08 fb ff ff ff ff  ff ff ff 01 12 06 e5 bc  |................|
 *
 * With highlights, a line of `^^` under each row marks the highlighted
 * bytes. Redacted bytes print as `**` and `*`.
 */
export function hexDumpString(bytes: Uint8Array, options: HexDumpOptions = {}): string {
  const perRow = Math.max(1, Math.floor(options.bytesPerRow ?? 16));
  // hexdump -C puts an extra space between the two halves of a 16-byte row.
  const half = perRow % 2 === 0 && perRow >= 16 ? perRow / 2 : -1;
  const rows = hexDumpRows(bytes, options);
  const marking = (options.highlights?.length ?? 0) > 0;
  const lines: string[] = [];
  for (const row of rows) {
    let hex = "";
    let marks = "";
    for (let col = 0; col < perRow; col++) {
      const cell = row.cells[col];
      if (col === half) {
        hex += " ";
        marks += " ";
      }
      hex += cell ? (cell.redacted ? "**" : cell.hex) : "  ";
      marks += cell && cell.highlightIds.length > 0 ? "^^" : "  ";
      if (col < perRow - 1) {
        hex += " ";
        marks += " ";
      }
    }
    const ascii = row.cells.map((c) => (c.redacted ? "*" : c.char)).join("");
    lines.push(`${row.offsetLabel}  ${hex}  |${ascii}|`);
    if (marking && row.cells.some((c) => c.highlightIds.length > 0)) {
      lines.push(`${" ".repeat(row.offsetLabel.length)}  ${marks}`.trimEnd());
    }
  }
  return lines.join("\n");
}

/** The highlights covering `offset`, innermost (shortest) first. */
export function highlightsAt(offset: number, highlights: readonly HexHighlight[]): HexHighlight[] {
  return highlights.filter((h) => contains(h, offset)).sort((a, b) => a.length - b.length);
}

function contains(r: ByteRange, offset: number): boolean {
  return offset >= r.offset && offset < r.offset + r.length;
}

function innermost(hs: HexHighlight[]): HexHighlight | undefined {
  let best: HexHighlight | undefined;
  for (const h of hs) if (!best || h.length <= best.length) best = h;
  return best;
}
