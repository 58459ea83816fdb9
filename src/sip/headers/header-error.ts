/** A header field value that does not follow its grammar; `offset` is the character index in the value. */
import { SipError } from '../errors.js';

export class HeaderSyntaxError extends SipError {
  readonly offset: number;
  constructor(code: string, message: string, offset: number) {
    super(code, message);
    this.name = 'HeaderSyntaxError';
    this.offset = offset;
  }
}
