/**
 * name-addr / addr-spec values of From, To, Contact, Route, Record-Route, Reply-To (RFC 3261 §20.10, §25.1):
 * ( name-addr / addr-spec ) *( SEMI param ), name-addr = [ display-name ] LAQUOT addr-spec RAQUOT,
 * display-name = *(token LWS) / quoted-string. Contact may also be '*' (§10.2.2, §20.10).
 */
import { isTokenChar, isWhite } from '../syntax.js';
import { HeaderSyntaxError } from './header-error.js';
import { splitHeaderList } from './list.js';
import { createParams, quotedStringEnd, readParams, skipWhitespace, unquote, type Params } from './params.js';

export interface NameAddr {
  /** Display name: quoted form unquoted (quoted-pairs resolved), token form with single spaces. */
  displayName?: string;
  /** Whether the display name was a quoted-string. */
  quotedDisplayName?: boolean;
  /** The URI text as written; parse it with parseUri (uri.ts) when its components are needed. */
  uri: string;
  /** Whether the URI was enclosed in <> (name-addr) rather than a bare addr-spec. */
  bracketed: boolean;
  /** Header parameters (after the URI), names lowercased, values as written; null = no value. */
  params: Params;
  /** The tag parameter (RFC 3261 §19.3), when present. */
  tag?: string;
  /** Contact: * (RFC 3261 §10.2.2). */
  wildcard?: boolean;
}

/**
 * `<URI>` alone or with a tag parameter after it, the form of most To and Contact values of answers: a URI without
 * whitespace, quotes or commas (none of which its grammar needs unescaped), a tag that is a token.
 */
const PLAIN_NAME_ADDR = /^<([^\s<>",]+)>(?:;tag=([0-9A-Za-z.!%*_+`'~-]+))?$/;

/**
 * The URI and tag of a From/To/Contact value in the plain form above, read without the general parser: a client
 * reads the To and Contact of each answer that makes a dialog (RFC 3261 §12.1.2). The quick path of parseNameAddr
 * (and of parseNameAddrList for a one-element list), as plainViaBranch is parseVia's: undefined for any other form,
 * and what it reads, parseNameAddr reads with the same URI and tag.
 */
export function plainNameAddr(value: string): { uri: string; tag: string | undefined } | undefined {
  const plain = PLAIN_NAME_ADDR.exec(value);
  return plain === null ? undefined : { uri: plain[1], tag: plain[2] };
}

/** Parses one From/To/Contact/Route value (not a list). Throws HeaderSyntaxError with a specific code. */
export function parseNameAddr(value: string): NameAddr {
  const text = value.trim();
  if (text === '*') return { uri: '*', bracketed: false, params: createParams(), wildcard: true };
  if (text.length === 0) throw new HeaderSyntaxError('bad-name-addr', 'empty address value', 0);
  let pos = 0;
  let displayName: string | undefined;
  let quoted = false;
  if (text.charCodeAt(0) === 0x22) {
    const end = quotedStringEnd(text, 0);
    if (end < 0) throw new HeaderSyntaxError('unbalanced-quotes', `display name in ${JSON.stringify(text)} opens a quote that is never closed`, 0);
    displayName = unquote(text.slice(0, end));
    quoted = true;
    pos = skipWhitespace(text, end);
    if (text.charCodeAt(pos) !== 0x3c) throw new HeaderSyntaxError('bad-name-addr', `quoted display name in ${JSON.stringify(text)} is not followed by <URI>`, pos);
  } else {
    // name-addr when a '<' comes before any ':' (a display name holds no ':'); otherwise an addr-spec, whose
    // quoted parameters may hold '<' (e.g. +sip.instance="<urn:uuid:...>", RFC 5626).
    const open = text.indexOf('<');
    const colon = text.indexOf(':');
    if (open >= 0 && (colon < 0 || open < colon)) {
      displayName = readTokenDisplayName(text, open);
      pos = open;
    }
  }
  let uri: string;
  let bracketed = false;
  if (text.charCodeAt(pos) === 0x3c) {
    const close = text.indexOf('>', pos);
    if (close < 0) throw new HeaderSyntaxError('bad-name-addr', `${JSON.stringify(text)} opens '<' without a closing '>'`, pos);
    uri = text.slice(pos + 1, close);
    if (uri.length === 0) throw new HeaderSyntaxError('bad-name-addr', `${JSON.stringify(text)} has an empty <>`, pos);
    if (isWhite(uri.charCodeAt(0)) || isWhite(uri.charCodeAt(uri.length - 1)) || /\s/.test(uri)) {
      throw new HeaderSyntaxError('whitespace-in-uri', `URI ${JSON.stringify(uri)} between < and > contains whitespace (RFC 3261 §25.1 allows none)`, pos + 1);
    }
    bracketed = true;
    pos = close + 1;
  } else {
    // addr-spec: the URI ends at the first ';' (those are header parameters, RFC 3261 §20.10) or whitespace.
    let end = pos;
    while (end < text.length && text.charCodeAt(end) !== 0x3b && !isWhite(text.charCodeAt(end))) end++;
    uri = text.slice(pos, end);
    const reserved = uri.search(/[?,]/);
    if (reserved >= 0) {
      throw new HeaderSyntaxError('bad-addr-spec', `URI ${JSON.stringify(uri)} holds '${uri[reserved]}' but is not enclosed in <> (RFC 3261 §20.10)`, reserved);
    }
    if (uri.indexOf(':') <= 0) throw new HeaderSyntaxError('bad-addr-spec', `${JSON.stringify(text)} is neither a name-addr nor an addr-spec`, pos);
    pos = end;
  }
  const { params, end } = readParams(text, pos);
  if (end < text.length) throw new HeaderSyntaxError('bad-name-addr', `unexpected ${JSON.stringify(text.slice(end, end + 20))} at ${end} in ${JSON.stringify(text)}`, end);
  const nameAddr: NameAddr = { uri, bracketed, params };
  if (displayName !== undefined) {
    nameAddr.displayName = displayName;
    nameAddr.quotedDisplayName = quoted;
  }
  if (typeof params.tag === 'string') nameAddr.tag = params.tag;
  return nameAddr;
}

/** display-name = *(token LWS): only token chars and whitespace before '<'. */
function readTokenDisplayName(text: string, end: number): string | undefined {
  const tokens: string[] = [];
  let pos = 0;
  while (pos < end) {
    pos = skipWhitespace(text, pos);
    const start = pos;
    while (pos < end && !isWhite(text.charCodeAt(pos))) {
      if (!isTokenChar(text.charCodeAt(pos))) {
        throw new HeaderSyntaxError('unquoted-display-name-chars', `display name ${JSON.stringify(text.slice(0, end).trim())} holds ${JSON.stringify(text[pos])}, which needs quotes (RFC 3261 §25.1 display-name)`, pos);
      }
      pos++;
    }
    if (pos > start) tokens.push(text.slice(start, pos));
  }
  return tokens.length > 0 ? tokens.join(' ') : undefined;
}

/** URI and tag of a From/To value, read leniently (see readNameAddrLeniently). */
export interface LenientNameAddr {
  /** The URI; the whole trimmed value when no URI could be found in it. */
  uri: string;
  tag?: string;
  /** false when parseNameAddr refused the value and the parts were recovered as Wireshark recovers them. */
  valid: boolean;
}

/**
 * From/To as a capture analyser must read them: strictly when the value is valid, else recovered the way
 * Wireshark's SIP dissector recovers them from real-world values that break RFC 3261 §25.1, so that a dialog is
 * still found (a display name with unescaped quotes, `"<a "b">" <sip:bob@x>;tag=1`, keeps URI sip:bob@x, tag 1):
 * - a leading quoted display name ends at its first unescaped '"'; the URI is then between the next '<' and the
 *   '>' after it (no '<' after a quoted name, or a quote never closed: no URI);
 * - without a quoted name, the URI is between the first '<' and the next '>', or, with no '<', runs to the first ';';
 * - the tag is the value of the first `;tag=` after the URI (up to ';', ',' or whitespace); parameter names are
 *   compared case-insensitively, as RFC 3261 §7.3.1 says (Wireshark compares them as written).
 * Validation (lint) keeps using parseNameAddr, which refuses such values.
 */
export function readNameAddrLeniently(value: string): LenientNameAddr {
  try {
    const parsed = parseNameAddr(value);
    return parsed.tag === undefined ? { uri: parsed.uri, valid: true } : { uri: parsed.uri, tag: parsed.tag, valid: true };
  } catch (error) {
    if (!(error instanceof HeaderSyntaxError)) throw error;
  }
  const text = value.trim();
  let uri: string | undefined;
  let after = 0;
  const quotedEnd = text.charCodeAt(0) === 0x22 ? quotedStringEnd(text, 0) : 0;
  if (quotedEnd >= 0) {
    const open = text.indexOf('<', quotedEnd);
    if (open >= 0) {
      const close = text.indexOf('>', open + 1);
      uri = text.slice(open + 1, close < 0 ? text.length : close);
      after = close < 0 ? text.length : close + 1;
    } else if (quotedEnd === 0) {
      const semicolon = text.indexOf(';');
      uri = text.slice(0, semicolon < 0 ? text.length : semicolon).trim();
      after = semicolon < 0 ? text.length : semicolon;
    }
  }
  const tag = /;tag=([^;,\s]+)/i.exec(text.slice(after))?.[1];
  const recovered: LenientNameAddr = { uri: uri === undefined || uri === '' ? text : uri, valid: false };
  if (tag !== undefined) recovered.tag = tag;
  return recovered;
}

/** Parses a list value (Contact, Route, Record-Route) into its elements. */
export function parseNameAddrList(value: string): NameAddr[] {
  // a loop, not map(): always a packed array (see parseVia)
  const list: NameAddr[] = [];
  for (const element of splitHeaderList(value)) list.push(parseNameAddr(element));
  return list;
}
