/** Captures in, analysis out: capture decoding (src/capture) feeding the Analyzer. */
import { decodeCaptures, type DecodeOptions } from '../capture/decode.js';
import type { DecodeIssue } from '../capture/types.js';
import { Analyzer, type AnalyzerOptions } from './analyzer.js';
import type { AnalysisResult } from './types.js';

export interface AnalyzeCapturesOptions extends AnalyzerOptions {
  decode?: DecodeOptions;
  /** Bytes read so far and the total when known (for a progress bar). */
  progress?(bytesRead: number, totalBytes: number | undefined): void;
  /** Each decoding problem (counted in summary.decodeErrors either way). */
  decodeIssue?(issue: DecodeIssue): void;
  /** Handed the analyzer before the first message (a live run moves its clock and reads its counters). */
  started?(analyzer: Analyzer): void;
  /** Called after each message is analysed (a live run notes when the last one came). */
  analysed?(): void;
}

export async function analyzeCaptures(inputs: string[], options: AnalyzeCapturesOptions = {}): Promise<AnalysisResult> {
  const analyzer = new Analyzer(options);
  options.started?.(analyzer);
  const stats = await decodeCaptures(
    inputs,
    {
      payload: (payload) => {
        analyzer.add(payload);
        options.analysed?.();
      },
      issue: (issue) => options.decodeIssue?.(issue),
      progress: (read, total) => options.progress?.(read, total),
    },
    // several files are read as the one capture mergecap would make of them (numbering, TCP and fragment state)
    { asOneCapture: true, ...options.decode },
  );
  return analyzer.finish(stats);
}
