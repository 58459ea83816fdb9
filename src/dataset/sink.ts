/**
 * Where dataset rows go. Narrow on purpose: whatever produces the analysis (today the batch Analyzer through
 * from-analysis.ts, later the streaming analyzer's events) hands rows to a sink as it has them; the Parquet
 * writer is one sink, a test can be another.
 */
import type { CallRow, FindingRow, MessageRow, OutcomeRow, RegistrationRow } from './rows.js';

export interface DatasetSink {
  message(row: MessageRow): void;
  call(row: CallRow): void;
  finding(row: FindingRow): void;
  registration(row: RegistrationRow): void;
  outcome(row: OutcomeRow): void;
  /** Writes what is buffered and makes the rows visible; the sink takes no rows after it. */
  close(): Promise<DatasetWriteSummary>;
  /** Drops what was written by this run (the dataset keeps its previous files); used when the analysis fails. */
  abort(): Promise<void>;
}

export interface DatasetWriteSummary {
  directory: string;
  host: string;
  /** Rows written per table. */
  rows: Record<string, number>;
  /** Parquet files written (relative to the dataset directory). */
  files: string[];
  /** Files of an earlier run on the same input files that this run replaced. */
  replaced: number;
}
