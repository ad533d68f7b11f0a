/**
 * Exports of a trace: Mermaid sequenceDiagram text, and the versioned
 * "wirelab-trace" JSON file with its validating import. Pure.
 */
import { fromJson, toJson, type JsonValue } from "@bufbuild/protobuf";
import { z } from "zod";
import { TraceEventSchema, type TraceEvent } from "../gen/lab/v1/trace_pb";
import type { DiagramArrow, DiagramLayout } from "./layout";

// ---------------------------------------------------------------------------
// Mermaid
// ---------------------------------------------------------------------------

/**
 * Words the Mermaid sequence lexer reads as keywords (case-insensitively, and
 * also as a prefix of a longer name): such names get a safe alias.
 */
const MERMAID_KEYWORDS = [
  "participant",
  "actor",
  "create",
  "destroy",
  "box",
  "loop",
  "rect",
  "opt",
  "alt",
  "else",
  "par",
  "and",
  "critical",
  "option",
  "break",
  "end",
  "left of",
  "right of",
  "links",
  "link",
  "properties",
  "details",
  "over",
  "note",
  "activate",
  "deactivate",
  "title",
  "acctitle",
  "accdescr",
  "sequencediagram",
  "autonumber",
  "off",
];

function isSafeMermaidId(name: string): boolean {
  if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(name)) return false;
  const lower = name.toLowerCase();
  // "x" right after an id can read as the "-x" cross arrow; ids never contain "-", so only keywords matter.
  return !MERMAID_KEYWORDS.some((k) => lower.startsWith(k));
}

/**
 * Makes text safe after "A->>B:" or "Note over A:". The lexer stops a message
 * at "#", ";" and a newline, and reads "%%" as a comment; "<" and ">" would be
 * read as HTML. Mermaid's entity codes ("#35;") stand in for them.
 */
export function mermaidText(text: string): string {
  let out = "";
  for (const ch of text.replace(/[\r\n\t]+/g, " ")) {
    switch (ch) {
      case "#":
        out += "#35;";
        break;
      case ";":
        out += "#59;";
        break;
      case "%":
        out += "#37;";
        break;
      case "<":
        out += "#lt;";
        break;
      case ">":
        out += "#gt;";
        break;
      default:
        out += ch;
    }
  }
  out = out.trim();
  // A leading "wrap:" / "nowrap:" would be taken as a directive.
  if (/^(no)?wrap:/i.test(out)) out = `#${out.charCodeAt(0)};${out.slice(1)}`;
  return out || "(no label)";
}

function mermaidArrow(a: DiagramArrow): string {
  const failed = a.marker === "error" || a.marker === "timeout" || a.marker === "reset";
  const dotted = a.kind === "reply" || a.kind === "ack" || a.kind === "stream";
  if (failed) return dotted ? "--x" : "-x";
  switch (a.kind) {
    case "call":
      return "->>";
    case "reply":
    case "stream":
      return "-->>";
    case "ack":
      return "--)";
    case "async":
    case "delivery":
    case "control":
    default:
      return "-)";
  }
}

export interface MermaidOptions {
  title?: string;
  /** Append the detail line ("REST · 200 OK · 3.2 ms") to each message. Default true. */
  details?: boolean;
}

/** Mermaid `sequenceDiagram` text of a layout (its lifelines and arrows, in order). */
export function toMermaid(layout: DiagramLayout, options: MermaidOptions = {}): string {
  const details = options.details ?? true;
  const lines: string[] = ["sequenceDiagram"];
  // The title line takes no entity codes: drop what it cannot hold.
  const title = options.title?.replace(/[#;%<>\r\n]+/g, " ").replace(/\s+/g, " ").trim();
  if (title) lines.push(`  title ${title}`);
  const ids = new Map<string, string>();
  const used = new Set<string>();
  layout.lifelines.forEach((l, i) => {
    let id = isSafeMermaidId(l.name) ? l.name : `P${i + 1}`;
    while (used.has(id.toLowerCase())) id = `${id}_${i + 1}`;
    used.add(id.toLowerCase());
    ids.set(l.name, id);
    lines.push(id === l.name ? `  participant ${id}` : `  participant ${id} as ${mermaidText(l.name)}`);
  });
  for (const a of layout.arrows) {
    const from = ids.get(a.from);
    const to = ids.get(a.to);
    if (!from || !to) continue;
    const text = details && a.detail ? `${a.label} · ${a.detail}` : a.label;
    if (a.kind === "self" || from === to) lines.push(`  Note over ${from}: ${mermaidText(text)}`);
    else lines.push(`  ${from}${mermaidArrow(a)}${to}: ${mermaidText(text)}`);
  }
  return `${lines.join("\n")}\n`;
}

// ---------------------------------------------------------------------------
// Trace JSON
// ---------------------------------------------------------------------------

export const TRACE_FORMAT = "wirelab-trace";
export const TRACE_VERSION = 1;
/** Imports refuse larger inputs rather than freezing the tab. */
export const MAX_IMPORT_CHARS = 64 * 1024 * 1024;
export const MAX_IMPORT_EVENTS = 200_000;

export interface TraceFile {
  format: typeof TRACE_FORMAT;
  version: typeof TRACE_VERSION;
  exportedAt: string;
  events: JsonValue[];
}

/**
 * The versioned JSON file of a trace: `{format, version, exportedAt, events}`,
 * events in the protobuf JSON mapping (toJson), one per line.
 */
export function exportTrace(events: readonly TraceEvent[], exportedAt: Date = new Date()): string {
  const head = {
    format: TRACE_FORMAT,
    version: TRACE_VERSION,
    exportedAt: exportedAt.toISOString(),
  };
  const body = events.map((e) => `    ${JSON.stringify(toJson(TraceEventSchema, e))}`).join(",\n");
  const headText = JSON.stringify(head, null, 2).replace(/\n}$/, "");
  return `${headText},\n  "events": [${events.length ? `\n${body}\n  ` : ""}]\n}\n`;
}

const TraceFileSchema = z.object({
  format: z.literal(TRACE_FORMAT),
  version: z.literal(TRACE_VERSION),
  exportedAt: z.string().optional(),
  events: z
    .array(z.record(z.string(), z.unknown()))
    .max(MAX_IMPORT_EVENTS, `at most ${MAX_IMPORT_EVENTS} events can be imported`),
});

export type ImportResult =
  | { ok: true; events: TraceEvent[]; exportedAt?: string; warnings: string[] }
  | { ok: false; error: string };

/** Reads a file written by exportTrace; a readable error instead of throwing. */
export function importTrace(text: string): ImportResult {
  if (text.length > MAX_IMPORT_CHARS) {
    return { ok: false, error: `The file is too large (${Math.round(text.length / 1e6)} MB; at most ${MAX_IMPORT_CHARS / 1024 / 1024} MiB).` };
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    return { ok: false, error: `Not valid JSON: ${(e as Error).message}` };
  }
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    return { ok: false, error: `Not a Wirelab trace: expected an object with "format": "${TRACE_FORMAT}".` };
  }
  const obj = data as Record<string, unknown>;
  if (obj.format !== TRACE_FORMAT) {
    return { ok: false, error: `Not a Wirelab trace: "format" is ${JSON.stringify(obj.format) ?? "missing"}, expected "${TRACE_FORMAT}".` };
  }
  if (typeof obj.version === "number" && obj.version > TRACE_VERSION) {
    return { ok: false, error: `This trace has format version ${obj.version}; this Wirelab reads version ${TRACE_VERSION}. Update Wirelab to open it.` };
  }
  const parsed = TraceFileSchema.safeParse(data);
  if (!parsed.success) {
    return { ok: false, error: `Not a valid Wirelab trace:\n${z.prettifyError(parsed.error)}` };
  }
  const events: TraceEvent[] = [];
  let lenient = 0;
  for (let i = 0; i < parsed.data.events.length; i++) {
    const json = parsed.data.events[i] as JsonValue;
    try {
      events.push(fromJson(TraceEventSchema, json));
    } catch (strictError) {
      // A newer exporter may add fields or enum values: read the rest, and say so.
      try {
        events.push(fromJson(TraceEventSchema, json, { ignoreUnknownFields: true }));
        lenient++;
      } catch {
        return { ok: false, error: `Event ${i + 1} is not a valid TraceEvent: ${(strictError as Error).message}` };
      }
    }
  }
  const warnings = lenient
    ? [`${lenient} event${lenient === 1 ? " has" : "s have"} fields or values this Wirelab does not know; they were ignored.`]
    : [];
  return { ok: true, events, exportedAt: parsed.data.exportedAt, warnings };
}
