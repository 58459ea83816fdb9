/**
 * Captures in, analysis out: capture decoding (src/capture) feeding the Analyzer, in this thread, or with the
 * decoding and the plain scan on a second thread (read-thread/) when the caller asks for it (readThread).
 */
import { decodeCaptures, type CaptureSink, type DecodeOptions } from '../capture/decode.js';
import type { DecodeIssue, DecodeStats, SipPayload } from '../capture/types.js';
import { Analyzer, type AnalyzerOptions } from './analyzer.js';
import { decodeOnReadThread, type ReadThreadOptions } from './read-thread/read-thread.js';
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
  /** Each decoded SIP message, just before the analysis reads it (the observer then sees its reading). */
  payload?(payload: SipPayload): void;
  /**
   * Decode and scan on a second thread (read-thread/read-thread.ts): for capture files only (never stdin or a live
   * source). The payloads that `payload`, `observer` and `mirrorCopy` see are then those read-thread.ts makes: the
   * same fields, but no `opening` or `leadIn` frames (a caller that reads them, extract, reads in one thread), and
   * `bytes` a view into the batch's buffer (this thread's, never written again: kept, it holds that whole buffer).
   */
  readThread?: ReadThreadOptions;
}

export async function analyzeCaptures(inputs: string[], options: AnalyzeCapturesOptions = {}): Promise<AnalysisResult> {
  const analyzer = new Analyzer(options);
  options.started?.(analyzer);
  const events: Omit<CaptureSink, 'payload'> = {
    issue: (issue) => options.decodeIssue?.(issue),
    progress: (read, total) => options.progress?.(read, total),
  };
  // several files are read as the one capture mergecap would make of them (numbering, TCP and fragment state)
  const decode: DecodeOptions = { asOneCapture: true, ...options.decode };
  let stats: DecodeStats;
  if (options.readThread) {
    stats = await decodeOnReadThread(
      inputs,
      {
        ...events,
        payload: (payload, scans, at) => {
          options.payload?.(payload);
          analyzer.add(payload, scans, at);
          options.analysed?.();
        },
      },
      { asOneCapture: decode.asOneCapture, windowBytes: decode.windowBytes, ...options.readThread },
    );
  } else {
    stats = await decodeCaptures(
      inputs,
      {
        ...events,
        payload: (payload) => {
          options.payload?.(payload);
          analyzer.add(payload);
          options.analysed?.();
        },
      },
      decode,
    );
  }
  return analyzer.finish(stats);
}
