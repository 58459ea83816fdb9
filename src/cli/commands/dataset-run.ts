/**
 * `analyze --dataset DIR [--host NAME]`: the analysis also written as a Parquet dataset (src/dataset). The
 * directory is opened (and proved writable) before the analysis starts; rows flow from the analysis through the
 * one adapter (dataset/from-analysis.ts) into the Parquet sink; the files appear in DIR only when all are written.
 */
import { hostname } from 'node:os';
import type { AnalysisResult, AnalysisSink, AnalyzeCapturesOptions, ObservedMessage } from '../../analysis/index.js';
import type { SipPayload } from '../../capture/types.js';
import type { DatasetSink } from '../../dataset/index.js';
import { badArgument, CliError } from '../exit.js';
import type { CliIO } from '../io.js';

export interface DatasetRun {
  /** Hooks for the analysis: every decoded payload, the analysis' reading of it, and (streamed) each call and finding. */
  hooks: Pick<AnalyzeCapturesOptions, 'observer' | 'payload'> & { sink: AnalysisSink };
  /**
   * Closes the files and reports what was written. `batch`: the analysis kept its calls and findings and they are
   * in `result` (runAnalysis); otherwise they came through `hooks.sink` as they finished (streamAnalysis).
   */
  finish(io: CliIO, batch?: AnalysisResult): Promise<void>;
  abort(): Promise<void>;
}

export async function openDatasetRun(files: string[], directory: string, host: string | undefined, user: string | undefined): Promise<DatasetRun> {
  if (user !== undefined) throw badArgument('--dataset writes the whole analysis; narrow to a user when querying it (sipscope query DIR --user U)');
  const { openParquetDataset, AnalysisRows, DatasetError } = await import('../../dataset/index.js');
  let sink: DatasetSink;
  try {
    sink = await openParquetDataset({ directory, host: host ?? hostname(), inputs: files });
  } catch (error) {
    if (error instanceof DatasetError) throw new CliError(error.code, error.message, { cause: error });
    throw error;
  }
  const rows = new AnalysisRows(sink);
  let current: SipPayload | undefined;
  return {
    hooks: {
      payload: (payload) => {
        current = payload;
      },
      observer: (observed: ObservedMessage, retransmission: boolean) => {
        if (current) rows.message(current, observed, retransmission);
      },
      sink: {
        call: (call) => rows.call(call),
        finding: (finding) => rows.finding(finding),
      },
    },
    async finish(io, batch) {
      if (batch) rows.finish(batch);
      else rows.end();
      try {
        const written = await sink.close();
        const counts = Object.entries(written.rows).map(([table, count]) => `${count} ${table}`).join(', ');
        const replaced = written.replaced > 0 ? `; replaced ${written.replaced} files of an earlier run on the same files` : '';
        io.err(`sipscope analyze: dataset ${written.directory} (host ${written.host}): ${written.files.length} files, ${counts}${replaced}`);
      } catch (error) {
        if (error instanceof DatasetError) throw new CliError(error.code, error.message, { cause: error });
        throw error;
      }
    },
    abort: () => sink.abort(),
  };
}
