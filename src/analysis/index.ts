/** Public surface of the analysis stage. */
export * from './types.js';
export * from './time.js';
export { Analyzer, byFindingTime, type AnalyzerOptions, type AnalysisSink } from './analyzer.js';
export { analyzeCaptures, type AnalyzeCapturesOptions } from './analyze.js';
export { nearestRank, durationStats } from './stats.js';
export { STORM_THRESHOLD } from './detectors/retransmission-storm.js';
export { AUTH_LOOP_THRESHOLD } from './detectors/auth-failure-loop.js';
export type { ObservedMessage } from './observed.js';
export { callOfUser, filterByUser } from './filter.js';
export { AnalysisError } from './errors.js';
export { parseFailOn, type FailOn } from './fail-on.js';
export { endpointLabel } from './observed.js';
