/** A header field value that does not follow its grammar; `offset` is the character index in the value. */
import { SipSyntaxError } from '../errors.js';

export class HeaderSyntaxError extends SipSyntaxError {}
