/**
 * What serve reads off a request before answering it, and the fixed parts of its answers: the methods it allows,
 * the option tags it supports (RFC 3261 §19.2) and the bodies it accepts, the CSeq number and the caller's tag as the
 * core reads them, and the tags of its own answers.
 */
import { cseqOf, getHeader, HeaderSyntaxError, optionTagsOf, randomToken, type SipRequest } from '../sip/index.js';

/** §20.5: the methods serve answers. */
export const ALLOW = 'INVITE, ACK, CANCEL, BYE, OPTIONS, UPDATE, PRACK, REGISTER';
/** Option tags we act on (§19.2): session timers (RFC 4028). Not 100rel: our provisional responses are never reliable. */
export const SUPPORTED = ['timer'];
/** §20.1: the bodies serve reads. */
export const ACCEPT = 'application/sdp';
/** The methods that carry offers and answers (RFC 3264, RFC 3311, RFC 3262). */
export const OFFER_METHODS = new Set(['INVITE', 'UPDATE', 'PRACK']);

/** The tag of serve's answers and dialogs (RFC 3261 §19.3), from the one identifier pool (sip/identifiers.ts). */
export function randomTag(): string {
  return randomToken(6);
}

/** The option tags of the Require header fields that are not ours (§8.2.2.3), as the request spelled them. */
export function unsupportedOf(request: SipRequest): string[] {
  return optionTagsOf(request, 'require').filter((tag) => !SUPPORTED.includes(tag.toLowerCase()));
}

/** Content-Type application/sdp (§20.15: type and subtype compare case-insensitively; parameters aside). */
export function isSdp(contentType: string | undefined): boolean {
  return contentType !== undefined && /^\s*application\s*\/\s*sdp\s*(;|$)/i.test(contentType);
}

export function safeTag(request: SipRequest): string | undefined {
  try {
    const from = getHeader(request, 'from') ?? '';
    return /;\s*tag=([^;>\s]+)/i.exec(from)?.[1];
  } catch {
    return undefined;
  }
}

/** The CSeq number, read by the one CSeq parser (RFC 3261 §20.16); throws HeaderSyntaxError when missing or malformed. */
export function cseqNumber(request: SipRequest): number {
  const cseq = cseqOf(request);
  if (cseq === undefined) throw new HeaderSyntaxError('missing-header', `${request.method} has no CSeq (RFC 3261 §8.1.1)`, 0);
  return cseq.seq;
}
