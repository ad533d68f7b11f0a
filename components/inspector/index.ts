/**
 * Wirelab's wire inspector panel: public face of components/inspector.
 *
 *   <WireInspector event={selection} onClose={() => setSelection(null)} />
 *
 * `selection` is one TraceEvent (a table row), the events of one arrow (the
 * most informative is shown first, with a switcher), or null (a hint). The
 * decoding itself lives in lib/wire.
 */
export { WireInspector } from "./WireInspector";
export type { WireInspectorProps, BodyView } from "./WireInspector";
export { HexDump } from "./HexDump";
export type { HexDumpProps } from "./HexDump";
export { primaryEventIndex, informationScore } from "./model";
