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

/** Bytes as spaced hex pairs ("d4 c3 b2 a1"). */
export function hexBytes(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex').replace(/(..)(?!$)/g, '$1 ');
}

/** The input is neither pcap, pcapng nor gzip of one of them. */
export class UnrecognisedCaptureError extends CaptureError {
  /** The first bytes of the input, as hex, to help the user see what it is. */
  readonly firstBytes: string;
  /** `reason`: what is wrong, when the input looks like a capture at first (a pcapng block with a bad byte-order magic). */
  constructor(file: string, firstBytes: Uint8Array, reason?: string) {
    const hex = hexBytes(firstBytes);
    super('unrecognised-format', file, `${file}: not a pcap or pcapng capture${reason ? `: ${reason}` : ''} (first bytes: ${hex || 'none, empty input'})`);
    this.name = 'UnrecognisedCaptureError';
    this.firstBytes = hex;
  }
}

/**
 * The input starts with a pcap magic number or a pcapng section header block type but ends inside that file header
 * (24 bytes for pcap, draft-ietf-opsawg-pcap §4; at least 28 for the pcapng section header block, whose byte-order
 * magic is bytes 8 to 11), so neither its byte order nor its link type can be known.
 */
export class TruncatedHeaderError extends CaptureError {
  constructor(file: string, format: 'pcap' | 'pcapng', presentBytes: number) {
    const header = format === 'pcap' ? `file header (${presentBytes} of 24 bytes)` : `file header, the section header block (${presentBytes} of at least 28 bytes)`;
    super('truncated-header', file, `${file}: a ${format} file cut inside its ${header}`);
    this.name = 'TruncatedHeaderError';
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

/**
 * The gzip stream (RFC 1952) is damaged after the bytes inflated so far: cut short ('truncated-file', as a cut
 * plain capture) or failing a check of its deflate data or its trailer's CRC-32 or length ('corrupt-gzip'). Every
 * byte inflated before the damage has been read; decoding reports this as an issue and keeps what it decoded.
 */
export class GzipDamageError extends CaptureError {
  /** Byte offset in the compressed file: all of it zlib had inflated when it met the damage (the damage is here or in the next bytes). */
  readonly offset: number;
  /** Bytes inflated before the damage: the capture inside is readable up to here. */
  readonly inflatedBytes: number;
  /** What and where, without the file name (an issue names the file itself). */
  readonly detail: string;
  constructor(file: string, code: 'truncated-file' | 'corrupt-gzip', offset: number, inflatedBytes: number, reason: string) {
    const what = code === 'truncated-file' ? `gzip stream cut short at compressed byte ${offset}` : `gzip stream damaged at or after compressed byte ${offset}`;
    const detail = `${what} (${reason}); the ${inflatedBytes} bytes inflated before it were read`;
    super(code, file, `${file}: ${detail}`);
    this.name = 'GzipDamageError';
    this.offset = offset;
    this.inflatedBytes = inflatedBytes;
    this.detail = detail;
  }
}
