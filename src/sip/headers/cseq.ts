/** CSeq (RFC 3261 §20.16, §25.1): CSeq = 1*DIGIT LWS Method; the number fits in 32 bits (§8.1.1.5). */
import { isToken } from '../syntax.js';
import { HeaderSyntaxError } from './header-error.js';
import { skipWhitespace } from './params.js';

export interface CSeq {
  seq: number;
  method: string;
}

/** Largest CSeq number: RFC 3261 §8.1.1.5 "MUST be expressible as a 32-bit unsigned integer". */
export const MAX_CSEQ = 0xffffffff;

export function parseCSeq(value: string): CSeq {
  let pos = skipWhitespace(value, 0);
  const digitsStart = pos;
  let seq = 0;
  while (pos < value.length && value.charCodeAt(pos) >= 0x30 && value.charCodeAt(pos) <= 0x39) {
    seq = seq * 10 + value.charCodeAt(pos) - 0x30;
    pos++;
  }
  if (pos === digitsStart) throw new HeaderSyntaxError('bad-cseq', `CSeq ${JSON.stringify(value)} does not start with a sequence number`, digitsStart);
  const methodStart = skipWhitespace(value, pos);
  if (methodStart === pos) throw new HeaderSyntaxError('bad-cseq', `CSeq ${JSON.stringify(value)} needs whitespace between number and method`, pos);
  let methodEnd = value.length;
  while (methodEnd > methodStart && (value.charCodeAt(methodEnd - 1) === 0x20 || value.charCodeAt(methodEnd - 1) === 0x09)) methodEnd--;
  if (!isToken(value, methodStart, methodEnd)) throw new HeaderSyntaxError('bad-cseq', `CSeq method ${JSON.stringify(value.slice(methodStart))} is not a token`, methodStart);
  if (seq > MAX_CSEQ) {
    throw new HeaderSyntaxError('scalar-overflow', `CSeq number ${value.slice(digitsStart, pos)} does not fit in 32 bits (RFC 3261 §8.1.1.5)`, digitsStart);
  }
  return { seq, method: value.slice(methodStart, methodEnd) };
}
