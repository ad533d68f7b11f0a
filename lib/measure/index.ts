/**
 * Measuring the lab: one load runner and one set of statistics for the
 * server's run worker and the page's Web Worker, the limits both obey, the
 * payloads, and what the page shows of a run (views, exports, claims).
 */
export { MEASURE_LIMITS, P999_MIN_SAMPLES, DEFAULT_LOAD, DEFAULT_PAYLOAD, normaliseRunConfig, runConfigProblems, plannedRunMs, closedTargetCapMs, type RunConfigProblem } from "./limits";
export { TARGETS, targetKey, targetInfo, targetFromKey, clientOptionsFor, type TargetKey } from "./targets";
export { newLatencyHistogram, recordMs, summarise, encodeHistogram, decodeHistogram, percentileCurve, CURVE_PERCENTILES, HIGHEST_TRACKABLE_US, type LatencyHistogram, type CurvePoint } from "./histogram";
export { makeEchoRequest, encodedSizes, sizeSweep, seededRandom, jsonBytes, utf8Length, SIZE_SWEEP, type EncodedSizes, type SweepPoint } from "./payload";
export { executeRun, callFor, intervalMsFor, type RunHost } from "./run";
export { TargetRecorder, BusyMeter } from "./recorder";
export { applyUpdate, isFinished, type RunView, type TargetView } from "./run-view";
export { SEED_CLAIMS, evaluateClaims, conditionsText, busyText, quoteText, type SeedClaim, type ClaimRow, type Verdict } from "./claims";
export { benchSerialization, serializationSubject, opsPerSecond, type SerializationResult, type CodecRate, type CodecName } from "./serialization-bench";
export { MEASURE_TEXT, measureText, measureTextFor, type MeasureTextKey } from "./measure-text";
export { runToCsv, runToJson, permalinkFor, parsePermalink, type MeasureLink } from "./export";
