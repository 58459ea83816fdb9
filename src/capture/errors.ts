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
  /**
   * `reason`: what is wrong, when the input looks like a capture at first (a pcapng block with a bad byte-order magic)
   * or is too short to tell.
   */
  constructor(file: string, firstBytes: Uint8Array, reason?: string) {
    const hex = hexBytes(firstBytes);
    const text = asText(firstBytes);
    super('unrecognised-format', file, `${file}: not a pcap or pcapng capture${reason ? `: ${reason}` : ''} (first bytes: ${hex}${text ? `, as text "${text}"` : ''})`);
    this.name = 'UnrecognisedCaptureError';
    this.firstBytes = hex;
  }
}

/**
 * The bytes as text when there are at least 4 and all are printable ASCII or white space, some of them visible (a log,
 * a README, an HTTP request), else ''.
 */
function asText(bytes: Uint8Array): string {
  const textual = bytes.every((byte) => (byte >= 0x20 && byte < 0x7f) || byte === 0x09 || byte === 0x0a || byte === 0x0d);
  if (bytes.length < 4 || !textual || !bytes.some((byte) => byte > 0x20 && byte < 0x7f)) return '';
  return Buffer.from(bytes).toString('latin1').replace(/\r/g, '\\r').replace(/\n/g, '\\n').replace(/\t/g, '\\t');
}

/** The input has no bytes at all (an empty file, an empty stdin, a gzip stream of nothing): nothing to read. */
export class EmptyCaptureError extends CaptureError {
  constructor(file: string, compressed: boolean) {
    super('empty-file', file, `${file}: empty${compressed ? ' once inflated' : ''} (0 bytes): no capture to read`);
    this.name = 'EmptyCaptureError';
  }
}

/** Where a capture's file header is cut: the field the input ends in, and the size the header should have. */
export interface HeaderCut {
  /** Bytes present: the input ends at this byte offset. */
  presentBytes: number;
  /** The field the cut falls in, as the format's specification names it ("link type", "options"). */
  field: string;
  /** The field is bytes `fieldStart` to `fieldEnd` (inclusive) of the header. */
  fieldStart: number;
  fieldEnd: number;
  /** The size of the whole header: exact, or a lower bound when `atLeast` (the pcapng block's length is not known yet). */
  headerBytes: number;
  atLeast: boolean;
}

/**
 * The input starts with a pcap magic number or a pcapng section header block type but ends inside that file header
 * (24 bytes for pcap, draft-ietf-opsawg-pcap §4; for pcapng the whole section header block, draft-ietf-opsawg-pcapng
 * §4.1, at least 28 bytes), so its byte order, link type or section cannot be known: nothing in it can be read.
 */
export class TruncatedHeaderError extends CaptureError {
  /** Byte offset at which the input ends (the bytes present). */
  readonly offset: number;
  /** The header field the cut falls in. */
  readonly field: string;
  constructor(file: string, format: 'pcap' | 'pcapng', cut: HeaderCut) {
    const header = format === 'pcap' ? 'file header' : 'file header, the section header block';
    const size = format === 'pcap'
      ? `the header is ${cut.headerBytes} bytes`
      : cut.atLeast ? `the block is at least ${cut.headerBytes} bytes` : `the block is ${cut.headerBytes} bytes, as its block total length says`;
    const where = `it ends at byte ${cut.presentBytes}, inside the ${cut.field} (bytes ${cut.fieldStart} to ${cut.fieldEnd})`;
    super('truncated-header', file, `${file}: a ${format} file cut inside its ${header}: ${where}; ${size}`);
    this.name = 'TruncatedHeaderError';
    this.offset = cut.presentBytes;
    this.field = cut.field;
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

/** None of several inputs could be opened: each one's own error, in the order given. */
export class NoUsableInputError extends CaptureError {
  readonly inputs: readonly CaptureError[];
  constructor(inputs: readonly CaptureError[]) {
    super('no-usable-input', inputs.map((input) => input.file).join(' '), `none of the ${inputs.length} inputs can be read:\n${inputs.map((input) => `  ${input.message}`).join('\n')}`);
    this.name = 'NoUsableInputError';
    this.inputs = inputs;
  }
}

/**
 * The gzip stream (RFC 1952) is damaged after the bytes inflated so far: cut short ('truncated-file', as a cut
 * plain capture) or failing a check of its deflate data or its trailer's CRC-32 or length ('corrupt-gzip'). Every
 * byte inflated before the damage has been read; decoding reports this as an issue and keeps what it decoded.
 */
export class GzipDamageError extends CaptureError {
  /**
   * Byte offset in the compressed file: with `rejected`, the byte zlib rejected (the damage is there or before it,
   * where inflating went wrong unseen); else all of it zlib had inflated when it met the damage (the damage is here or
   * in the next bytes).
   */
  readonly offset: number;
  /** Bytes inflated before the damage: the capture inside is readable up to here. */
  readonly inflatedBytes: number;
  /** What and where, without the file name (an issue names the file itself). */
  readonly detail: string;
  /**
   * `rejected`: the stream was inflated again to the byte zlib rejects (gzip-recovery.ts); `lost`: it could not be,
   * and what zlib inflated in its failing step (up to 16 KiB before the damage) is lost.
   */
  constructor(file: string, code: 'truncated-file' | 'corrupt-gzip', offset: number, inflatedBytes: number, reason: string, how: { rejected?: boolean; lost?: boolean } = {}) {
    const what = code === 'truncated-file'
      ? `gzip stream cut short at compressed byte ${offset}`
      : how.rejected ? `gzip stream damaged: zlib rejects compressed byte ${offset}` : `gzip stream damaged at or after compressed byte ${offset}`;
    const lost = how.lost ? '; what zlib inflated in its last step before the damage (up to 16 KiB) is lost, as the input cannot be read again' : '';
    const detail = `${what} (${reason}); the ${inflatedBytes} bytes inflated before it were read${lost}`;
    super(code, file, `${file}: ${detail}`);
    this.name = 'GzipDamageError';
    this.offset = offset;
    this.inflatedBytes = inflatedBytes;
    this.detail = detail;
  }
}
