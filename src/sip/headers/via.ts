/**
 * Via (RFC 3261 §20.42, §25.1): via-parm = sent-protocol LWS sent-by *( SEMI via-params ), with
 * SLASH = SWS "/" SWS inside sent-protocol; received and branch (§18.2.1, §8.1.1.7), rport (RFC 3581 §3).
 */
import { isTokenChar } from '../syntax.js';
import { isHostname, isIPv4, isIPv6 } from '../uri.js';
import { HeaderSyntaxError } from './header-error.js';
import { splitHeaderList } from './list.js';
import { createParams, readParams, skipWhitespace, type Params } from './params.js';

export interface Via {
  /** protocol-name "/" protocol-version, as written without whitespace, e.g. 'SIP/2.0'. */
  protocol: string;
  protocolName: string;
  protocolVersion: string;
  /** Uppercased transport: 'UDP', 'TCP', 'TLS', 'SCTP', 'WS', 'WSS' or another token. */
  transport: string;
  /** sent-by host as written (IPv6 reference with brackets). */
  host: string;
  port?: number;
  branch?: string;
  received?: string;
  /** RFC 3581: `true` when present without a value (request asks for it), else the port filled in by the server. */
  rport?: number | true;
  maddr?: string;
  ttl?: number;
  /** Every parameter, names lowercased, values as written (null = no value). */
  params: Params;
}

/** RFC 3261 §8.1.1.7: branch IDs of RFC 3261 elements start with this magic cookie. */
export const BRANCH_MAGIC_COOKIE = 'z9hG4bK';

/** Parses a Via field value (one or several comma-separated via-parms). Throws HeaderSyntaxError('bad-via'). */
export function parseVia(value: string): Via[] {
  // a loop, not map(): an optimised map() returns a holey array where the interpreter's is packed, and the code
  // reading the list, optimised for one kind, was deoptimised by the other (once per load-mode run)
  const vias: Via[] = [];
  for (const element of splitHeaderList(value)) vias.push(parseViaParm(element));
  return vias;
}

/**
 * A Via in the plain form a UA writes and most answers echo: `SIP/2.0/TRANSPORT address:port` with an IPv4 address
 * or an IPv6 reference, then only `rport` (with or without a port), `received` (an IPv4 address) and `branch`
 * (a token). Captures: host, port, the parameters before the branch, the branch, the parameters after it.
 */
const PLAIN_VIA = /^SIP\/2\.0\/[A-Z]+ ([0-9.]+|\[[0-9A-Fa-f:.]+\]):([0-9]{1,5})((?:;rport(?:=[0-9]{1,5})?|;received=[0-9.]+)*);branch=([0-9A-Za-z.!%*_+`'~-]+)((?:;rport(?:=[0-9]{1,5})?|;received=[0-9.]+)*)$/;
const PLAIN_PARAM = /;(rport|received)(?:=([0-9.]+))?/g;

/**
 * The branch (RFC 3261 §8.1.1.7) of a Via field value in the plain form above, read without the general parser: a
 * response's top Via names its client transaction (§17.1.3), and a client matches every response it gets. The
 * quick path of parseVia, as quickStartLine is the parser's: undefined for any other form, and for a value
 * parseVia would refuse (an address, port, rport or received out of range), so that a caller falls back to parseVia
 * and gets exactly what parseVia answers. A value it reads, parseVia reads with the same branch.
 */
export function plainViaBranch(value: string): string | undefined {
  const plain = PLAIN_VIA.exec(value);
  if (plain === null) return undefined;
  const host = plain[1];
  if (Number(plain[2]) > 65535) return undefined;
  if (host.charCodeAt(0) === 0x5b ? !isIPv6(host.slice(1, -1)) : !isIPv4(host)) return undefined;
  return plainParamsValid(plain[3]) && plainParamsValid(plain[5]) ? plain[4] : undefined;
}

/** Whether every rport and received of a plain Via's parameters is one parseVia takes (§18.2.1, RFC 3581 §3). */
function plainParamsValid(params: string): boolean {
  if (params.length === 0) return true;
  // the first of each is the one parseVia checks (readParams keeps the first): checking them all is only stricter
  PLAIN_PARAM.lastIndex = 0;
  for (let param = PLAIN_PARAM.exec(params); param !== null; param = PLAIN_PARAM.exec(params)) {
    const paramValue = param[2];
    if (param[1] === 'received' ? !isIPv4(paramValue) : paramValue !== undefined && Number(paramValue) > 65535) return false;
  }
  return true;
}

function readToken(text: string, pos: number): number {
  while (pos < text.length && isTokenChar(text.charCodeAt(pos))) pos++;
  return pos;
}

function expectSlash(text: string, pos: number): number {
  pos = skipWhitespace(text, pos);
  if (text.charCodeAt(pos) !== 0x2f) throw new HeaderSyntaxError('bad-via', `Via ${JSON.stringify(text)} lacks '/' in its sent-protocol at ${pos}`, pos);
  return skipWhitespace(text, pos + 1);
}

function parseViaParm(text: string): Via {
  if (text.length === 0) throw new HeaderSyntaxError('bad-via', 'empty Via value (stray comma?)', 0);
  const nameEnd = readToken(text, 0);
  if (nameEnd === 0) throw new HeaderSyntaxError('bad-via', `Via ${JSON.stringify(text)} does not start with a protocol name`, 0);
  let pos = expectSlash(text, nameEnd);
  const versionEnd = readToken(text, pos);
  if (versionEnd === pos) throw new HeaderSyntaxError('bad-via', `Via ${JSON.stringify(text)} has no protocol version`, pos);
  const protocolName = text.slice(0, nameEnd);
  const protocolVersion = text.slice(pos, versionEnd);
  pos = expectSlash(text, versionEnd);
  const transportEnd = readToken(text, pos);
  if (transportEnd === pos) throw new HeaderSyntaxError('bad-via', `Via ${JSON.stringify(text)} has no transport`, pos);
  const transport = knownTransport(text, pos, transportEnd) ?? text.slice(pos, transportEnd).toUpperCase();
  pos = skipWhitespace(text, transportEnd);
  if (pos === transportEnd) throw new HeaderSyntaxError('bad-via', `Via ${JSON.stringify(text)} needs whitespace before sent-by`, pos);
  const hostStart = pos;
  if (text.charCodeAt(pos) === 0x5b) {
    const close = text.indexOf(']', pos);
    if (close < 0 || !isIPv6(text.slice(pos + 1, close))) throw new HeaderSyntaxError('bad-via', `Via sent-by ${JSON.stringify(text.slice(pos))} is not an IPv6 reference`, pos);
    pos = close + 1;
  } else {
    while (pos < text.length && isHostChar(text.charCodeAt(pos))) pos++;
    const host = text.slice(hostStart, pos);
    if (!isIPv4(host) && !isHostname(host)) throw new HeaderSyntaxError('bad-via', `Via sent-by host ${JSON.stringify(host)} is not a host name or address`, hostStart);
  }
  // Every field present from the start (undefined until known): one object shape for all Vias.
  const via: Via = {
    protocol: protocolName + '/' + protocolVersion, protocolName, protocolVersion, transport, host: text.slice(hostStart, pos),
    port: undefined, branch: undefined, received: undefined, rport: undefined, maddr: undefined, ttl: undefined, params: createParams(),
  };
  pos = skipWhitespace(text, pos);
  if (text.charCodeAt(pos) === 0x3a) {
    const portStart = skipWhitespace(text, pos + 1);
    let portEnd = portStart;
    let port = 0;
    while (portEnd < text.length && text.charCodeAt(portEnd) >= 0x30 && text.charCodeAt(portEnd) <= 0x39 && port <= 65535) {
      port = port * 10 + text.charCodeAt(portEnd) - 0x30;
      portEnd++;
    }
    if (portEnd === portStart || port > 65535) throw new HeaderSyntaxError('bad-via', `Via sent-by port ${JSON.stringify(text.slice(portStart, portEnd + 1))} is not a port number`, portStart);
    via.port = port;
    pos = portEnd;
  }
  const { params, end } = readParams(text, pos);
  if (end < text.length) throw new HeaderSyntaxError('bad-via', `Via ${JSON.stringify(text)} has unexpected text at ${end}`, end);
  via.params = params;
  applyKnownParams(via, params);
  return via;
}

/** RFC 3261 §20.42 transports (+ RFC 7118 WS/WSS) written in upper case: no slice, no case conversion. */
const TRANSPORTS = ['UDP', 'TCP', 'TLS', 'SCTP', 'WS', 'WSS', 'TLS-SCTP'];

function knownTransport(text: string, start: number, end: number): string | undefined {
  for (const transport of TRANSPORTS) {
    if (transport.length === end - start && text.startsWith(transport, start)) return transport;
  }
  return undefined;
}

function isHostChar(code: number): boolean {
  return (code >= 0x30 && code <= 0x39) || ((code | 0x20) >= 0x61 && (code | 0x20) <= 0x7a) || code === 0x2d || code === 0x2e;
}

function applyKnownParams(via: Via, params: Params): void {
  if (params.branch !== undefined) {
    if (params.branch === null) throw new HeaderSyntaxError('bad-via', 'Via branch parameter has no value', 0);
    via.branch = params.branch;
  }
  if (params.received !== undefined) {
    const received = params.received;
    if (received === null || (!isIPv4(received) && !isIPv6(received.replace(/^\[|\]$/g, '')))) {
      throw new HeaderSyntaxError('bad-via', `Via received=${received ?? ''} is not an IP address (RFC 3261 §18.2.1)`, 0);
    }
    via.received = received;
  }
  if (params.rport !== undefined) {
    if (params.rport === null) via.rport = true;
    else {
      const port = /^\d{1,5}$/.test(params.rport) ? Number(params.rport) : NaN;
      if (!(port <= 65535)) throw new HeaderSyntaxError('bad-via', `Via rport=${params.rport} is not a port number (RFC 3581 §3)`, 0);
      via.rport = port;
    }
  }
  if (params.maddr) via.maddr = params.maddr;
  if (params.ttl !== undefined) {
    const ttl = params.ttl !== null && /^\d{1,3}$/.test(params.ttl) ? Number(params.ttl) : NaN;
    if (!(ttl <= 255)) throw new HeaderSyntaxError('bad-via', `Via ttl=${params.ttl ?? ''} is not 0..255`, 0);
    via.ttl = ttl;
  }
}
