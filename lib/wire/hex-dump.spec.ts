import { describe, expect, it } from "vitest";
import { hexDumpRows, hexDumpString, highlightsAt, type HexHighlight } from "./hex-dump";
import { fromHex, toHex } from "./text";

const enc = new TextEncoder();

describe("hexDumpString", () => {
  it("matches `hexdump -C` (without its final offset line)", () => {
    const bytes = Uint8Array.of(...enc.encode("Hello World, wire!"), 0x00, 0x01, 0xff);
    expect(hexDumpString(bytes)).toBe(
      [
        "00000000  48 65 6c 6c 6f 20 57 6f  72 6c 64 2c 20 77 69 72  |Hello World, wir|",
        "00000010  65 21 00 01 ff                                    |e!...|",
      ].join("\n"),
    );
  });

  it("marks highlighted bytes under the row and hides redacted ones", () => {
    const bytes = fromHex("10 0c 00 04 4d 51 54 54 04 c2 00 3c");
    const out = hexDumpString(bytes, { bytesPerRow: 8, highlights: [{ id: "name", offset: 2, length: 6 }], redact: [{ offset: 10, length: 2 }] });
    expect(out.split("\n")).toEqual([
      "00000000  10 0c 00 04 4d 51 54 54  |....MQTT|",
      "                ^^ ^^ ^^ ^^ ^^ ^^",
      "00000008  04 c2 ** **              |..**|",
    ]);
  });

  it("returns an empty string for no bytes", () => {
    expect(hexDumpString(new Uint8Array(0))).toBe("");
  });
});

describe("hexDumpRows", () => {
  const bytes = Uint8Array.from({ length: 40 }, (_, i) => i + 0x30);

  it("lays out rows of cells with offsets, hex and ASCII", () => {
    const rows = hexDumpRows(bytes, { baseOffset: 0x100 });
    expect(rows).toHaveLength(3);
    expect(rows.map((r) => [r.offset, r.offsetLabel, r.cells.length, r.padding])).toEqual([
      [0x100, "00000100", 16, 0],
      [0x110, "00000110", 16, 0],
      [0x120, "00000120", 8, 8],
    ]);
    expect(rows[0].cells[1]).toMatchObject({ offset: 0x101, column: 1, byte: 0x31, hex: "31", char: "1", highlightIds: [], redacted: false });
    expect(rows[2].cells[7]).toMatchObject({ offset: 0x127, column: 7, byte: 0x57, char: "W" });
  });

  it("marks the innermost highlight and its edges", () => {
    const highlights: HexHighlight[] = [
      { id: "outer", offset: 2, length: 10, tone: "message" },
      { id: "inner", offset: 4, length: 2, tone: "value" },
    ];
    const cells = hexDumpRows(bytes, { highlights }).flatMap((r) => r.cells);
    expect(cells[1].highlight).toBeUndefined();
    expect(cells[2]).toMatchObject({ highlightIds: ["outer"], highlightStart: true, highlightEnd: false });
    expect(cells[2].highlight?.id).toBe("outer");
    expect(cells[4]).toMatchObject({ highlightIds: ["outer", "inner"], highlightStart: true, highlightEnd: false });
    expect(cells[4].highlight?.id).toBe("inner");
    expect(cells[5]).toMatchObject({ highlightStart: false, highlightEnd: true });
    expect(cells[11]).toMatchObject({ highlightEnd: true });
    expect(cells[12].highlightIds).toEqual([]);
    expect(highlightsAt(4, highlights).map((h) => h.id)).toEqual(["inner", "outer"]);
  });

  it("respects bytesPerRow and redaction", () => {
    const rows = hexDumpRows(bytes.subarray(0, 5), { bytesPerRow: 4, redact: [{ offset: 4, length: 1 }] });
    expect(rows.map((r) => r.cells.map((c) => c.hex).join(" "))).toEqual(["30 31 32 33", "••"]);
    expect(rows[1].cells[0]).toMatchObject({ char: "•", redacted: true, byte: 0x34 });
  });
});

describe("hex helpers", () => {
  it("round-trips hex text", () => {
    expect(Array.from(fromHex("0x0a, 0B ff"))).toEqual([0x0a, 0x0b, 0xff]);
    expect(toHex(Uint8Array.of(1, 2, 3, 4), " ", 2)).toBe("01 02 …");
    expect(() => fromHex("abc")).toThrow(/odd/);
    expect(() => fromHex("zz")).toThrow(/non-hex/);
  });
});
