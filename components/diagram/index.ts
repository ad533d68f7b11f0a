/**
 * Wirelab's trace diagram: public face of components/diagram.
 *
 *   <TraceViewer events={events} droppedCount={dropped} onSelect={inspect} />
 *
 * or the parts: SequenceDiagram, TraceTable, DiagramControls +
 * useTracePlayback, SideBySide. Pure logic (layout, exports, fixtures) lives
 * in lib/diagram.
 */
export { SequenceDiagram, Legend, MIN_ZOOM, MAX_ZOOM } from "./SequenceDiagram";
export type { SequenceDiagramProps, SequenceDiagramHandle, DiagramSelection } from "./SequenceDiagram";
export { TraceTable } from "./TraceTable";
export type { TraceTableProps } from "./TraceTable";
export { DiagramControls } from "./DiagramControls";
export type { DiagramControlsProps, DiagramExports } from "./DiagramControls";
export { useTracePlayback } from "./use-trace-playback";
export type { TracePlayback } from "./use-trace-playback";
export { SideBySide } from "./SideBySide";
export type { SideBySideProps } from "./SideBySide";
export { TraceViewer } from "./TraceViewer";
export type { TraceViewerProps } from "./TraceViewer";
export { MODE_COLORS, MARKER_COLORS, modeColor } from "./theme";
export { downloadText } from "./download";
