/** Errors of the SIP layer: each carries a stable `code` string and says what is wrong and where. */
export class SipError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'SipError';
    this.code = code;
  }
}

/** A message that could not be parsed at all (no start line, binary garbage, ...). */
export class SipParseError extends SipError {
  /** Byte offset into the input where the problem was found. */
  readonly offset: number;
  constructor(code: string, message: string, offset: number) {
    super(code, message);
    this.name = 'SipParseError';
    this.offset = offset;
  }
}
