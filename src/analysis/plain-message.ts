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
 * Two halves: the scan (plain-scan.ts, plain-values.ts) finds from the bytes alone the ranges, numbers and hashes,
 * into a scan record (plain-record.ts), and may run on another thread (analysis/read-thread/); here the reading is
 * made from the record. Its strings are made only when read (PlainFields): a message that only matches what the
 * analysis already holds is compared with it byte for byte (a response's branch, sent-by, Call-ID and tags), and
 * most messages make few strings or none. The byte classes and the message's one piece of state (is it ASCII) are
 * in plain-bytes.ts.
 */
import { BRANCH_MAGIC_COOKIE, COMMON_METHODS } from '../sip/index.js';
import { textHash } from './own-copy.js';
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
  SCAN_BRANCH_HASH,
  SCAN_LINE_HASH,
  SCAN_TO_TAG_HASH,
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
 * The reading of a plain message from its scan record: the values in the plain form stay byte ranges, made into
 * strings only when read (PlainFields); values not in the plain form are read from their text by fields.ts (as the
 * parser's path reads them). credentialsScanned: the record was made just now in this thread (plain-scan.ts
 * credentialRanges holds its credential values).
 */
function readingOfScan(bytes: Uint8Array, record: Int32Array, at: number, credentialsScanned: boolean): MessageReading {
  // the parser decodes every value of a message that is not ASCII as UTF-8 (RFC 3261 §25.1): valueText does too
  beginPlainMessage();
  const isRequest = record[at + SCAN_KIND] === KIND_REQUEST;
  const status = record[at + SCAN_STATUS];
  const credentials = credentialsScanned ? record[at + SCAN_CREDENTIAL_VALUES] : 0;
  const methodStart = record[at + SCAN_CSEQ_METHOD_START];
  const methodEnd = record[at + SCAN_CSEQ_METHOD_END];
  const fields = new PlainFields(
    bytes,
    record[at + SCAN_CALL_ID_START],
    record[at + SCAN_CALL_ID_END],
    record[at + SCAN_CSEQ_NUMBER] >>> 0,
    commonMethod(bytes, methodStart, methodEnd) ?? text(bytes, methodStart, methodEnd).toUpperCase(),
    isRequest && credentials > 0 ? credentialOf(bytes, credentials) : undefined,
    !isRequest && credentials > 0 && isStale(bytes, status, credentials),
  );
  fields.readFrom(bytes, record, at + SCAN_FROM);
  fields.readTo(bytes, record, at + SCAN_TO, record[at + SCAN_TO_TAG_HASH]);
  fields.readTopVia(bytes, record, at + SCAN_VIA, record[at + SCAN_BRANCH_HASH]);
  const lineStart = record[at + SCAN_LINE_START];
  const split = record[at + SCAN_LINE_SPLIT];
  if (isRequest) {
    const method = commonMethod(bytes, lineStart, split) ?? text(bytes, lineStart, split);
    return new PlainRequestReading(method, fields, bytes, lineStart, record[at + SCAN_LINE_END], record[at + SCAN_LINE_HASH]);
  }
  return new PlainResponseReading(status, fields, bytes, lineStart, record[at + SCAN_LINE_END], split, record[at + SCAN_REASON_END]);
}

/** A plain request's reading: its start line's text made when first read (its hash is the scan's). */
class PlainRequestReading {
  readonly kind = 'request';
  private line: string | undefined;
  constructor(
    readonly method: string,
    readonly fields: PlainFields,
    private readonly bytes: Uint8Array,
    private readonly lineStart: number,
    private readonly lineEnd: number,
    readonly startLineHash: number,
  ) {}

  get firstLine(): string {
    return (this.line ??= text(this.bytes, this.lineStart, this.lineEnd));
  }
}

/** A plain response's reading: its status line and reason made when first read. */
class PlainResponseReading {
  readonly kind = 'response';
  private line: string | undefined;
  constructor(
    readonly status: number,
    readonly fields: PlainFields,
    private readonly bytes: Uint8Array,
    private readonly lineStart: number,
    private readonly lineEnd: number,
    private readonly split: number,
    private readonly reasonEnd: number,
  ) {}

  get firstLine(): string {
    return (this.line ??= text(this.bytes, this.lineStart, this.lineEnd));
  }

  get reason(): string {
    const { split, reasonEnd, lineStart, lineEnd } = this;
    // the reason from the line's text when it is its tail (a slice of it: no second read)
    if (reasonEnd <= split) return '';
    return lineEnd === reasonEnd ? this.firstLine.slice(split - lineStart) : text(this.bytes, split, reasonEnd);
  }

  get startLineHash(): number {
    return textHash(this.firstLine);
  }
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

function commonMethod(bytes: Uint8Array, start: number, end: number): string | undefined {
  for (let i = 0; i < COMMON_METHODS.length; i++) {
    const method = COMMON_METHODS[i];
    if (method.length === end - start && startsWith(bytes, start, end, method)) return method;
  }
  return undefined;
}


/** Whether bytes[start, end) are the text's characters, each byte lower-cased first when `lower` (A-Z only). */
function bytesAre(bytes: Uint8Array, start: number, end: number, text: string, lower: boolean): boolean {
  if (end - start !== text.length) return false;
  for (let i = 0; i < text.length; i++) {
    const code = bytes[start + i];
    if ((lower && code >= 0x41 && code <= 0x5a ? code + 0x20 : code) !== text.charCodeAt(i)) return false;
  }
  return true;
}

/**
 * The analysis fields of a plain message. Values in the plain form are byte ranges of the message (the payload's
 * own bytes, SipPayload.bytes), made into strings when first read; the questions of MessageFields are answered from
 * the bytes and the scan's hashes. A value not in the plain form (a range of -1) was read from its text by fields.ts
 * and is held as that text.
 */
class PlainFields implements MessageFields {
  private callIdText: string | undefined = undefined;
  private fromUriText: string | undefined = undefined;
  private fromUriStart = 0;
  private fromUriEnd = 0;
  private fromTagText: string | undefined = undefined;
  private fromTagStart = -1;
  private fromTagEnd = -1;
  private toUriText: string | undefined = undefined;
  private toUriStart = 0;
  private toUriEnd = 0;
  private toTagText: string | undefined = undefined;
  private toTagStart = -1;
  private toTagEnd = -1;
  readonly toTagHash: number = 0;
  private branchText: string | undefined = undefined;
  private branchStart = -1;
  private branchEnd = -1;
  readonly viaBranchHash: number = 0;
  private sentByText: string | undefined = undefined;
  private sentByStart = -1;
  private sentByEnd = -1;
  private sentByUpper = false;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly callIdStart: number,
    private readonly callIdEnd: number,
    readonly cseqNumber: number,
    readonly cseqMethod: string,
    readonly credential: Credential | undefined,
    readonly staleChallenge: boolean,
  ) {}

  /** From from its scan slots at record[at...]: a plain value's ranges, any other value read from its text. */
  readFrom(bytes: Uint8Array, record: Int32Array, at: number): void {
    const uriStart = record[at + NAME_ADDR_URI_START];
    if (uriStart < 0) {
      const read = readNameAddrOf(bytes, record, at);
      this.fromUriText = read.uri;
      this.fromTagText = read.tag;
      return;
    }
    this.fromUriStart = uriStart;
    this.fromUriEnd = record[at + NAME_ADDR_URI_END];
    this.fromTagStart = record[at + NAME_ADDR_TAG_START];
    this.fromTagEnd = record[at + NAME_ADDR_TAG_END];
  }

  /** To, as readFrom; `tagHash` the scan's hash of a tag in the plain form. */
  readTo(bytes: Uint8Array, record: Int32Array, at: number, tagHash: number): void {
    const uriStart = record[at + NAME_ADDR_URI_START];
    if (uriStart < 0) {
      const read = readNameAddrOf(bytes, record, at);
      this.toUriText = read.uri;
      this.toTagText = read.tag;
      (this as { toTagHash: number }).toTagHash = read.tag === undefined ? 0 : textHash(read.tag);
      return;
    }
    this.toUriStart = uriStart;
    this.toUriEnd = record[at + NAME_ADDR_URI_END];
    const tagStart = record[at + NAME_ADDR_TAG_START];
    if (tagStart >= 0) {
      this.toTagStart = tagStart;
      this.toTagEnd = record[at + NAME_ADDR_TAG_END];
      (this as { toTagHash: number }).toTagHash = tagHash;
    }
  }

  /** The top Via from its scan slots at record[at...]; `branchHash` the scan's hash of a branch in the plain form. */
  readTopVia(bytes: Uint8Array, record: Int32Array, at: number, branchHash: number): void {
    const sentByStart = record[at + VIA_SENT_BY_START];
    if (sentByStart < 0) {
      const valueStart = record[at + VIA_VALUE_START];
      const read = readTopViaValue(valueStart < 0 ? '' : valueText(bytes, valueStart, record[at + VIA_VALUE_END]));
      this.branchText = read.branch;
      this.sentByText = read.sentBy;
      (this as { viaBranchHash: number }).viaBranchHash = read.branch === undefined ? 0 : textHash(read.branch);
      return;
    }
    this.sentByStart = sentByStart;
    this.sentByEnd = record[at + VIA_SENT_BY_END];
    this.sentByUpper = record[at + VIA_SENT_BY_UPPER] !== 0;
    const branchStart = record[at + VIA_BRANCH_START];
    if (branchStart >= 0) {
      this.branchStart = branchStart;
      this.branchEnd = record[at + VIA_BRANCH_END];
      (this as { viaBranchHash: number }).viaBranchHash = branchHash;
    }
  }

  get callId(): string {
    return (this.callIdText ??= text(this.bytes, this.callIdStart, this.callIdEnd));
  }

  get fromUri(): string {
    return (this.fromUriText ??= text(this.bytes, this.fromUriStart, this.fromUriEnd));
  }

  get toUri(): string {
    return (this.toUriText ??= text(this.bytes, this.toUriStart, this.toUriEnd));
  }

  get fromTag(): string | undefined {
    if (this.fromTagStart >= 0) this.fromTagText ??= text(this.bytes, this.fromTagStart, this.fromTagEnd);
    return this.fromTagText;
  }

  get toTag(): string | undefined {
    if (this.toTagStart >= 0) this.toTagText ??= text(this.bytes, this.toTagStart, this.toTagEnd);
    return this.toTagText;
  }

  get viaBranch(): string | undefined {
    if (this.branchStart >= 0) this.branchText ??= text(this.bytes, this.branchStart, this.branchEnd);
    return this.branchText;
  }

  get viaSentBy(): string | undefined {
    if (this.sentByStart >= 0 && this.sentByText === undefined) {
      const sentBy = text(this.bytes, this.sentByStart, this.sentByEnd);
      this.sentByText = this.sentByUpper ? sentBy.toLowerCase() : sentBy;
    }
    return this.sentByText;
  }

  get branchKeyed(): boolean {
    if (this.branchStart >= 0) return startsWith(this.bytes, this.branchStart, this.branchEnd, BRANCH_MAGIC_COOKIE);
    return this.branchText !== undefined && this.branchText.startsWith(BRANCH_MAGIC_COOKIE);
  }

  get hasFromTag(): boolean {
    return this.fromTagStart >= 0 || this.fromTagText !== undefined;
  }

  get inDialog(): boolean {
    // a tag in the plain form has a value (paramRange): never empty
    return this.toTagStart >= 0 || (this.toTagText !== undefined && this.toTagText !== '');
  }

  callIdIs(callId: string): boolean {
    if (this.callIdText !== undefined) return this.callIdText === callId;
    return bytesAre(this.bytes, this.callIdStart, this.callIdEnd, callId, false);
  }

  fromTagIs(tag: string | undefined): boolean {
    if (this.fromTagStart >= 0 && this.fromTagText === undefined) return bytesAre(this.bytes, this.fromTagStart, this.fromTagEnd, tag ?? '', false);
    return (this.fromTag ?? '') === (tag ?? '');
  }

  toTagIs(tag: string): boolean {
    if (this.toTagStart >= 0 && this.toTagText === undefined) return bytesAre(this.bytes, this.toTagStart, this.toTagEnd, tag, false);
    return this.toTag === tag;
  }

  viaBranchIs(branch: string): boolean {
    if (this.branchStart >= 0 && this.branchText === undefined) return bytesAre(this.bytes, this.branchStart, this.branchEnd, branch, false);
    return this.branchText === branch;
  }

  viaSentByIs(sentBy: string): boolean {
    if (this.sentByStart >= 0 && this.sentByText === undefined) return bytesAre(this.bytes, this.sentByStart, this.sentByEnd, sentBy, this.sentByUpper);
    return (this.sentByText ?? '') === sentBy;
  }
}

/** A From/To value not in the plain form, read from its text (as the parser's path reads it). */
function readNameAddrOf(bytes: Uint8Array, record: Int32Array, at: number): { uri: string; tag?: string } {
  const valueStart = record[at + NAME_ADDR_VALUE_START];
  return readNameAddrValue(valueStart < 0 ? '' : valueText(bytes, valueStart, record[at + NAME_ADDR_VALUE_END]));
}
