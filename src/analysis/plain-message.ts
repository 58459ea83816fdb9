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
 * made from the record. Its strings are made only when read (PlainReading): a message that only matches what the
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
  SCAN_BRANCH_KEYED,
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

/**
 * Scan records of the messages this thread scans itself (readPlainMessage), a block of them at a time: a reading
 * reads its record when asked (as it reads the read thread's batch records), so a record is never written over.
 */
const OWN_RECORDS = 1024;
let ownRecords = new Int32Array(OWN_RECORDS * SCAN_STRIDE);
let ownRecordsUsed = 0;

/** Reads a message in its plain form; undefined when it is not (see the file comment). */
export function readPlainMessage(bytes: Uint8Array): MessageReading | undefined {
  if (ownRecordsUsed === OWN_RECORDS) {
    ownRecords = new Int32Array(OWN_RECORDS * SCAN_STRIDE);
    ownRecordsUsed = 0;
  }
  const at = ownRecordsUsed * SCAN_STRIDE;
  if (!scanPlainMessage(bytes, ownRecords, at)) return undefined;
  ownRecordsUsed++;
  return readingOfScan(bytes, ownRecords, at, true);
}

/**
 * Reads a message from the scan record another thread made of it (record[at, at + SCAN_STRIDE), never written
 * again); undefined when the scan found it not plain. A message with credential fields is scanned again here
 * (their values' ranges are not in the record; few messages have any).
 */
export function readScannedMessage(bytes: Uint8Array, record: Int32Array, at: number): MessageReading | undefined {
  if (record[at + SCAN_KIND] === KIND_NOT_PLAIN) return undefined;
  if (record[at + SCAN_CREDENTIAL_VALUES] !== 0) return readPlainMessage(bytes);
  return readingOfScan(bytes, record, at, false);
}

/**
 * The reading of a plain message from its scan record (PlainReading); values not in the plain form are read from
 * their text by fields.ts now (as the parser's path reads them). credentialsScanned: the record was made just now in
 * this thread (plain-scan.ts credentialRanges holds its credential values).
 */
function readingOfScan(bytes: Uint8Array, record: Int32Array, at: number, credentialsScanned: boolean): MessageReading {
  // the parser decodes every value of a message that is not ASCII as UTF-8 (RFC 3261 §25.1): valueText does too
  beginPlainMessage();
  const isRequest = record[at + SCAN_KIND] === KIND_REQUEST;
  const status = record[at + SCAN_STATUS];
  const credentials = credentialsScanned ? record[at + SCAN_CREDENTIAL_VALUES] : 0;
  const methodStart = record[at + SCAN_CSEQ_METHOD_START];
  const methodEnd = record[at + SCAN_CSEQ_METHOD_END];
  const lineStart = record[at + SCAN_LINE_START];
  const split = record[at + SCAN_LINE_SPLIT];
  const reading = new PlainReading(
    bytes,
    record,
    at,
    isRequest ? 'request' : 'response',
    isRequest ? (commonMethod(bytes, lineStart, split) ?? text(bytes, lineStart, split)) : '',
    status,
    commonMethod(bytes, methodStart, methodEnd) ?? text(bytes, methodStart, methodEnd).toUpperCase(),
    isRequest && credentials > 0 ? credentialOf(bytes, credentials) : undefined,
    !isRequest && credentials > 0 && isStale(bytes, status, credentials),
  );
  reading.readUnplain();
  return reading as unknown as MessageReading;
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
 * A plain message's reading and its analysis fields in one object (`fields` is itself): the start line, the kind,
 * and the values, read from the message's bytes and its scan record when asked. A value in the plain form is a byte
 * range in the record, made into a string when first read; the questions of MessageFields are answered from the
 * bytes and the scan's hashes without one. A value not in the plain form (its record slot -1) was read from its text
 * by readUnplain and is held as that text. The bytes are the payload's own (SipPayload.bytes) and the record is
 * never written again (a read thread's batch, or readPlainMessage's block).
 */
class PlainReading implements MessageFields {
  private line: string | undefined = undefined;
  private callIdText: string | undefined = undefined;
  private fromUriText: string | undefined = undefined;
  private fromTagText: string | undefined = undefined;
  private toUriText: string | undefined = undefined;
  private toTagText: string | undefined = undefined;
  private branchText: string | undefined = undefined;
  private sentByText: string | undefined = undefined;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly record: Int32Array,
    private readonly at: number,
    readonly kind: 'request' | 'response',
    /** A request's method as on the wire ('' for a response). */
    readonly method: string,
    /** A response's status (0 for a request). */
    readonly status: number,
    readonly cseqMethod: string,
    readonly credential: Credential | undefined,
    readonly staleChallenge: boolean,
  ) {}

  /** Reads the From, To and top Via values that are not in the plain form from their text, now. */
  readUnplain(): void {
    const { bytes, record, at } = this;
    if (record[at + SCAN_FROM + NAME_ADDR_URI_START] < 0) {
      const read = readNameAddrOf(bytes, record, at + SCAN_FROM);
      this.fromUriText = read.uri;
      this.fromTagText = read.tag;
    }
    if (record[at + SCAN_TO + NAME_ADDR_URI_START] < 0) {
      const read = readNameAddrOf(bytes, record, at + SCAN_TO);
      this.toUriText = read.uri;
      this.toTagText = read.tag;
    }
    if (record[at + SCAN_VIA + VIA_SENT_BY_START] < 0) {
      const valueStart = record[at + SCAN_VIA + VIA_VALUE_START];
      const read = readTopViaValue(valueStart < 0 ? '' : valueText(bytes, valueStart, record[at + SCAN_VIA + VIA_VALUE_END]));
      this.branchText = read.branch;
      this.sentByText = read.sentBy;
    }
  }

  get fields(): MessageFields {
    return this;
  }

  get firstLine(): string {
    return (this.line ??= text(this.bytes, this.record[this.at + SCAN_LINE_START], this.record[this.at + SCAN_LINE_END]));
  }

  get reason(): string {
    const { record, at } = this;
    const split = record[at + SCAN_LINE_SPLIT];
    const reasonEnd = record[at + SCAN_REASON_END];
    // the reason from the line's text when it is its tail (a slice of it: no second read)
    if (reasonEnd <= split) return '';
    return record[at + SCAN_LINE_END] === reasonEnd ? this.firstLine.slice(split - record[at + SCAN_LINE_START]) : text(this.bytes, split, reasonEnd);
  }

  /** textHash of the start line: the scan's for a request. */
  get startLineHash(): number {
    return this.kind === 'request' ? this.record[this.at + SCAN_LINE_HASH] : textHash(this.firstLine);
  }

  get cseqNumber(): number {
    return this.record[this.at + SCAN_CSEQ_NUMBER] >>> 0;
  }

  get callId(): string {
    return (this.callIdText ??= text(this.bytes, this.record[this.at + SCAN_CALL_ID_START], this.record[this.at + SCAN_CALL_ID_END]));
  }

  get fromUri(): string {
    const at = this.at + SCAN_FROM;
    return (this.fromUriText ??= text(this.bytes, this.record[at + NAME_ADDR_URI_START], this.record[at + NAME_ADDR_URI_END]));
  }

  get toUri(): string {
    const at = this.at + SCAN_TO;
    return (this.toUriText ??= text(this.bytes, this.record[at + NAME_ADDR_URI_START], this.record[at + NAME_ADDR_URI_END]));
  }

  get fromTag(): string | undefined {
    const start = this.fromTagStart();
    if (start >= 0) this.fromTagText ??= text(this.bytes, start, this.record[this.at + SCAN_FROM + NAME_ADDR_TAG_END]);
    return this.fromTagText;
  }

  get toTag(): string | undefined {
    const start = this.toTagStart();
    if (start >= 0) this.toTagText ??= text(this.bytes, start, this.record[this.at + SCAN_TO + NAME_ADDR_TAG_END]);
    return this.toTagText;
  }

  get viaBranch(): string | undefined {
    const start = this.branchStart();
    if (start >= 0) this.branchText ??= text(this.bytes, start, this.record[this.at + SCAN_VIA + VIA_BRANCH_END]);
    return this.branchText;
  }

  get viaSentBy(): string | undefined {
    const at = this.at + SCAN_VIA;
    const start = this.record[at + VIA_SENT_BY_START];
    if (start >= 0 && this.sentByText === undefined) {
      const sentBy = text(this.bytes, start, this.record[at + VIA_SENT_BY_END]);
      this.sentByText = this.record[at + VIA_SENT_BY_UPPER] !== 0 ? sentBy.toLowerCase() : sentBy;
    }
    return this.sentByText;
  }

  get toTagHash(): number {
    if (this.toTagStart() >= 0) return this.record[this.at + SCAN_TO_TAG_HASH];
    return this.toTagText === undefined ? 0 : textHash(this.toTagText);
  }

  get viaBranchHash(): number {
    if (this.branchStart() >= 0) return this.record[this.at + SCAN_BRANCH_HASH];
    return this.branchText === undefined ? 0 : textHash(this.branchText);
  }

  get branchKeyed(): boolean {
    const start = this.branchStart();
    if (start >= 0) return this.record[this.at + SCAN_BRANCH_KEYED] !== 0;
    return this.branchText !== undefined && this.branchText.startsWith(BRANCH_MAGIC_COOKIE);
  }

  get hasFromTag(): boolean {
    return this.fromTagStart() >= 0 || this.fromTagText !== undefined;
  }

  get inDialog(): boolean {
    // a tag in the plain form has a value (paramRange): never empty
    return this.toTagStart() >= 0 || (this.toTagText !== undefined && this.toTagText !== '');
  }

  callIdIs(callId: string): boolean {
    if (this.callIdText !== undefined) return this.callIdText === callId;
    return bytesAre(this.bytes, this.record[this.at + SCAN_CALL_ID_START], this.record[this.at + SCAN_CALL_ID_END], callId, false);
  }

  fromTagIs(tag: string | undefined): boolean {
    const start = this.fromTagStart();
    if (start >= 0 && this.fromTagText === undefined) return bytesAre(this.bytes, start, this.record[this.at + SCAN_FROM + NAME_ADDR_TAG_END], tag ?? '', false);
    return (this.fromTag ?? '') === (tag ?? '');
  }

  toTagIs(tag: string): boolean {
    const start = this.toTagStart();
    if (start >= 0 && this.toTagText === undefined) return bytesAre(this.bytes, start, this.record[this.at + SCAN_TO + NAME_ADDR_TAG_END], tag, false);
    return this.toTag === tag;
  }

  viaBranchIs(branch: string): boolean {
    const start = this.branchStart();
    if (start >= 0 && this.branchText === undefined) return bytesAre(this.bytes, start, this.record[this.at + SCAN_VIA + VIA_BRANCH_END], branch, false);
    return this.branchText === branch;
  }

  viaSentByIs(sentBy: string): boolean {
    const at = this.at + SCAN_VIA;
    const start = this.record[at + VIA_SENT_BY_START];
    if (start >= 0 && this.sentByText === undefined) return bytesAre(this.bytes, start, this.record[at + VIA_SENT_BY_END], sentBy, this.record[at + VIA_SENT_BY_UPPER] !== 0);
    return (this.sentByText ?? '') === sentBy;
  }

  /** Where the From tag's value starts among the bytes; -1 without one in the plain form. */
  private fromTagStart(): number {
    return this.record[this.at + SCAN_FROM + NAME_ADDR_TAG_START];
  }

  private toTagStart(): number {
    return this.record[this.at + SCAN_TO + NAME_ADDR_TAG_START];
  }

  private branchStart(): number {
    return this.record[this.at + SCAN_VIA + VIA_BRANCH_START];
  }
}

/** A From/To value not in the plain form, read from its text (as the parser's path reads it). */
function readNameAddrOf(bytes: Uint8Array, record: Int32Array, at: number): { uri: string; tag?: string } {
  const valueStart = record[at + NAME_ADDR_VALUE_START];
  return readNameAddrValue(valueStart < 0 ? '' : valueText(bytes, valueStart, record[at + NAME_ADDR_VALUE_END]));
}
