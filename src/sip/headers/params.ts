/**
 * Header field parameters (RFC 3261 §25.1): *( SEMI generic-param ), generic-param = token [ EQUAL gen-value ],
 * gen-value = token / host / quoted-string, with optional whitespace around ';' and '=' (SEMI, EQUAL = SWS x SWS).
 */
import { isToken, isTokenChar } from '../syntax.js';
import { HeaderSyntaxError } from './header-error.js';

export type Params = Record<string, string | null>;

/**
 * Parameter tables: no Object.prototype behind them (so '__proto__' or 'constructor' are plain parameter names,
 * and `in` sees only parameters), yet fast-mode objects: Object.create(null) objects are dictionaries, whose
 * stores with freshly sliced keys cost ~10x more.
 */
class ParamTable {}
Object.setPrototypeOf(ParamTable.prototype, null);
delete (ParamTable.prototype as { constructor?: unknown }).constructor;

/** An empty parameter table. */
export function createParams(): Params {
  return new ParamTable() as Params;
}

export interface ParamsResult {
  /** Names lowercased (RFC 3261 §7.3.1 compares them case-insensitively); values as written (quotes kept); null = no value. */
  params: Params;
  /** Index just past the last parameter (and trailing whitespace). */
  end: number;
}

export function skipWhitespace(text: string, pos: number): number {
  while (pos < text.length && (text.charCodeAt(pos) === 0x20 || text.charCodeAt(pos) === 0x09)) pos++;
  return pos;
}

/** Index just past a quoted-string starting at `pos` (which holds '"'), or -1 when it is not closed. */
export function quotedStringEnd(text: string, pos: number): number {
  for (let i = pos + 1; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 0x5c) i++;
    else if (code === 0x22) return i + 1;
  }
  return -1;
}

/** The content of a quoted-string with quoted-pairs (RFC 3261 §25.1) resolved. */
export function unquote(quoted: string): string {
  const inner = quoted.length >= 2 && quoted.startsWith('"') && quoted.endsWith('"') ? quoted.slice(1, -1) : quoted;
  return inner.indexOf('\\') < 0 ? inner : inner.replace(/\\(.)/gs, '$1');
}

/** Whether a char may appear in a gen-value that is not quoted: token chars, plus ':' '[' ']' of IPv6 hosts. */
function isValueChar(code: number): boolean {
  if (code === 0x3a || code === 0x5b || code === 0x5d) return true;
  return isTokenChar(code);
}

/** Frequent parameter names (RFC 3261 §20, RFC 3581): matched in place, they need no slice and no hashing. */
const COMMON_PARAM_NAMES = ['branch', 'rport', 'received', 'tag', 'lr', 'transport', 'expires', 'q', 'maddr', 'ttl', 'user', 'method'];

function commonParamName(text: string, start: number, end: number): string | undefined {
  const length = end - start;
  for (let i = 0; i < COMMON_PARAM_NAMES.length; i++) {
    const candidate = COMMON_PARAM_NAMES[i];
    if (candidate.length !== length) continue;
    let j = 0;
    while (j < length && candidate.charCodeAt(j) === text.charCodeAt(start + j)) j++;
    if (j === length) return candidate;
  }
  return undefined;
}

/** Reads parameters starting at `pos` (at a ';' or whitespace before it); stops at ',' or anything else. */
export function readParams(text: string, pos: number): ParamsResult {
  const params = createParams();
  pos = skipWhitespace(text, pos);
  while (pos < text.length && text.charCodeAt(pos) === 0x3b) {
    const nameStart = skipWhitespace(text, pos + 1);
    let nameEnd = nameStart;
    while (nameEnd < text.length && isTokenChar(text.charCodeAt(nameEnd))) nameEnd++;
    if (nameEnd === nameStart) {
      throw new HeaderSyntaxError('bad-params', `empty or malformed parameter at ${nameStart} in ${JSON.stringify(text)}`, nameStart);
    }
    const name = commonParamName(text, nameStart, nameEnd) ?? text.slice(nameStart, nameEnd).toLowerCase();
    pos = skipWhitespace(text, nameEnd);
    let value: string | null = null;
    if (pos < text.length && text.charCodeAt(pos) === 0x3d /* = */) {
      const valueStart = skipWhitespace(text, pos + 1);
      let valueEnd = valueStart;
      if (text.charCodeAt(valueStart) === 0x22) {
        valueEnd = quotedStringEnd(text, valueStart);
        if (valueEnd < 0) throw new HeaderSyntaxError('unbalanced-quotes', `parameter ${name} has a quoted value without its closing quote`, valueStart);
      } else {
        while (valueEnd < text.length && isValueChar(text.charCodeAt(valueEnd))) valueEnd++;
      }
      if (valueEnd === valueStart) throw new HeaderSyntaxError('bad-params', `parameter ${name} has '=' but no value`, valueStart);
      value = text.slice(valueStart, valueEnd);
      pos = skipWhitespace(text, valueEnd);
    }
    if (params[name] === undefined) params[name] = value;
  }
  return { params, end: pos };
}
