/**
 * The one parser of the ADDR:PORT values options take (serve's --listen and --control, analyze's and rotate drain's
 * --hep-listen, analyze's --metrics): `127.0.0.1:5060`, `[::1]:5060` (an IPv6 address always in brackets, RFC 3986
 * §3.2.2, as RFC 3261 §25.1 hostport writes it), `localhost:9060` (a host name, RFC 1123 §2.1). The port is
 * 0-65535; 0 (any free port) only where the option allows it. A bad value is a CliError naming the option and
 * the value.
 */
import { isIP } from 'node:net';
import { badArgument } from './exit.js';

export interface HostPort {
  /** An IPv4 address, an IPv6 address (without brackets) or a host name. */
  host: string;
  port: number;
}

export interface HostPortRules {
  /** Port 0 (the system picks a free one, the command prints which); otherwise 1-65535. */
  portZero: boolean;
}

/** RFC 1123 §2.1 host name: dot-separated labels of letters, digits and inner hyphens, at most 63 each, 253 in all. */
const HOST_NAME = /^(?=.{1,253}\.?$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/;

/** Why `host` is not an address or host name, or undefined when it is one. */
function hostProblem(host: string, bracketed: boolean): string | undefined {
  if (bracketed) return isIP(host) === 6 ? undefined : `[${host}] is not an IPv6 address`;
  if (host.includes(':')) return 'an IPv6 address goes in brackets, e.g. [::1]:5060';
  if (isIP(host) === 4) return undefined;
  // all digits and dots but not a dotted quad: a mistyped IPv4 address, never a host name (RFC 1123 §2.1)
  if (/^[\d.]+$/.test(host)) return `${host} is not an IPv4 address`;
  return HOST_NAME.test(host) ? undefined : `${JSON.stringify(host)} is not an address or host name`;
}

/** `HOST:PORT` or `[IPv6]:PORT` (white space around it ignored); throws CliError('bad-argument') naming `option` and the value. */
export function parseHostPort(text: string, option: string, rules: HostPortRules = { portZero: false }): HostPort {
  const value = text.trim();
  const bad = (why: string) => badArgument(`${option} ${JSON.stringify(text)} is not ADDRESS:PORT (e.g. 127.0.0.1:9060 or [::1]:9060): ${why}`);
  const bracketed = value.startsWith('[');
  const hostEnd = bracketed ? value.indexOf(']') : value.lastIndexOf(':');
  if (hostEnd < 0) throw bad(bracketed ? 'no closing ]' : 'no :PORT');
  const host = value.slice(bracketed ? 1 : 0, hostEnd);
  const portText = value.slice(bracketed ? hostEnd + 2 : hostEnd + 1);
  if (bracketed && value[hostEnd + 1] !== ':') throw bad('no :PORT after the ]');
  if (host === '') throw bad('no address');
  const problem = hostProblem(host, bracketed);
  if (problem !== undefined) throw bad(problem);
  if (!/^\d{1,5}$/.test(portText)) throw bad(portText === '' ? 'no port' : `port ${JSON.stringify(portText)} is not a number`);
  const port = Number(portText);
  const lowest = rules.portZero ? 0 : 1;
  if (port < lowest || port > 65535) throw bad(`port ${port} is not in ${lowest}-65535`);
  return { host, port };
}
