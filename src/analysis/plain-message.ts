/**
 * The analysis's fast reading of a SIP message in its plain form, straight from its bytes: the start line and the
 * fields readFields takes (Call-ID, CSeq, From, To, top Via, credentials), without the parser's message (no text
 * of the whole message, no header objects). It answers exactly what parseMessage (RFC 3261 §7, §7.3) followed by
 * readFields answers, for the messages it accepts; anything else (bytes >= 0x80 in the start line or Call-ID,
 * folded lines, a start line the parser's quick path would not take, an unusual CSeq, messages over 16 KiB) is
 * undefined and goes to them.
 * test/analysis/plain-message.test.ts holds it to that on every message of the fixtures and the RFC 4475 set.
 *
 * Why: the analysis reads five fields of every message of captures of millions; building the whole message was
 * most of its allocation (the latin1 text of each message, a header object and a value per line).
 * Two halves: the scan (plain-scan.ts, plain-values.ts) finds from the bytes alone the ranges and numbers, into a
 * scan record (plain-record.ts), and may run on another thread (analysis/read-thread/); here the strings and the
 * fields are made from the record. The byte classes and the message's one piece of state (is it ASCII) are in
 * plain-bytes.ts.
 */
import { COMMON_METHODS } from '../sip/index.js';
import { credentialOfValues, isStaleChallengeOf } from './credentials.js';
import { readNameAddrValue, readTopViaValue, type MessageFields } from './fields.js';
import type { MessageReading } from './observed.js';
import { beginPlainMessage, startsWith, text, valueText } from './plain-bytes.js';
import {
  KIND_NOT_PLAIN,
  KIND_REQUEST,
  NAME_ADDR_TAG_END,
  NAME_ADDR_TAG_START,
  NAME_ADDR_URI_END,
  NAME_ADDR_URI_START,
  NAME_ADDR_VALUE_END,
  NAME_ADDR_VALUE_START,
  SCAN_CALL_ID_END,
  SCAN_CALL_ID_START,
  SCAN_CREDENTIAL_VALUES,
  SCAN_CSEQ_METHOD_END,
  SCAN_CSEQ_METHOD_START,
  SCAN_CSEQ_NUMBER,
  SCAN_FROM,
  SCAN_KIND,
  SCAN_LINE_END,
  SCAN_LINE_SPLIT,
  SCAN_LINE_START,
  SCAN_REASON_END,
  SCAN_STATUS,
  SCAN_STRIDE,
  SCAN_TO,
  SCAN_VIA,
  VIA_BRANCH_END,
  VIA_BRANCH_START,
  VIA_SENT_BY_END,
  VIA_SENT_BY_START,
  VIA_SENT_BY_UPPER,
  VIA_VALUE_END,
  VIA_VALUE_START,
} from './plain-record.js';
import { AUTHORIZATION, credentialRanges, PROXY_AUTHENTICATE, PROXY_AUTHORIZATION, scanPlainMessage, WWW_AUTHENTICATE } from './plain-scan.js';
import type { Credential } from './types.js';

/** The scan record of readPlainMessage (one message at a time, in this thread). */
const ownRecord = new Int32Array(SCAN_STRIDE);

/** Reads a message in its plain form; undefined when it is not (see the file comment). */
export function readPlainMessage(bytes: Uint8Array): MessageReading | undefined {
  if (!scanPlainMessage(bytes, ownRecord, 0)) return undefined;
  return readingOfScan(bytes, ownRecord, 0, true);
}

/**
 * Reads a message from the scan record another thread made of it (record[at, at + SCAN_STRIDE)); undefined when
 * the scan found it not plain. A message with credential fields is scanned again here (their values' ranges are
 * not in the record; few messages have any).
 */
export function readScannedMessage(bytes: Uint8Array, record: Int32Array, at: number): MessageReading | undefined {
  if (record[at + SCAN_KIND] === KIND_NOT_PLAIN) return undefined;
  if (record[at + SCAN_CREDENTIAL_VALUES] !== 0) return readPlainMessage(bytes);
  return readingOfScan(bytes, record, at, false);
}

/**
 * The reading of a plain message from its scan record: the strings made from the bytes' ranges, values not in the
 * plain form read from their text by fields.ts (as the parser's path reads them). credentialsScanned: the record
 * was made just now in this thread (plain-scan.ts credentialRanges holds its credential values).
 */
function readingOfScan(bytes: Uint8Array, record: Int32Array, at: number, credentialsScanned: boolean): MessageReading {
  // the parser decodes every value of a message that is not ASCII as UTF-8 (RFC 3261 §25.1): valueText does too
  beginPlainMessage();
  const isRequest = record[at + SCAN_KIND] === KIND_REQUEST;
  const status = record[at + SCAN_STATUS];
  const credentials = credentialsScanned ? record[at + SCAN_CREDENTIAL_VALUES] : 0;
  nameAddrOf(bytes, record, at + SCAN_FROM);
  const fromTag = nameTag;
  const fromUriText = nameUriText;
  const fromUriStart = nameUriStart;
  const fromUriEnd = nameUriEnd;
  nameAddrOf(bytes, record, at + SCAN_TO);
  topViaOf(bytes, record, at + SCAN_VIA);
  const methodStart = record[at + SCAN_CSEQ_METHOD_START];
  const methodEnd = record[at + SCAN_CSEQ_METHOD_END];
  const fields = new PlainFields(
    bytes,
    text(bytes, record[at + SCAN_CALL_ID_START], record[at + SCAN_CALL_ID_END]),
    record[at + SCAN_CSEQ_NUMBER] >>> 0,
    commonMethod(bytes, methodStart, methodEnd) ?? text(bytes, methodStart, methodEnd).toUpperCase(),
    fromTag,
    nameTag,
    fromUriText,
    fromUriStart,
    fromUriEnd,
    nameUriText,
    nameUriStart,
    nameUriEnd,
    viaBranch,
    viaSentBy,
    isRequest && credentials > 0 ? credentialOf(bytes, credentials) : undefined,
    !isRequest && credentials > 0 && isStale(bytes, status, credentials),
  );
  const lineStart = record[at + SCAN_LINE_START];
  const lineEnd = record[at + SCAN_LINE_END];
  const split = record[at + SCAN_LINE_SPLIT];
  const firstLine = text(bytes, lineStart, lineEnd);
  if (isRequest) return { kind: 'request', method: commonMethod(bytes, lineStart, split) ?? text(bytes, lineStart, split), firstLine, fields };
  // the reason from the line's text when it is its tail (a copy or a slice of it in the heap: no second read)
  const reasonEnd = record[at + SCAN_REASON_END];
  const reason = reasonEnd <= split ? '' : lineEnd === reasonEnd ? firstLine.slice(split - lineStart) : text(bytes, split, reasonEnd);
  return { kind: 'response', status, reason, firstLine, fields };
}

/** The values of the scanned credential fields of one kind, in their order in the message. */
function credentialValues(bytes: Uint8Array, credentials: number, field: number): string[] | undefined {
  let values: string[] | undefined;
  for (let i = 0; i < credentials; i++) {
    if (credentialRanges[3 * i] === field) (values ??= []).push(valueText(bytes, credentialRanges[3 * i + 1], credentialRanges[3 * i + 2]));
  }
  return values;
}

function credentialOf(bytes: Uint8Array, credentials: number): Credential | undefined {
  const authorization = credentialValues(bytes, credentials, AUTHORIZATION);
  const proxyAuthorization = credentialValues(bytes, credentials, PROXY_AUTHORIZATION);
  return authorization || proxyAuthorization ? credentialOfValues(authorization ?? [], proxyAuthorization ?? []) : undefined;
}

function isStale(bytes: Uint8Array, status: number, credentials: number): boolean {
  if (status === 401) {
    const wwwAuthenticate = credentialValues(bytes, credentials, WWW_AUTHENTICATE);
    return wwwAuthenticate !== undefined && isStaleChallengeOf(401, wwwAuthenticate);
  }
  if (status === 407) {
    const proxyAuthenticate = credentialValues(bytes, credentials, PROXY_AUTHENTICATE);
    return proxyAuthenticate !== undefined && isStaleChallengeOf(407, proxyAuthenticate);
  }
  return false;
}

/** What nameAddrOf read (module state, read right after the call): the URI as text or as a range, and the tag. */
let nameUriText: string | undefined;
let nameUriStart = 0;
let nameUriEnd = 0;
let nameTag: string | undefined;

/** From/To from their scan slots at record[at...]: a plain value from its ranges, any other from its text. */
function nameAddrOf(bytes: Uint8Array, record: Int32Array, at: number): void {
  const uriStart = record[at + NAME_ADDR_URI_START];
  if (uriStart < 0) {
    const valueStart = record[at + NAME_ADDR_VALUE_START];
    const read = readNameAddrValue(valueStart < 0 ? '' : valueText(bytes, valueStart, record[at + NAME_ADDR_VALUE_END]));
    nameUriText = read.uri;
    nameUriStart = 0;
    nameUriEnd = 0;
    nameTag = read.tag;
    return;
  }
  nameUriText = undefined;
  nameUriStart = uriStart;
  nameUriEnd = record[at + NAME_ADDR_URI_END];
  const tagStart = record[at + NAME_ADDR_TAG_START];
  nameTag = tagStart < 0 ? undefined : text(bytes, tagStart, record[at + NAME_ADDR_TAG_END]);
}

/** What topViaOf read (module state, read right after the call). */
let viaBranch: string | undefined;
let viaSentBy: string | undefined;

/** The top Via from its scan slots at record[at...]: a plain value from its ranges, any other from its text. */
function topViaOf(bytes: Uint8Array, record: Int32Array, at: number): void {
  const sentByStart = record[at + VIA_SENT_BY_START];
  if (sentByStart < 0) {
    const valueStart = record[at + VIA_VALUE_START];
    const read = readTopViaValue(valueStart < 0 ? '' : valueText(bytes, valueStart, record[at + VIA_VALUE_END]));
    viaBranch = read.branch;
    viaSentBy = read.sentBy;
    return;
  }
  const sentBy = text(bytes, sentByStart, record[at + VIA_SENT_BY_END]);
  viaSentBy = record[at + VIA_SENT_BY_UPPER] !== 0 ? sentBy.toLowerCase() : sentBy;
  const branchStart = record[at + VIA_BRANCH_START];
  viaBranch = branchStart < 0 ? undefined : text(bytes, branchStart, record[at + VIA_BRANCH_END]);
}

function commonMethod(bytes: Uint8Array, start: number, end: number): string | undefined {
  for (let i = 0; i < COMMON_METHODS.length; i++) {
    const method = COMMON_METHODS[i];
    if (method.length === end - start && startsWith(bytes, start, end, method)) return method;
  }
  return undefined;
}

/**
 * The analysis fields of a plain message; From and To URIs are read from the message's bytes when first asked
 * for (the bytes are the payload's own, SipPayload.bytes).
 */
class PlainFields implements MessageFields {
  private fromUriText: string | undefined;
  private toUriText: string | undefined;
  constructor(
    private readonly bytes: Uint8Array,
    readonly callId: string,
    readonly cseqNumber: number,
    readonly cseqMethod: string,
    readonly fromTag: string | undefined,
    readonly toTag: string | undefined,
    fromUriText: string | undefined,
    private readonly fromUriStart: number,
    private readonly fromUriEnd: number,
    toUriText: string | undefined,
    private readonly toUriStart: number,
    private readonly toUriEnd: number,
    readonly viaBranch: string | undefined,
    readonly viaSentBy: string | undefined,
    readonly credential: Credential | undefined,
    readonly staleChallenge: boolean,
  ) {
    this.fromUriText = fromUriText;
    this.toUriText = toUriText;
  }

  get fromUri(): string {
    return (this.fromUriText ??= text(this.bytes, this.fromUriStart, this.fromUriEnd));
  }

  get toUri(): string {
    return (this.toUriText ??= text(this.bytes, this.toUriStart, this.toUriEnd));
  }
}

