/**
 * The few header fields the analysis needs from each message, read once: Call-ID, CSeq, From/To tags and URIs,
 * the top Via (branch and sent-by) and the credential. Everything else of the message is dropped after this.
 */
import { getHeader, type SipMessage } from '../sip/index.js';
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

/** CSeq = 1*DIGIT LWS Method (RFC 3261 §20.16). */
function parseCSeqValue(value: string | undefined): { number: number; method: string } | undefined {
  if (!value) return undefined;
  const match = /^(\d{1,10})\s+([A-Za-z!%*_+`'~.-]+)$/.exec(value.trim());
  return match ? { number: Number(match[1]), method: match[2].toUpperCase() } : undefined;
}

/**
 * name-addr / addr-spec with header parameters (RFC 3261 §20.10): without angle brackets every ';' parameter
 * belongs to the header, not the URI.
 */
function nameAddrParts(value: string): { uri: string; tag?: string } {
  let uri: string;
  let params: string;
  const open = value.indexOf('<');
  const close = open >= 0 ? value.indexOf('>', open) : -1;
  if (open >= 0 && close > open) {
    uri = value.slice(open + 1, close).trim();
    params = value.slice(close + 1);
  } else {
    const semicolon = value.indexOf(';');
    uri = (semicolon >= 0 ? value.slice(0, semicolon) : value).trim();
    params = semicolon >= 0 ? value.slice(semicolon) : '';
  }
  return { uri, tag: paramValue(params, 'tag') };
}

function paramValue(params: string, name: string): string | undefined {
  for (const part of params.split(';')) {
    const eq = part.indexOf('=');
    const key = (eq >= 0 ? part.slice(0, eq) : part).trim().toLowerCase();
    if (key === name) return eq >= 0 ? part.slice(eq + 1).trim() : '';
  }
  return undefined;
}

/** User part of a sip:, sips: or tel: URI. */
function userOf(uri: string): string | undefined {
  const match = /^(?:sips?|tel):([^@;?>]*)@?/i.exec(uri);
  if (!match) return undefined;
  if (/^tel:/i.test(uri)) return match[1] || undefined;
  return uri.includes('@') ? decodeURIComponentSafe(match[1].split(':')[0]) : undefined;
}

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** The first Via value of the first Via header (a header line may hold several, comma separated; RFC 3261 §7.3.1). */
function topVia(value: string): { branch?: string; sentBy?: string } {
  const first = value.split(',')[0] ?? '';
  const match = /^\s*SIP\s*\/\s*[^/\s]+\s*\/\s*[^\s]+\s+([^;]+)(.*)$/i.exec(first);
  if (!match) return {};
  return { sentBy: match[1].trim().toLowerCase(), branch: paramValue(match[2], 'branch') };
}
