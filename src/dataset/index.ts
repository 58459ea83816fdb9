/** Public surface of the dataset stage: analysis results as a Parquet dataset, and queries over it. */
export * from './schema.js';
export type * from './rows.js';
export type { DatasetSink, DatasetWriteSummary } from './sink.js';
export { DatasetError, type DatasetErrorCode } from './errors.js';
export { openParquetDataset, type ParquetDatasetOptions, ParquetDatasetWriter } from './parquet-writer.js';
export { AnalysisRows } from './from-analysis.js';
