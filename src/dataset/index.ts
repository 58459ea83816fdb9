/** Public surface of the dataset stage: analysis results as a Parquet dataset, and queries over it. */
export * from './schema.js';
export type * from './rows.js';
export type { DatasetSink, DatasetWriteSummary } from './sink.js';
export { DatasetError, type DatasetErrorCode } from './errors.js';
export { openParquetDataset, type ParquetDatasetOptions, ParquetDatasetWriter } from './parquet-writer.js';
export { AnalysisRows } from './from-analysis.js';
export { DatasetConnection, type QueryResult } from './query/connection.js';
export { revocationsSql, damagedCallsSql, durationsSql, callsSql, type QuestionFilter } from './query/questions.js';
export { renderTable, renderCsv, renderJson } from './query/render.js';
export type { SkippedFile } from './query/dataset-files.js';
