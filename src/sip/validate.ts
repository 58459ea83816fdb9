/**
 * Field-level checks of a parsed message (RFC 3261 §8.1.1, §20, §25): mandatory headers, single-valued
 * headers, and the syntax of the fields a SIP element acts on. The parser itself only checks framing;
 * `validateMessage` runs the on-demand field parsers and reports every problem as a specific Defect.
 */
import type { Defect, HeaderField, SipMessage } from './message.js';
import { isToken } from './syntax.js';
import { isUriScheme, parseUri, UriError } from './uri.js';
import { parseCSeq } from './headers/cseq.js';
import { HeaderSyntaxError } from './headers/header-error.js';
import { parseNameAddr, parseNameAddrList, type NameAddr } from './headers/name-addr.js';
import { parseMultipart } from './headers/multipart.js';
import { BRANCH_MAGIC_COOKIE, parseVia } from './headers/via.js';
import { checkDate, checkScalar, checkWarning } from './validate-scalars.js';

/** RFC 3261 §8.1.1: headers every request carries; responses copy all but Max-Forwards (§8.2.6.2). */
const MANDATORY = ['to', 'from', 'cseq', 'call-id', 'via'];

/** Headers that may appear at most once (RFC 3261 §7.3.1: only list-valued headers may repeat). */
const SINGLE_VALUED = new Set([
  'to', 'from', 'cseq', 'call-id', 'max-forwards', 'content-length', 'content-type', 'expires', 'date',
  'retry-after', 'min-expires', 'mime-version', 'organization', 'priority', 'reply-to', 'server', 'subject',
  'timestamp', 'user-agent', 'content-disposition', 'min-se', 'session-expires', 'rseq', 'rack', 'event',
]);

function defectFrom(error: unknown, header: string, field: HeaderField | undefined, context: string): Defect {
  if (error instanceof HeaderSyntaxError || error instanceof UriError) {
    return { code: error.code, header, message: `${context}: ${error.message}`, offset: field?.offset };
  }
  throw error;
}

/** Every field-level problem of `message`, in header order. Does not modify the message. */
export function validateMessage(message: SipMessage): Defect[] {
  const defects: Defect[] = [];
  const firstByName = new Map<string, HeaderField>();
  for (const field of message.headers) {
    const seen = firstByName.get(field.name);
    if (seen === undefined) firstByName.set(field.name, field);
    else if (SINGLE_VALUED.has(field.name)) {
      defects.push({ code: 'duplicate-scalar-header', header: field.name, message: `${field.rawName} appears more than once; it takes a single value (RFC 3261 §7.3.1)`, offset: field.offset });
    }
  }
  for (const name of MANDATORY) {
    if (!firstByName.has(name)) defects.push({ code: 'missing-header', header: name, message: `mandatory header ${name} is missing (RFC 3261 §8.1.1)` });
  }
  if (message.kind === 'request') {
    if (!firstByName.has('max-forwards')) {
      // RFC 3261 §8.1.1.6 makes Max-Forwards a MUST for senders, but RFC 4475 §3.4.1 expects RFC 2543
      // requests without it to be accepted: a warning, not an error.
      defects.push({ code: 'missing-header', header: 'max-forwards', severity: 'warning', message: 'Max-Forwards is missing (RFC 3261 §8.1.1.6; tolerated for RFC 2543 peers)' });
    }
    if (!message.defects.some((defect) => defect.code === 'bad-request-uri')) checkRequestUri(message.uri, defects);
  }
  for (const field of message.headers) checkField(message, field, defects);
  checkBody(message, firstByName, defects);
  return defects;
}

/** RFC 3261 §19.1.1 table: a Request-URI carries no headers; sip/sips/tel must parse, other schemes are absoluteURI. */
function checkRequestUri(uri: string, defects: Defect[]): void {
  const colon = uri.indexOf(':');
  const scheme = colon > 0 ? uri.slice(0, colon).toLowerCase() : '';
  if (!isUriScheme(scheme)) {
    defects.push({ code: 'bad-request-uri', message: `Request-URI ${JSON.stringify(uri)} has no valid scheme` });
    return;
  }
  if (scheme !== 'sip' && scheme !== 'sips' && scheme !== 'tel') {
    defects.push({ code: 'unsupported-uri-scheme', severity: 'warning', message: `Request-URI scheme ${scheme} is not sip, sips or tel (a UAS answers 416, RFC 3261 §8.2.2.1)` });
    return;
  }
  try {
    const parsed = parseUri(uri);
    if (parsed.headers.length > 0) {
      defects.push({ code: 'bad-request-uri', message: `Request-URI ${JSON.stringify(uri)} carries URI headers, which RFC 3261 §19.1.1 forbids there` });
    }
  } catch (error) {
    const defect = defectFrom(error, 'request-uri', undefined, 'Request-URI');
    defects.push({ ...defect, code: 'bad-request-uri', header: undefined });
  }
}

function checkField(message: SipMessage, field: HeaderField, defects: Defect[]): void {
  try {
    switch (field.name) {
      case 'cseq': {
        const cseq = parseCSeq(field.value);
        if (message.kind === 'request' && cseq.method !== message.method) {
          defects.push({ code: 'cseq-method-mismatch', header: 'cseq', message: `CSeq method ${cseq.method} differs from the request method ${message.method} (RFC 3261 §8.1.1.5)`, offset: field.offset });
        }
        break;
      }
      case 'via':
        for (const via of parseVia(field.value)) {
          if (via.protocol.toUpperCase() !== 'SIP/2.0') {
            defects.push({ code: 'bad-sip-version', header: 'via', message: `Via sent-protocol ${via.protocol} is not SIP/2.0`, offset: field.offset });
          }
          if (via.branch === undefined) {
            defects.push({ code: 'missing-branch', header: 'via', severity: 'warning', message: `Via ${via.host} has no branch parameter (RFC 3261 §8.1.1.7; RFC 2543 peers omit it)`, offset: field.offset });
          } else if (via.branch === BRANCH_MAGIC_COOKIE) {
            defects.push({ code: 'bad-branch', header: 'via', severity: 'warning', message: `Via branch is only the magic cookie ${BRANCH_MAGIC_COOKIE} with no identifier after it (RFC 3261 §8.1.1.7, RFC 4475 §3.2.1)`, offset: field.offset });
          }
        }
        break;
      case 'to':
      case 'from':
        checkAddress(parseNameAddr(field.value), field, defects);
        break;
      case 'contact':
      case 'route':
      case 'record-route':
        for (const address of parseNameAddrList(field.value)) {
          if (address.wildcard && field.name !== 'contact') throw new HeaderSyntaxError('bad-name-addr', `'*' is only allowed in Contact`, 0);
          if (!address.wildcard) checkAddress(address, field, defects);
        }
        break;
      case 'call-id':
        checkCallId(field, defects);
        break;
      case 'max-forwards':
        checkScalar(field, 255, defects);
        break;
      case 'expires':
      case 'min-expires':
        checkScalar(field, 0xffffffff, defects);
        break;
      case 'retry-after':
        checkScalar(field, 0xffffffff, defects, true);
        break;
      case 'date':
        checkDate(field, defects);
        break;
      case 'warning':
        checkWarning(field, defects);
        break;
      case 'content-type':
        checkMediaType(field, defects);
        break;
      default:
        if (!isToken(field.rawName)) {
          defects.push({ code: 'bad-header-name', header: field.name, message: `header name ${JSON.stringify(field.rawName)} is not a token (RFC 3261 §7.3.1)`, offset: field.offset });
        }
    }
  } catch (error) {
    defects.push(defectFrom(error, field.name, field, field.rawName));
  }
}

/** The URI of a From/To/Contact/Route must parse when sip/sips/tel; other schemes are legal but noted. */
function checkAddress(address: NameAddr, field: HeaderField, defects: Defect[]): void {
  const colon = address.uri.indexOf(':');
  const scheme = colon > 0 ? address.uri.slice(0, colon).toLowerCase() : '';
  if (scheme !== 'sip' && scheme !== 'sips' && scheme !== 'tel') {
    if (!isUriScheme(scheme)) throw new HeaderSyntaxError('bad-name-addr', `URI ${JSON.stringify(address.uri)} has no valid scheme`, 0);
    defects.push({ code: 'unsupported-uri-scheme', header: field.name, severity: 'warning', message: `${field.rawName} URI scheme ${scheme} is not sip, sips or tel`, offset: field.offset });
    return;
  }
  parseUri(address.uri);
}

/** RFC 3261 §25.1: callid = word [ "@" word ]. */
function checkCallId(field: HeaderField, defects: Defect[]): void {
  const value = field.value;
  const at = value.indexOf('@');
  const ok = at < 0 ? isWord(value, 0, value.length) : isWord(value, 0, at) && isWord(value, at + 1, value.length);
  if (ok) return;
  // Whitespace or control characters break the field; other stray characters (base64 '=' is common in
  // practice) break only the grammar, and every element compares Call-IDs byte for byte anyway.
  const broken = value.length === 0 || /[\x00-\x20\x7f]/.test(value);
  defects.push({
    code: 'bad-call-id', header: 'call-id', offset: field.offset, ...(broken ? {} : { severity: 'warning' as const }),
    message: `Call-ID ${JSON.stringify(value)} is not word["@"word] (RFC 3261 §25.1)`,
  });
}

const WORD_EXTRA = '()<>:\\"/[]?{}';

function isWord(text: string, start: number, end: number): boolean {
  if (end <= start) return false;
  for (let i = start; i < end; i++) {
    const code = text.charCodeAt(i);
    if (!isToken(text, i, i + 1) && !WORD_EXTRA.includes(text[i])) return false;
    if (code >= 128) return false;
  }
  return true;
}

/** RFC 3261 §20.15: media-type = m-type SLASH m-subtype *(SEMI m-parameter). */
function checkMediaType(field: HeaderField, defects: Defect[]): void {
  const semicolon = field.value.indexOf(';');
  const mediaType = (semicolon < 0 ? field.value : field.value.slice(0, semicolon)).trim();
  const slash = mediaType.indexOf('/');
  if (slash <= 0 || !isToken(mediaType.slice(0, slash).trim()) || !isToken(mediaType.slice(slash + 1).trim())) {
    defects.push({ code: 'bad-content-type', header: 'content-type', message: `Content-Type ${JSON.stringify(field.value)} is not type/subtype (RFC 3261 §20.15)`, offset: field.offset });
  }
}

/** RFC 3261 §20.15: a non-empty body needs a Content-Type; multipart bodies must split cleanly. */
function checkBody(message: SipMessage, firstByName: Map<string, HeaderField>, defects: Defect[]): void {
  const contentType = firstByName.get('content-type');
  if (message.body.length > 0 && contentType === undefined) {
    defects.push({ code: 'missing-header', header: 'content-type', severity: 'warning', message: 'the message has a body but no Content-Type (RFC 3261 §20.15)' });
  }
  if (contentType && /^\s*multipart\//i.test(contentType.value)) {
    try {
      parseMultipart(message.body, contentType.value);
    } catch (error) {
      defects.push(defectFrom(error, 'content-type', contentType, 'multipart body'));
    }
  }
}
