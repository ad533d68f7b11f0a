"use client";

import { memo, useEffect, useMemo, useRef, useState, type MouseEvent } from "react";
import { hexDumpRows, type ByteRange, type HexHighlight, type HexRow } from "@/lib/wire";
import { useInspectorText, type InspectorTextKey } from "./inspector-text";
import styles from "./inspector.module.css";

/** Tone names of lib/wire/highlights.ts → legend text (a key of inspector-text). */
export const TONE_LABELS: Record<string, InspectorTextKey> = {
  tag: "toneTag",
  length: "toneLength",
  value: "toneValue",
  message: "toneMessage",
  framing: "toneFraming",
  trailers: "toneTrailers",
  "end-stream": "toneEndStream",
  "fixed-header": "toneFixedHeader",
  "variable-header": "toneVariableHeader",
  payload: "tonePayload",
};

const TONE_CLASS: Record<string, string | undefined> = {
  tag: styles.toneTag,
  length: styles.toneLength,
  value: styles.toneValue,
  message: styles.toneMessage,
  framing: styles.toneFraming,
  trailers: styles.toneTrailers,
  "end-stream": styles.toneTrailers,
  "fixed-header": styles.toneFixed,
  "variable-header": styles.toneVariable,
  payload: styles.tonePayload,
};

export function toneClass(tone: string | undefined): string {
  return (tone && TONE_CLASS[tone]) || styles.toneOther || "";
}

export interface HexDumpProps {
  bytes: Uint8Array;
  highlights: readonly HexHighlight[];
  redact: readonly ByteRange[];
  /** The bytes of the active decoded row. */
  active?: ByteRange;
  /** 8 or 16; by default 16 when the column is wide enough, else 8. */
  bytesPerRow?: 8 | 16;
  /** Pointer over a byte (undefined when it leaves the dump). */
  onHoverByte?: (offset: number | undefined) => void;
  label?: string;
}

/** Width of a 16-byte row in `ch`: offset (4) + gap + 16 × 2.6 + gap + 16 ASCII + slack. */
const WIDE_ROW_CH = 4 + 1.5 + 16 * 2.6 + 1.5 + 16 + 2;

/** A hex dump as a monospace grid: offset, hex bytes, ASCII; highlighted by tone, the active range outlined. */
export function HexDump({ bytes, highlights, redact, active, bytesPerRow, onHoverByte, label }: HexDumpProps) {
  const t = useInspectorText();
  const boxRef = useRef<HTMLDivElement>(null);
  const probeRef = useRef<HTMLSpanElement>(null);
  const [autoCols, setAutoCols] = useState<8 | 16>(16);
  const cols = bytesPerRow ?? autoCols;

  useEffect(() => {
    if (bytesPerRow !== undefined) return;
    const box = boxRef.current;
    const probe = probeRef.current;
    if (!box || !probe || typeof ResizeObserver === "undefined") return;
    const measure = () => {
      const ch = probe.getBoundingClientRect().width / 10;
      if (!(ch > 0)) return;
      setAutoCols(box.clientWidth >= WIDE_ROW_CH * ch ? 16 : 8);
    };
    const ro = new ResizeObserver(measure);
    ro.observe(box);
    return () => ro.disconnect();
  }, [bytesPerRow]);

  const digits = bytes.length > 0xffff ? 8 : 4;
  const rows = useMemo(() => {
    try {
      return hexDumpRows(bytes, { bytesPerRow: cols, highlights: [...highlights], redact: [...redact], offsetDigits: digits });
    } catch {
      return [];
    }
  }, [bytes, highlights, redact, cols, digits]);

  const onMouseOver = (e: MouseEvent<HTMLDivElement>) => {
    const el = (e.target as HTMLElement).closest?.("[data-offset]");
    const off = el ? Number((el as HTMLElement).dataset.offset) : NaN;
    onHoverByte?.(Number.isFinite(off) ? off : undefined);
  };

  if (bytes.length === 0) return <p className={styles.muted}>{t("noBytes")}</p>;

  return (
    <div
      ref={boxRef}
      className={styles.hexBox}
      role="region"
      aria-label={t("hexDumpRegion", { label: label ?? t("hexDump"), n: bytes.length, cols })}
      tabIndex={0}
      onMouseOver={onMouseOver}
      onMouseLeave={() => onHoverByte?.(undefined)}
      style={{ ["--hex-cols" as string]: cols }}
    >
      <span ref={probeRef} className={styles.probe} aria-hidden="true">
        0000000000
      </span>
      <div className={styles.hexHead} aria-hidden="true">
        <span className={styles.hexOffset}>{"".padStart(digits, " ")}</span>
        <span className={styles.hexBytes}>
          {Array.from({ length: cols }, (_, i) => (
            <span key={i} className={styles.hexCell}>
              {i.toString(16)}
            </span>
          ))}
        </span>
        <span className={styles.hexAscii}>ASCII</span>
      </div>
      {rows.map((row) => (
        <HexRowView key={row.offset} row={row} activeStart={clip(active, row, "start")} activeEnd={clip(active, row, "end")} />
      ))}
    </div>
  );
}

function clip(active: ByteRange | undefined, row: HexRow, side: "start" | "end"): number {
  if (!active || active.length <= 0 || row.cells.length === 0) return -1;
  const first = row.cells[0].offset;
  const last = row.cells[row.cells.length - 1].offset;
  const start = Math.max(first, active.offset);
  const end = Math.min(last, active.offset + active.length - 1);
  if (start > end) return -1;
  return side === "start" ? start : end;
}

const HexRowView = memo(function HexRowView({ row, activeStart, activeEnd }: { row: HexRow; activeStart: number; activeEnd: number }) {
  const isActive = (o: number) => activeStart >= 0 && o >= activeStart && o <= activeEnd;
  return (
    <div className={styles.hexRow}>
      <span className={styles.hexOffset}>{row.offsetLabel}</span>
      <span className={styles.hexBytes}>
        {row.cells.map((c) => {
          const cls = [styles.hexCell];
          if (c.highlight) cls.push(toneClass(c.highlight.tone));
          if (c.highlightStart) cls.push(styles.hlStart);
          if (c.highlightEnd) cls.push(styles.hlEnd);
          if (isActive(c.offset)) cls.push(styles.active);
          if (c.redacted) cls.push(styles.redacted);
          return (
            <span key={c.offset} className={cls.join(" ")} data-offset={c.offset} title={`${offsetTitle(c.offset)}${c.highlight?.label ? `: ${c.highlight.label}` : ""}`}>
              {c.hex}
            </span>
          );
        })}
      </span>
      <span className={styles.hexAscii}>
        {row.cells.map((c) => {
          const cls = [styles.asciiCell];
          if (c.highlight) cls.push(toneClass(c.highlight.tone));
          if (isActive(c.offset)) cls.push(styles.active);
          return (
            <span key={c.offset} className={cls.join(" ")} data-offset={c.offset}>
              {c.char}
            </span>
          );
        })}
      </span>
    </div>
  );
});

function offsetTitle(o: number): string {
  return `byte ${o} (0x${o.toString(16)})`;
}
