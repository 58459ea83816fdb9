/** Errors of the embedded server, each with a stable code and what to fix. */
export type ServerErrorCode = 'bad-users-file' | 'bad-listen' | 'listen-failed' | 'control-not-loopback' | 'bad-control-request';

export class ServerError extends Error {
  constructor(readonly code: ServerErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ServerError';
  }
}
