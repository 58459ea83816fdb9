/** Errors of the analysis stage: a stable `code` and a message saying what to fix. */
export class AnalysisError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'AnalysisError';
    this.code = code;
  }
}
