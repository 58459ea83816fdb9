/**
 * The few header fields the analysis needs from each message, read once: Call-ID, CSeq, From/To tags and URIs,
 * the top Via (branch and sent-by) and the credential. Everything else of the message is dropped after this.
 */
import { getHeader, parseCSeq, parseNameAddr, parseUri, parseVia, splitHeaderList, unescapeUri, type SipMessage } from '../sip/index.js';
import { credentialOf, isStaleChallenge } from './credentials.js';
import type { Credential } from './types.js';

export interface MessageFields {
  callId: string;
  cseqNumber: number;
  /** CSeq method (RFC 3261 §8.1.1.5): for a response, the method of the request it answers. */
  cseqMethod: string;
  fromTag?: string;
  toTag?: string;
  /** addr-spec of From / To without display name and header parameters. */
  fromUri: string;
  toUri: string;
  /** User part of the To URI (the address-of-record of a REGISTER). */
  toUser?: string;
  fromUser?: string;
  /** Top Via: branch parameter and sent-by (host[:port]) (RFC 3261 §20.42). */
  viaBranch?: string;
  viaSentBy?: string;
  credential?: Credential;
  /** stale=true in a 401/407 challenge (RFC 3261 §22.4 / RFC 7616 §3.3): not a rejection of the credentials. */
  staleChallenge: boolean;
}

/** Reads the analysis fields; undefined when Call-ID or CSeq is missing or unreadable (message not usable). */
export function readFields(message: SipMessage): MessageFields | undefined {
  const callId = getHeader(message, 'call-id');
  const cseq = parseCSeqValue(getHeader(message, 'cseq'));
  if (!callId || !cseq) return undefined;
  const from = nameAddrParts(getHeader(message, 'from') ?? '');
  const to = nameAddrParts(getHeader(message, 'to') ?? '');
  const via = topVia(getHeader(message, 'via') ?? '');
  return {
    callId,
    cseqNumber: cseq.number,
    cseqMethod: cseq.method,
    fromTag: from.tag,
    toTag: to.tag,
    fromUri: from.uri,
    toUri: to.uri,
    fromUser: userOf(from.uri),
    toUser: userOf(to.uri),
    viaBranch: via.branch,
    viaSentBy: via.sentBy,
    credential: message.kind === 'request' ? credentialOf(message) : undefined,
    staleChallenge: message.kind === 'response' && isStaleChallenge(message),
  };
}

function parseCSeqValue(value: string | undefined): { number: number; method: string } | undefined {
  if (!value) return undefined;
  try {
    const cseq = parseCSeq(value);
    return { number: cseq.seq, method: cseq.method.toUpperCase() };
  } catch {
    return undefined;
  }
}

/** addr-spec and tag of a From/To value; the raw value as URI when it does not parse (RFC 3261 §20.10). */
function nameAddrParts(value: string): { uri: string; tag?: string } {
  try {
    const parsed = parseNameAddr(value);
    return { uri: parsed.uri, tag: parsed.tag };
  } catch {
    return { uri: value.trim() };
  }
}

/** User part of a sip:, sips: or tel: URI, unescaped. */
function userOf(uri: string): string | undefined {
  try {
    const parsed = parseUri(uri);
    return parsed.user === undefined ? undefined : unescapeUri(parsed.user);
  } catch {
    return undefined;
  }
}

/** Top Via (first via-parm of the first Via header, RFC 3261 §7.3.1): branch and sent-by host[:port]. */
function topVia(value: string): { branch?: string; sentBy?: string } {
  try {
    const via = parseVia(splitHeaderList(value)[0] ?? '')[0];
    if (!via) return {};
    return { branch: via.branch, sentBy: `${via.host.toLowerCase()}${via.port === undefined ? '' : `:${via.port}`}` };
  } catch {
    return {};
  }
}
