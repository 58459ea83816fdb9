/** Errors of capture decoding that stop a whole input: each carries a stable `code` and names the file. */
export class CaptureError extends Error {
  readonly code: string;
  /** Input as the user named it ('-' for stdin). */
  readonly file: string;
  constructor(code: string, file: string, message: string) {
    super(message);
    this.name = 'CaptureError';
    this.code = code;
    this.file = file;
  }
}

/** The input is neither pcap, pcapng nor gzip of one of them. */
export class UnrecognisedCaptureError extends CaptureError {
  /** The first bytes of the input, as hex, to help the user see what it is. */
  readonly firstBytes: string;
  constructor(file: string, firstBytes: Uint8Array) {
    const hex = Buffer.from(firstBytes).toString('hex').replace(/(..)(?!$)/g, '$1 ');
    super('unrecognised-format', file, `${file}: not a pcap or pcapng capture (first bytes: ${hex || 'none, empty input'})`);
    this.name = 'UnrecognisedCaptureError';
    this.firstBytes = hex;
  }
}

/** The input cannot be opened or read (missing file, permission, bad gzip stream before any packet). */
export class CaptureReadError extends CaptureError {
  constructor(file: string, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super('unreadable-file', file, `${file}: cannot read: ${reason}`);
    this.name = 'CaptureReadError';
  }
}
