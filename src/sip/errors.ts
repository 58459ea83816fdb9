/** Errors of the SIP layer: each carries a stable `code` and says what is wrong and where. */
export class SipError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    // the class's own name (SipParseError, UriError, ...), so subclasses need no constructor of their own for it
    this.name = new.target.name;
    this.code = code;
  }
}

/** Text that does not follow its grammar: `offset` says where (what it counts in is said by each subclass). */
export class SipSyntaxError extends SipError {
  readonly offset: number;
  constructor(code: string, message: string, offset: number) {
    super(code, message);
    this.offset = offset;
  }
}

/** A message that could not be parsed at all (no start line, binary garbage, ...); `offset` is a byte offset into the input. */
export class SipParseError extends SipSyntaxError {}
