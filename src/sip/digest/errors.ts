import { SipError } from '../errors.js';

/**
 * A digest header that cannot be used: malformed syntax, a missing required parameter, an unsupported
 * algorithm or qop. `code` is stable; `header` names the header field that held the problem and `offset` is
 * the character offset into that header value where the problem was found, when known.
 */
export class DigestError extends SipError {
  readonly header: string | undefined;
  readonly offset: number | undefined;
  constructor(code: DigestErrorCode, message: string, header?: string, offset?: number) {
    super(code, message);
    this.header = header;
    this.offset = offset;
  }
}

export type DigestErrorCode =
  | 'digest-syntax'
  | 'digest-duplicate-param'
  | 'digest-missing-param'
  | 'digest-not-digest'
  | 'digest-unsupported-algorithm'
  | 'digest-unsupported-qop'
  | 'digest-missing-secret';
