/**
 * The few header fields the analysis needs from each message, read once: Call-ID, CSeq, From/To tags and URIs,
 * the top Via (branch and sent-by) and the credential. Everything else of the message is dropped after this.
 */
import { BRANCH_MAGIC_COOKIE, byteFaithfulValue, parseCSeq, parseUri, readNameAddrLeniently, readParams, splitHeaderList, unescapeUri, type SipMessage } from '../sip/index.js';
import { credentialOf, isStaleChallenge } from './credentials.js';
import { ownCopy, textHash } from './own-copy.js';
import type { Credential } from './types.js';

/**
 * Every string here is one of its own (never a slice of the message): calls and transactions keep them as they are.
 * The plain reading (plain-message.ts) makes a string only when it is read: the hot paths ask the questions below
 * instead (a hash the read thread made, a comparison with the message's bytes), so a message that only matches what
 * is already known (most responses, in-dialog requests) makes few strings or none.
 */
export interface FieldValues {
  readonly callId: string;
  readonly cseqNumber: number;
  /** CSeq method (RFC 3261 §8.1.1.5): for a response, the method of the request it answers. */
  readonly cseqMethod: string;
  readonly fromTag?: string;
  readonly toTag?: string;
  /** addr-spec of From / To without display name and header parameters. */
  readonly fromUri: string;
  readonly toUri: string;
  /** Top Via: branch parameter and sent-by (host[:port]) (RFC 3261 §20.42). */
  readonly viaBranch?: string;
  readonly viaSentBy?: string;
  readonly credential?: Credential;
  /** stale=true in a 401/407 challenge (RFC 3261 §22.4 / RFC 7616 §3.3): not a rejection of the credentials. */
  readonly staleChallenge: boolean;
}

/**
 * The fields and the questions the hot paths ask of them (each answered as the values' strings would answer it).
 */
export interface MessageFields extends FieldValues {
  /** The branch has RFC 3261's magic cookie (§17.2.3: matched by branch, else by the RFC 2543 key). */
  readonly branchKeyed: boolean;
  /** textHash of the branch, 0 without one. */
  readonly viaBranchHash: number;
  /** textHash of the To tag, 0 without one (an empty tag hashes as text). */
  readonly toTagHash: number;
  /** A From tag is present (possibly empty). */
  readonly hasFromTag: boolean;
  /** A non-empty To tag is present: sent inside a dialog (RFC 3261 §12.2). */
  readonly inDialog: boolean;
  /** callId === text, without making the Call-ID's string. */
  callIdIs(text: string): boolean;
  /** (fromTag ?? '') === (tag ?? ''): the From tag, with none and empty alike. */
  fromTagIs(tag: string | undefined): boolean;
  /** toTag === tag. */
  toTagIs(tag: string): boolean;
  /** viaBranch === text. */
  viaBranchIs(text: string): boolean;
  /** (viaSentBy ?? '') === text. */
  viaSentByIs(text: string): boolean;
}

/** TextFields holds the values it is made from as its own properties (its constructor copies them). */
export interface TextFields extends FieldValues {}

/** The fields as strings (the parser's path, and tests): each question answered from the strings. */
export class TextFields implements MessageFields {
  readonly branchKeyed: boolean;
  readonly viaBranchHash: number;
  readonly toTagHash: number;

  constructor(values: FieldValues) {
    Object.assign(this, values);
    this.branchKeyed = values.viaBranch !== undefined && values.viaBranch.startsWith(BRANCH_MAGIC_COOKIE);
    this.viaBranchHash = values.viaBranch === undefined ? 0 : textHash(values.viaBranch);
    this.toTagHash = values.toTag === undefined ? 0 : textHash(values.toTag);
  }

  get hasFromTag(): boolean {
    return this.fromTag !== undefined;
  }

  get inDialog(): boolean {
    return this.toTag !== undefined && this.toTag !== '';
  }

  callIdIs(text: string): boolean {
    return this.callId === text;
  }

  fromTagIs(tag: string | undefined): boolean {
    return (this.fromTag ?? '') === (tag ?? '');
  }

  toTagIs(tag: string): boolean {
    return this.toTag === tag;
  }

  viaBranchIs(text: string): boolean {
    return this.viaBranch === text;
  }

  viaSentByIs(text: string): boolean {
    return (this.viaSentBy ?? '') === text;
  }
}

/**
 * The header fields readFields and the credential readers look at (canonical names): the parser reads only these
 * for the analysis (parseMessage's `only`), skipping the values of every other field and the body; plain-message.ts
 * looks for them by their index in this list.
 */
export const ANALYSIS_FIELD_NAMES = [
  'call-id', 'cseq', 'from', 'to', 'via', 'authorization', 'proxy-authorization', 'www-authenticate', 'proxy-authenticate',
] as const;
export const ANALYSIS_HEADERS: ReadonlySet<string> = new Set(ANALYSIS_FIELD_NAMES);

/** Reads the analysis fields in one pass over the headers; undefined when Call-ID or CSeq is missing or unreadable. */
export function readFields(message: SipMessage): MessageFields | undefined {
  let callId: string | undefined;
  let cseqValue: string | undefined;
  let fromValue = '';
  let toValue = '';
  let viaValue = '';
  let seen = 0;
  for (const field of message.headers) {
    switch (field.name) {
      case 'call-id':
        if (callId === undefined) (callId = callIdKey(message, field)), seen++;
        break;
      case 'cseq':
        if (cseqValue === undefined) (cseqValue = field.value), seen++;
        break;
      case 'from':
        if (fromValue === '' && field.value !== '') (fromValue = field.value), seen++;
        break;
      case 'to':
        if (toValue === '' && field.value !== '') (toValue = field.value), seen++;
        break;
      case 'via':
        if (viaValue === '' && field.value !== '') (viaValue = field.value), seen++;
        break;
    }
    // the first Call-ID and CSeq, the first non-empty From, To and Via: then nothing further is read
    if (seen === 5) break;
  }
  const cseq = parseCSeqValue(cseqValue);
  if (!callId || !cseq) return undefined;
  const from = readNameAddrValue(fromValue);
  const to = readNameAddrValue(toValue);
  const via = readTopViaValue(viaValue);
  // strings of their own (not slices of the message): calls and transactions keep them, as the plain reading's are
  return new TextFields({
    callId: ownCopy(callId),
    cseqNumber: cseq.number,
    cseqMethod: ownCopy(cseq.method),
    fromTag: optionalCopy(from.tag),
    toTag: optionalCopy(to.tag),
    fromUri: ownCopy(from.uri),
    toUri: ownCopy(to.uri),
    viaBranch: optionalCopy(via.branch),
    viaSentBy: optionalCopy(via.sentBy),
    credential: message.kind === 'request' ? credentialOf(message) : undefined,
    staleChallenge: message.kind === 'response' && isStaleChallenge(message),
  });
}

function optionalCopy(text: string | undefined): string | undefined {
  return text === undefined ? undefined : ownCopy(text);
}

/**
 * The Call-ID as the key of a call: the parser's text, except where invalid UTF-8 became U+FFFD (two different
 * Call-IDs would then merge into one call): there the bytes are kept, each invalid one written as \xNN.
 */
function callIdKey(message: SipMessage, field: SipMessage['headers'][number]): string {
  if (!field.value.includes('\uFFFD') || message.raw === undefined) return field.value;
  return byteFaithfulValue(message.raw, field) ?? field.value;
}

/** URI and tag of a From/To value (readNameAddrLeniently's reading). */
export function readNameAddrValue(value: string): { uri: string; tag?: string } {
  return cached(nameAddrCache, value, nameAddrParts);
}

/** Branch and sent-by of a Via value's first via-parm (topVia). */
export function readTopViaValue(value: string): { branch?: string; sentBy?: string } {
  return cached(viaCache, value, topVia);
}

/**
 * Every message of a dialog repeats the same From and To values, and a response repeats its request's Via:
 * remembering recent results saves most of the header parsing. Cleared when full (bounded memory).
 */
const CACHE_ENTRIES = 8192;
const nameAddrCache = new Map<string, { uri: string; tag?: string }>();
const viaCache = new Map<string, { branch?: string; sentBy?: string }>();
const uriUserCache = new Map<string, string | null>();

function cached<T>(cache: Map<string, T>, value: string, read: (value: string) => T): T {
  let result = cache.get(value);
  if (result === undefined) {
    result = read(value);
    if (cache.size >= CACHE_ENTRIES) cache.clear();
    cache.set(value, result);
  }
  return result;
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

/**
 * addr-spec and tag of a From/To value (RFC 3261 §20.10); a value that breaks the grammar is read as Wireshark
 * reads it (a dialog must not be lost to a display name with stray quotes); the raw value as URI when no URI is found.
 */
function nameAddrParts(value: string): { uri: string; tag?: string } {
  const { uri, tag } = readNameAddrLeniently(value);
  return { uri, tag };
}

/**
 * User part of a sip:, sips: or tel: URI, unescaped (read when needed: most messages never need it). Every call
 * reads its caller's, and a capture's calls come from few URIs: recent answers are remembered (null: none).
 */
export function uriUser(uri: string): string | undefined {
  return cached(uriUserCache, uri, readUriUser) ?? undefined;
}

function readUriUser(uri: string): string | null {
  try {
    const parsed = parseUri(uri);
    return parsed.user === undefined ? null : unescapeUri(parsed.user);
  } catch {
    return null;
  }
}

/**
 * Top Via (first via-parm of the first Via header, RFC 3261 §7.3.1, §20.42): sent-by and branch only, read with
 * the shared parameter reader (the full parseVia also validates every host form, which analysis does not need).
 */
function topVia(value: string): { branch?: string; sentBy?: string } {
  const first = splitHeaderList(value)[0] ?? '';
  const protocolEnd = /^\s*SIP\s*\/\s*[^/\s]+\s*\/\s*\S+\s+/i.exec(first);
  if (!protocolEnd) return {};
  const semicolon = first.indexOf(';', protocolEnd[0].length);
  const sentBy = first.slice(protocolEnd[0].length, semicolon < 0 ? first.length : semicolon).trim().toLowerCase();
  if (semicolon < 0) return { sentBy };
  try {
    const branch = readParams(first, semicolon).params.branch;
    return { sentBy, branch: branch ?? undefined };
  } catch {
    return { sentBy };
  }
}
