import { DigestError } from './errors.js';

/**
 * Tokenizer for the auth-scheme / auth-param lists of WWW-Authenticate, Proxy-Authenticate, Authorization and
 * Proxy-Authorization (RFC 3261 §25.1 "challenge" / "credentials", RFC 7235 §2.1). One header value may hold
 * several challenges separated by commas: `Digest realm="a", nonce="b", Basic realm="c"`.
 */

export interface AuthParam {
  /** Unescaped value (quoted-pair `\x` becomes `x`, RFC 3261 §25.1). */
  value: string;
  /** Whether the value was a quoted-string on the wire. */
  quoted: boolean;
  /** Character offset of the parameter name in the header value. */
  offset: number;
}

export interface AuthElement {
  /** Scheme as written, e.g. "Digest"; compare case-insensitively (RFC 7235 §2.1). */
  scheme: string;
  /** Character offset of the scheme in the header value. */
  offset: number;
  /** Parameters keyed by lowercase name (names are case-insensitive, RFC 7235 §2.1). */
  params: Map<string, AuthParam>;
  /** A token68 credential (Basic, Bearer) instead of parameters. */
  token68?: string;
}

/** Token characters of the auth-param grammar, as a table by char code (a regex per character showed in profiles). */
const TOKEN_CHAR = new Uint8Array(128);
for (const char of "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-.!%*_+`'~/") TOKEN_CHAR[char.charCodeAt(0)] = 1;
const isTokenChar = (char: string): boolean => char.length === 1 && TOKEN_CHAR[char.charCodeAt(0)] === 1;
const isWhitespace = (char: string): boolean => char === ' ' || char === '\t' || char === '\r' || char === '\n';

class Cursor {
  pos = 0;
  constructor(
    readonly text: string,
    readonly header: string,
  ) {}
  atEnd(): boolean {
    return this.pos >= this.text.length;
  }
  peek(): string {
    return this.text[this.pos] ?? '';
  }
  skipWhitespace(): void {
    while (!this.atEnd() && isWhitespace(this.peek())) this.pos++;
  }
  readToken(): string {
    const start = this.pos;
    while (!this.atEnd() && isTokenChar(this.peek())) this.pos++;
    return this.text.slice(start, this.pos);
  }
  fail(message: string, offset = this.pos): never {
    throw new DigestError('digest-syntax', `${this.header}: ${message} at character ${offset} of "${this.text}"`, this.header, offset);
  }
}

/** RFC 3261 §25.1 quoted-string with quoted-pair escapes; the cursor sits on the opening DQUOTE. */
function readQuotedString(cursor: Cursor): string {
  const start = cursor.pos;
  cursor.pos++;
  let value = '';
  while (!cursor.atEnd()) {
    const char = cursor.peek();
    if (char === '"') {
      cursor.pos++;
      return value;
    }
    if (char === '\\') {
      if (cursor.pos + 1 >= cursor.text.length) break;
      value += cursor.text[cursor.pos + 1];
      cursor.pos += 2;
      continue;
    }
    value += char;
    cursor.pos++;
  }
  return cursor.fail('unterminated quoted-string', start);
}

/** An unquoted value: a token in the grammar; we accept anything up to a comma or whitespace (seen in the wild). */
function readBareValue(cursor: Cursor): string {
  const start = cursor.pos;
  while (!cursor.atEnd() && cursor.peek() !== ',' && !isWhitespace(cursor.peek())) cursor.pos++;
  return cursor.text.slice(start, cursor.pos);
}

/** After an element: optional whitespace, then a comma or the end. */
function expectSeparator(cursor: Cursor): void {
  cursor.skipWhitespace();
  if (cursor.atEnd()) return;
  if (cursor.peek() !== ',') cursor.fail(`expected "," but found "${cursor.peek()}"`);
}

/** True when, at the cursor (just after a name), an "=" introduces a parameter value rather than token68 padding. */
function startsParamValue(cursor: Cursor): boolean {
  let probe = cursor.pos;
  while (probe < cursor.text.length && isWhitespace(cursor.text[probe]!)) probe++;
  if (cursor.text[probe] !== '=') return false;
  probe++;
  while (probe < cursor.text.length && isWhitespace(cursor.text[probe]!)) probe++;
  const next = cursor.text[probe];
  return next !== undefined && next !== ',' && next !== '=';
}

function readParamInto(cursor: Cursor, element: AuthElement, name: string, nameOffset: number): void {
  cursor.skipWhitespace();
  cursor.pos++; // the '='
  cursor.skipWhitespace();
  const quoted = cursor.peek() === '"';
  const value = quoted ? readQuotedString(cursor) : readBareValue(cursor);
  const key = name.toLowerCase();
  if (element.params.has(key)) {
    throw new DigestError(
      'digest-duplicate-param',
      `${cursor.header}: parameter "${key}" appears twice in the ${element.scheme} element at character ${nameOffset}`,
      cursor.header,
      nameOffset,
    );
  }
  element.params.set(key, { value, quoted, offset: nameOffset });
}

/** token68 (RFC 7235 §2.1): the name already read, plus trailing "=" padding. */
function readToken68Tail(cursor: Cursor, head: string): string {
  let token = head;
  while (cursor.peek() === '=') {
    token += '=';
    cursor.pos++;
  }
  return token;
}

/**
 * Split one header value into its auth elements (a scheme with its params or token68).
 * Throws DigestError('digest-syntax' | 'digest-duplicate-param') with the offset of the problem.
 */
export function parseAuthElements(text: string, header: string): AuthElement[] {
  const cursor: Cursor = new Cursor(text, header);
  const elements: AuthElement[] = [];
  let current: AuthElement | undefined;
  for (;;) {
    while (!cursor.atEnd() && (cursor.peek() === ',' || isWhitespace(cursor.peek()))) cursor.pos++;
    if (cursor.atEnd()) return elements;
    const nameOffset = cursor.pos;
    const name = cursor.readToken();
    if (name === '') cursor.fail(`unexpected "${cursor.peek()}"`);
    if (startsParamValue(cursor)) {
      if (current === undefined) cursor.fail(`parameter "${name}" before any auth scheme`, nameOffset);
      readParamInto(cursor, current, name, nameOffset);
      expectSeparator(cursor);
      continue;
    }
    if (cursor.peek() === '=') cursor.fail(`"${name}=" without a value`, nameOffset);
    current = { scheme: name, offset: nameOffset, params: new Map() };
    elements.push(current);
    cursor.skipWhitespace();
    if (cursor.atEnd() || cursor.peek() === ',') continue;
    const firstOffset = cursor.pos;
    const first = cursor.readToken();
    if (first === '') cursor.fail(`unexpected "${cursor.peek()}" after scheme "${name}"`);
    if (startsParamValue(cursor)) {
      readParamInto(cursor, current, first, firstOffset);
    } else {
      current.token68 = readToken68Tail(cursor, first);
    }
    expectSeparator(cursor);
  }
}
