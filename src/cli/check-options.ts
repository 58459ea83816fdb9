/**
 * Options and output shared by `sipscope register` and `sipscope options`: transport and TLS settings, password
 * sources, timers, output modes, and the exit codes (sipsak-compatible; monitoring-plugins with --nagios).
 */
import type { Argv } from 'yargs';
import { TRANSPORT_NAMES, type TransportName } from '../transport/types.js';
import { dnsServerAddress, systemDns } from '../transport/resolve.js';
import type { TimerSettings, TraceSink } from '../client/transaction.js';
import type { CheckResult } from '../client/result.js';
import type { SessionOptions } from '../client/session.js';
import { redactCredentials } from '../sip/digest/redact.js';
import { readFile } from 'node:fs/promises';
import type { CliIO } from './io.js';
import { monitoringStateOf, type MonitoringThresholds } from './check-report.js';
import { MONITORING_EXIT_CODES } from '../report/monitoring.js';
import { printableLines } from '../report/printable.js';

export class CliArgumentError extends Error {
  readonly code = 'bad-argument';
}

/** Exit codes of sipsak: 0 2xx, 1 other final response, 2 local error, 3 remote error. */
export const EXIT = { ok: 0, finalFailure: 1, local: 2, remote: 3 } as const;
/** monitoring-plugins: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN. */
export const NAGIOS = { ok: 0, warning: 1, critical: 2, unknown: 3 } as const;

export function addCheckOptions(yargs: Argv): Argv {
  return yargs
    .positional('uri', { type: 'string', describe: 'target SIP or SIPS URI, e.g. sip:alice@example.com or sip:127.0.0.1:5060' })
    .option('user', { type: 'string', describe: 'user part of the address-of-record (default: the URI user)' })
    .option('auth-user', { type: 'string', describe: 'digest username (default: --user)' })
    .option('password-env', { type: 'string', describe: 'read the password from this environment variable' })
    .option('password-file', { type: 'string', describe: 'read the password from the first line of this file' })
    .option('password-stdin', { type: 'boolean', describe: 'read the password from the first line of standard input' })
    .option('password', { type: 'string', describe: 'password on the command line (visible to other users: prefer the options above)' })
    .option('transport', { type: 'string', choices: TRANSPORT_NAMES as string[], describe: 'transport (default: URI transport param, TLS for sips:, else UDP)' })
    .option('dns', {
      type: 'string',
      describe: 'DNS server for the RFC 3263 NAPTR/SRV/A/AAAA lookups of the target, instead of the system resolver: '
        + 'IP[:PORT] or [IPv6]:PORT (port 53 by default); repeat the option or give a comma list to try several in order',
    })
    .option('proxy', { type: 'string', describe: 'outbound proxy URI; requests go there with a Route header' })
    .option('contact', { type: 'string', describe: 'Contact URI to send instead of our own address' })
    .option('header', { type: 'string', array: true, describe: 'extra header "Name: value" (repeatable)' })
    .option('user-agent', { type: 'string', default: 'sipscope', describe: 'User-Agent header value' })
    .option('timeout', { type: 'string', describe: 'overall limit: milliseconds, or with a unit: 800ms, 5s (default 64*T1)' })
    .option('t1', { type: 'number', default: 500, describe: 'RFC 3261 T1 in ms (first retransmission on UDP)' })
    .option('t2', { type: 'number', default: 4000, describe: 'RFC 3261 T2 in ms (retransmission interval cap)' })
    .option('ca', { type: 'string', describe: 'PEM file of CA certificates trusted for TLS/WSS' })
    .option('insecure', { type: 'boolean', default: false, describe: 'do not verify the TLS certificate (verification is on by default)' })
    .option('ws-path', { type: 'string', default: '/', describe: 'WebSocket resource path for ws/wss' })
    .option('local-ip', { type: 'string', describe: 'local address to bind' })
    .option('local-port', { type: 'number', describe: 'local port to bind' })
    .option('verbose', { alias: 'v', type: 'boolean', default: false, describe: 'print SIP messages sent and received (credentials redacted) on stderr' })
    .option('json', { type: 'boolean', default: false, describe: 'print the result as one JSON object' })
    .option('junit', { type: 'string', describe: 'write a JUnit XML report to this file' })
    .option('nagios', { type: 'boolean', default: false, describe: 'print a monitoring-plugins line; exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN' })
    .option('warn-retrans', { type: 'number', default: 0, describe: 'with --nagios: WARNING when retransmissions exceed this' })
    .option('warn-rtt', { type: 'number', describe: 'with --nagios: WARNING when the round-trip time (ms, all transactions) exceeds this' })
    .option('crit-rtt', { type: 'number', describe: 'with --nagios: CRITICAL when the round-trip time (ms, all transactions) exceeds this' })
    .coerce(SINGLE_VALUED, lastOf);
}

/** Options given twice keep the last value (as a later flag overrides an earlier one in most tools). */
const SINGLE_VALUED = [
  'user', 'auth-user', 'password-env', 'password-file', 'password', 'transport', 'proxy', 'contact', 'user-agent',
  'timeout', 't1', 't2', 'ca', 'ws-path', 'local-ip', 'local-port', 'junit', 'warn-retrans', 'warn-rtt', 'crit-rtt',
];

function lastOf(value: unknown): unknown {
  return Array.isArray(value) ? value[value.length - 1] : value;
}

/** Milliseconds from "1500", "1500ms", "2s" or "1.5s". */
export function parseDuration(text: string, what = '--timeout'): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s)?\s*$/i.exec(text);
  if (!match) throw new CliArgumentError(`${what} "${text}" is not a duration (e.g. 3000, 3000ms or 3s)`);
  const value = Number(match[1]) * (match[2]?.toLowerCase() === 's' ? 1000 : 1);
  if (!(value > 0)) throw new CliArgumentError(`${what} must be more than 0`);
  return value;
}

/** "Name: value" -> [name, value], refusing what would break the message (RFC 3261 §7.3 header field syntax). */
export function parseHeaderOption(text: string): [string, string] {
  const match = /^([!%'*+\-.0-9A-Z_`a-z~]+)\s*:\s*([^\r\n]*)$/.exec(text);
  if (!match) throw new CliArgumentError(`--header "${text}" is not "Name: value"`);
  return [match[1], match[2].trim()];
}

/** --dns values (repeated and/or comma lists) as Resolver#setServers addresses; undefined when not given. */
export function parseDnsServers(value: unknown): string[] | undefined {
  if (value === undefined) return undefined;
  const texts = (Array.isArray(value) ? value : [value]).flatMap((item) => String(item).split(',')).map((text) => text.trim());
  return texts.map((text) => {
    const address = dnsServerAddress(text);
    if (address === undefined) throw new CliArgumentError(`--dns "${text}" is not a DNS server address (IP[:PORT] or [IPv6]:PORT)`);
    return address;
  });
}

function positiveNumber(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) throw new CliArgumentError(`${what} must be a positive number of milliseconds`);
  return value;
}

/** Session settings from argv (throws CliArgumentError for unusable values). */
export async function sessionOptionsOf(argv: Record<string, unknown>, trace?: TraceSink): Promise<SessionOptions & { timeoutMs: number }> {
  const timers: TimerSettings = { t1: positiveNumber(argv.t1, '--t1'), t2: positiveNumber(argv.t2, '--t2') };
  if (timers.t2 < timers.t1) throw new CliArgumentError('--t2 must not be less than --t1');
  const timeoutMs = argv.timeout === undefined ? 64 * timers.t1 : parseDuration(String(argv.timeout));
  let ca: Buffer | undefined;
  if (typeof argv.ca === 'string') {
    try {
      ca = await readFile(argv.ca);
    } catch (error) {
      throw new CliArgumentError(`--ca ${argv.ca}: cannot read the file (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  }
  const localPort = argv['local-port'];
  if (localPort !== undefined && (typeof localPort !== 'number' || !Number.isInteger(localPort) || localPort < 0 || localPort > 65535)) {
    throw new CliArgumentError('--local-port must be an integer in 0..65535');
  }
  if (typeof argv.uri !== 'string' || argv.uri === '') throw new CliArgumentError('give the target SIP-URI');
  if (argv.transport !== undefined && !(TRANSPORT_NAMES as readonly unknown[]).includes(argv.transport)) {
    throw new CliArgumentError(`--transport ${String(argv.transport)} is not one of ${TRANSPORT_NAMES.join(', ')}`);
  }
  const dnsServers = parseDnsServers(argv.dns);
  return {
    uri: argv.uri,
    dns: dnsServers ? systemDns(dnsServers) : undefined,
    transport: argv.transport as TransportName | undefined,
    proxy: argv.proxy as string | undefined,
    timers,
    timeoutMs,
    ca,
    insecure: argv.insecure === true,
    wsPath: argv['ws-path'] as string | undefined,
    localAddress: argv['local-ip'] as string | undefined,
    localPort: localPort as number | undefined,
    trace,
  };
}

/** -v: each message on stderr with Authorization / Proxy-Authorization credentials redacted. */
export function traceTo(io: CliIO): TraceSink {
  return (direction, raw, note) => {
    const arrow = direction === 'sent' ? '>>> sent' : '<<< received';
    const text = Buffer.from(raw).toString('utf8');
    io.err(`${io.style.dim(`${arrow}${note ? ` (${note})` : ''} ${new Date().toISOString()}`)}\n${printableLines(redactCredentials(text).trimEnd())}\n`);
  };
}

/** --warn-retrans, --warn-rtt, --crit-rtt from argv (throws CliArgumentError for unusable values). */
export function thresholdsOf(argv: Record<string, unknown>): MonitoringThresholds {
  const optional = (name: string): number | undefined => {
    const value = argv[name];
    if (value === undefined) return undefined;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new CliArgumentError(`--${name} must be a number of milliseconds, 0 or more`);
    return value;
  };
  const thresholds: MonitoringThresholds = { warnRetrans: typeof argv['warn-retrans'] === 'number' ? argv['warn-retrans'] : 0 };
  const warnRttMs = optional('warn-rtt');
  const critRttMs = optional('crit-rtt');
  if (warnRttMs !== undefined) thresholds.warnRttMs = warnRttMs;
  if (critRttMs !== undefined) thresholds.critRttMs = critRttMs;
  return thresholds;
}

/**
 * Exit code for a finished check. A binding the check made but could not remove again fails the check (exit 1;
 * WARNING with --nagios): the registrar was not left as it was found.
 */
export function exitCodeOf(result: CheckResult, nagios: boolean, thresholds: MonitoringThresholds): number {
  if (nagios) return MONITORING_EXIT_CODES[monitoringStateOf(result, thresholds)];
  if (result.error) return result.error.remote ? EXIT.remote : EXIT.local;
  if (!result.ok) return EXIT.finalFailure;
  if (result.removal && !result.removal.ok) return EXIT.finalFailure;
  return EXIT.ok;
}
