/**
 * Differential property test: random valid SIP/SIPS URIs and name-addrs (fast-check) must parse to the same
 * components in sipscope and in sip.js's PEG grammar (Grammar.URIParse / Grammar.nameAddrHeaderParse).
 * Known representation differences of sip.js, normalised below:
 * - its `user` is the decoded userinfo including ":password";
 * - it lowercases host, scheme, parameter names and the values of transport= and user=;
 * - it keeps quoted-pairs of a quoted display name escaped, and has no tel: support in URIParse.
 */
import fc from 'fast-check';
import { Grammar } from 'sip.js/lib/grammar/grammar.js';
import { describe, expect, it } from 'vitest';
import { parseNameAddr, parseUri, unescapeUri, type SipUri } from '../../src/sip/index.js';

const alpha = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
const digit = '0123456789';
const alphanum = alpha + digit;
const mark = "-_.!~*'()";

const chars = (set: string, min: number, max: number) =>
  fc.array(fc.constantFrom(...set.split('')), { minLength: min, maxLength: max }).map((list) => list.join(''));

/** %HH of a printable ASCII char, so decoding as UTF-8 always succeeds. */
const escaped = fc.integer({ min: 0x20, max: 0x7e }).map((code) => '%' + code.toString(16).toUpperCase().padStart(2, '0'));

const userText = fc.array(fc.oneof({ weight: 6, arbitrary: chars(alphanum + mark + '&=+$,;?/', 1, 1) }, { weight: 1, arbitrary: escaped }), { minLength: 1, maxLength: 12 })
  .map((parts) => parts.join(''));
const passwordText = chars(alphanum + mark + '&=+$,', 1, 8);

const label = fc.tuple(chars(alphanum, 1, 1), chars(alphanum + '-', 0, 6), chars(alphanum, 1, 1)).map(([a, b, c]) => a + b + c);
const topLabel = fc.tuple(chars(alpha, 1, 1), chars(alphanum, 0, 5)).map(([a, b]) => a + b);
const domain = fc.tuple(fc.array(label, { minLength: 0, maxLength: 3 }), topLabel).map(([labels, top]) => [...labels, top].join('.'));
const ipv4 = fc.ipV4();
/** sip.js's grammar rejects the all-zero address '::' (valid in RFC 3261 §25.1), so it is left out. */
const ipv6 = fc.ipV6().filter((address) => address !== '::').map((address) => `[${address}]`);
const host = fc.oneof({ weight: 4, arbitrary: domain }, { weight: 2, arbitrary: ipv4 }, { weight: 1, arbitrary: ipv6 });

/**
 * sip.js's PEG grammar tries these names first (ordered choice) and fails on any other name that merely starts
 * with one of them ('lra', 'users'), a sip.js limitation; generated names avoid those prefixes.
 */
const reservedParams = ['method', 'ttl', 'maddr', 'lr', 'transport', 'user'];
const paramName = chars(alphanum + mark + '[]/:&+$', 1, 8).filter((name) => !reservedParams.some((reserved) => name.toLowerCase().startsWith(reserved)));
const paramValue = chars(alphanum + mark + '[]/:&+$', 1, 8);
const uriParams = fc.uniqueArray(fc.tuple(paramName, fc.option(paramValue, { nil: undefined })), { maxLength: 4, selector: ([name]) => name.toLowerCase() });
const knownParams = fc.record({
  transport: fc.option(fc.constantFrom('udp', 'TCP', 'tls', 'sctp', 'ws'), { nil: undefined }),
  lr: fc.boolean(),
});

interface UriParts {
  scheme: string;
  user?: string;
  password?: string;
  host: string;
  port?: number;
  params: Array<[string, string | undefined]>;
  text: string;
}

const uriArbitrary = fc.record({
  scheme: fc.constantFrom('sip', 'sips', 'SIP', 'Sips'),
  user: fc.option(userText, { nil: undefined }),
  password: fc.option(passwordText, { nil: undefined }),
  host,
  port: fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }),
  params: uriParams,
  known: knownParams,
}).map(({ scheme, user, password, host: hostText, port, params, known }): UriParts => {
  const all: Array<[string, string | undefined]> = [...params];
  if (known.transport) all.push(['transport', known.transport]);
  if (known.lr) all.push(['lr', undefined]);
  const userinfo = user === undefined ? '' : user + (password === undefined ? '' : ':' + password) + '@';
  const text = `${scheme}:${userinfo}${hostText}${port === undefined ? '' : ':' + port}${all.map(([name, value]) => ';' + name + (value === undefined ? '' : '=' + value)).join('')}`;
  return { scheme, user, password: user === undefined ? undefined : password, host: hostText, port, params: all, text };
});

interface Components {
  scheme: string;
  userinfo: string | undefined;
  host: string;
  port: number | undefined;
  params: Record<string, string | null>;
}

function ours(uri: SipUri): Components {
  const params: Record<string, string | null> = {};
  for (const [name, value] of Object.entries(uri.params)) params[name] = name === 'transport' && value !== null ? value.toLowerCase() : value;
  return {
    scheme: uri.scheme,
    userinfo: uri.user === undefined ? undefined : unescapeUri(uri.user) + (uri.password === undefined ? '' : ':' + uri.password),
    host: uri.host.toLowerCase(),
    port: uri.port,
    params,
  };
}

interface SipJsUri {
  scheme: string;
  user?: string;
  host: string;
  port?: number;
  parameters: Record<string, string | null>;
}

function theirs(uri: SipJsUri): Components {
  return { scheme: uri.scheme, userinfo: uri.user, host: uri.host, port: uri.port, params: { ...uri.parameters } };
}

describe('differential against sip.js Grammar', () => {
  it('random SIP/SIPS URIs parse to the same scheme, user, host, port and params', () => {
    fc.assert(fc.property(uriArbitrary, (parts) => {
      const reference = Grammar.URIParse(parts.text) as unknown as SipJsUri | undefined;
      expect(reference, `sip.js rejected ${parts.text}`).toBeDefined();
      expect(ours(parseUri(parts.text))).toEqual(theirs(reference as SipJsUri));
    }), { numRuns: 500, seed: 4475 });
  });

  const quotedText = chars(alphanum + " !#$%&'()*+,-./:;<=>?@[]^_`{|}~", 0, 12);
  const tokenWords = fc.array(chars(alphanum + "-.!%*_+`'~", 1, 6), { minLength: 1, maxLength: 3 }).map((words) => words.join(' '));
  const headerParams = fc.uniqueArray(fc.tuple(chars(alphanum + "-.!%*_+`'~", 1, 8), fc.option(chars(alphanum + "-.!%*_+`'~", 1, 8), { nil: undefined })), {
    maxLength: 3,
    selector: ([name]) => name.toLowerCase(),
  }).map((params) => params.filter(([name]) => !['q', 'expires', 'tag'].includes(name.toLowerCase())));

  it('random name-addrs parse to the same display name, URI components and header params', () => {
    const nameAddr = fc.record({
      display: fc.oneof(fc.constant(undefined), quotedText.map((text) => ({ quoted: true, text })), tokenWords.map((text) => ({ quoted: false, text }))),
      uri: uriArbitrary,
      tag: fc.option(chars(alphanum, 1, 10), { nil: undefined }),
      params: headerParams,
    });
    fc.assert(fc.property(nameAddr, ({ display, uri, tag, params }) => {
      const all: Array<[string, string | undefined]> = [...params];
      if (tag !== undefined) all.push(['tag', tag]);
      const displayText = display === undefined ? '' : display.quoted ? `"${display.text}" ` : `${display.text} `;
      const text = `${displayText}<${uri.text}>${all.map(([name, value]) => ';' + name + (value === undefined ? '' : '=' + value)).join('')}`;
      const reference = Grammar.nameAddrHeaderParse(text) as unknown as { displayName: string; uri: SipJsUri; parameters: Record<string, string | null> } | undefined;
      expect(reference, `sip.js rejected ${text}`).toBeDefined();
      const parsed = parseNameAddr(text);
      expect(parsed.displayName ?? '').toBe(reference?.displayName ?? '');
      expect(ours(parseUri(parsed.uri))).toEqual(theirs((reference as { uri: SipJsUri }).uri));
      expect({ ...parsed.params }).toEqual({ ...reference?.parameters });
      expect(parsed.tag).toBe(tag);
    }), { numRuns: 500, seed: 3261 });
  });
});
