/**
 * Measure it: load runs, latency charts and the seeds' claims against this
 * machine. Lessons embed the panel with a preset:
 *
 *   <MeasurePanel preset={{ targets: [targetFromKey("rest")!, targetFromKey("grpc")!], call: MeasureCall.ECHO, payload: { shape: PayloadShape.USERS, bytes: 16_384 } }} />
 *
 * The runner, statistics, limits, claims and exports live in lib/measure.
 */
export { MeasurePanel } from "./MeasurePanel";
export type { MeasurePanelProps } from "./MeasurePanel";
export { useMeasureRun, runSerializationBench } from "./use-measure-run";
