/**
 * Options shared by `sipscope register` and `sipscope options`: the target, credentials, transport and TLS settings,
 * timers and output modes, and the target and connection settings made of them. Exit codes are in src/cli/exit.ts.
 */
import { readFile } from 'node:fs/promises';
import { TRANSPORT_NAMES } from '../transport/types.js';
import { dnsServerAddress, systemDns } from '../transport/resolve.js';
import type { TimerSettings, TraceSink } from '../client/transaction.js';
import { planTarget, type TargetOptions } from '../client/target-connection.js';
import { parseTargetUri, TargetError } from '../client/target.js';
import { redactCredentials } from '../sip/digest/redact.js';
import { CREDENTIAL_OPTIONS } from './credentials.js';
import { HANDSHAKE_TOKEN_OPTIONS, handshakeTokenOf, warnTokenSecondsOf } from './handshake-token.js';
import { badArgument, type MonitoringThresholds } from './exit.js';
import { printableLines } from '../report/printable.js';
import type { CliIO } from './io.js';
import type { ArgumentsOf, OptionTable } from './option-table.js';

/** The target, credentials, transport, timers, TLS and output options of register and options (and call). */
export const CHECK_OPTIONS = {
  uri: { positional: true, type: 'string', describe: 'target SIP or SIPS URI, e.g. sip:alice@example.com or sip:127.0.0.1:5060' },
  ...CREDENTIAL_OPTIONS,
  transport: { type: 'string', choices: TRANSPORT_NAMES, describe: 'transport (default: URI transport param, TLS for sips:, else UDP)' },
  dns: {
    type: 'string',
    repeatable: true,
    describe: 'DNS server for the RFC 3263 NAPTR/SRV/A/AAAA lookups of the target, instead of the system resolver: '
      + 'IP[:PORT] or [IPv6]:PORT (port 53 by default); repeat the option or give a comma list to try several in order',
  },
  proxy: { type: 'string', describe: 'outbound proxy URI; requests go there with a Route header' },
  contact: { type: 'string', describe: 'Contact URI to send instead of our own address' },
  header: { type: 'string', repeatable: true, describe: 'extra header "Name: value" (repeatable)' },
  'user-agent': { type: 'string', default: 'sipscope', describe: 'User-Agent header value' },
  timeout: { type: 'string', describe: 'overall limit: milliseconds, or with a unit: 800ms, 5s (default 64*T1)' },
  t1: { type: 'number', default: 500, describe: 'RFC 3261 T1 in ms (first retransmission on UDP)' },
  t2: { type: 'number', default: 4000, describe: 'RFC 3261 T2 in ms (retransmission interval cap)' },
  ca: { type: 'string', describe: 'PEM file of the CA certificates trusted for TLS/WSS, instead of the default roots' },
  insecure: { type: 'boolean', default: false, describe: 'do not verify the TLS certificate (verification is on by default)' },
  'ws-path': { type: 'string', default: '/', describe: 'WebSocket resource path for ws/wss' },
  ...HANDSHAKE_TOKEN_OPTIONS,
  'local-ip': { type: 'string', describe: 'local address to bind' },
  'local-port': { type: 'number', describe: 'local port to bind' },
  verbose: { alias: 'v', type: 'boolean', default: false, describe: 'print SIP messages sent and received (credentials redacted) on stderr' },
  json: { type: 'boolean', default: false, describe: 'print the result as one JSON object' },
  junit: { type: 'string', describe: 'write a JUnit XML report to this file' },
  nagios: { type: 'boolean', default: false, describe: 'print a monitoring-plugins line; exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN' },
  'warn-retrans': { type: 'number', default: 0, describe: 'with --nagios: WARNING when retransmissions exceed this' },
  'warn-rtt': { type: 'number', describe: 'with --nagios: WARNING when the round-trip time (ms, all transactions) exceeds this' },
  'crit-rtt': { type: 'number', describe: 'with --nagios: CRITICAL when the round-trip time (ms, all transactions) exceeds this' },
} as const satisfies OptionTable;

export type CheckArguments = ArgumentsOf<typeof CHECK_OPTIONS>;

/** What targetOptionsOf reads: the target, transport, timers and TLS (commands without a `<uri>` positional too). */
export type TargetArguments = Pick<CheckArguments, 'uri' | 'dns' | 'transport' | 'proxy' | 'timeout' | 't1' | 't2' | 'ca' | 'insecure' | 'wsPath' | 'localIp' | 'localPort'
  | 'tokenEnv' | 'tokenFile' | 'tokenIn' | 'mintKeyEnv' | 'mintSub' | 'mintIss' | 'mintTtl' | 'warnTokenTtl'>;

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Milliseconds from "1500", "1500ms", "2s", "1.5s", "5m" or "1h". */
export function parseDuration(text: string, what = '--timeout'): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/i.exec(text);
  if (!match) throw badArgument(`${what} "${text}" is not a duration (e.g. 3000, 3000ms, 3s or 5m)`);
  const value = Number(match[1]) * UNIT_MS[match[2]?.toLowerCase() ?? 'ms'];
  if (!(value > 0)) throw badArgument(`${what} must be more than 0`);
  return value;
}

/**
 * "Name: value" -> [name, value], refusing what would break the message (RFC 3261 §7.3 header field syntax): a control
 * character by the check of every option that goes into a header field, then anything not "Name: value".
 */
export function parseHeaderOption(text: string): [string, string] {
  refuseControlCharacters({ '--header': text });
  const match = /^([!%'*+\-.0-9A-Z_`a-z~]+)\s*:\s*([^\r\n]*)$/.exec(text);
  if (!match) throw badArgument(`--header "${text}" is not "Name: value"`);
  return [match[1], match[2].trim()];
}

/**
 * Options whose values go into header fields as given (--user, --auth-user, --contact, --user-agent; rotate's
 * --old-user, --new-user, ...): a line break (or another control character but TAB) there would end the field and
 * start another, or break the message (RFC 3261 §7.3.1), so it is refused as --header refuses it. `values` maps each
 * option's name to its value; the character is shown as \xNN, never raw.
 */
export function refuseControlCharacters(values: Readonly<Record<string, string | undefined>>): void {
  for (const [option, value] of Object.entries(values)) {
    const found = value === undefined ? null : /[\x00-\x08\x0a-\x1f\x7f]/.exec(value);
    if (found) throw badArgument(`${option} holds a control character (\\x${found[0].charCodeAt(0).toString(16).padStart(2, '0')}) at character ${found.index + 1}: it cannot go into a header field`);
  }
}

/** The options of register, options and call that go into header fields, for refuseControlCharacters. */
export function headerFieldValues(args: Pick<CheckArguments, 'user' | 'authUser' | 'contact' | 'userAgent'>): Record<string, string | undefined> {
  return { '--user': args.user, '--auth-user': args.authUser, '--contact': args.contact, '--user-agent': args.userAgent };
}

/** --dns values (repeated and/or comma lists) as Resolver#setServers addresses; undefined when not given. */
export function parseDnsServers(values: readonly string[]): string[] | undefined {
  if (values.length === 0) return undefined;
  const texts = values.flatMap((item) => item.split(',')).map((text) => text.trim());
  return texts.map((text) => {
    const address = dnsServerAddress(text);
    if (address === undefined) throw badArgument(`--dns "${text}" is not a DNS server address (IP[:PORT] or [IPv6]:PORT)`);
    return address;
  });
}

function positiveNumber(value: number, what: string): number {
  if (!Number.isFinite(value) || value <= 0) throw badArgument(`${what} must be a positive number of milliseconds`);
  return value;
}

/**
 * The target URI, --proxy and --transport read as a check will read them, before anything is sent: an unusable one
 * is a bad argument (exit 2), never a probe that fails (rotate would count it as no answer, exit 3).
 */
function refuseUnusableTarget(args: Pick<TargetArguments, 'uri' | 'proxy' | 'transport'>): void {
  asBadArgument(() => planTarget({ uri: args.uri, proxy: args.proxy, transport: args.transport }));
}

/** Another SIP URI a command will use (rotate check --call), refused up front as the target is. */
export function refuseUnusableUri(text: string, what: string): void {
  asBadArgument(() => parseTargetUri(text, what));
}

function asBadArgument(read: () => unknown): void {
  try {
    read();
  } catch (error) {
    if (error instanceof TargetError) throw badArgument(error.message);
    throw error;
  }
}

/**
 * Target and connection settings from the arguments (throws CliError('bad-argument') for unusable values). `env`
 * is where --token-env / --mint-key-env are read (io.env; the process environment by default).
 */
export async function targetOptionsOf(args: TargetArguments, trace?: TraceSink, env: NodeJS.ProcessEnv = process.env): Promise<TargetOptions & { timeoutMs: number }> {
  const timers: TimerSettings = { t1: positiveNumber(args.t1, '--t1'), t2: positiveNumber(args.t2, '--t2') };
  if (timers.t2 < timers.t1) throw badArgument('--t2 must not be less than --t1');
  const timeoutMs = args.timeout === undefined ? 64 * timers.t1 : parseDuration(args.timeout);
  let ca: Buffer | undefined;
  if (args.ca !== undefined) {
    try {
      ca = await readFile(args.ca);
    } catch (error) {
      throw badArgument(`--ca ${args.ca}: cannot read the file (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    // Node takes a file without any PEM certificate as no CA at all: every server would then fail verification
    // ("unable to verify the first certificate") with nothing saying the --ca file was the fault
    if (!ca.includes('-----BEGIN CERTIFICATE-----')) {
      throw badArgument(`--ca ${args.ca}: no PEM certificate in the file (a "-----BEGIN CERTIFICATE-----" block)`);
    }
  }
  const { localPort } = args;
  if (localPort !== undefined && (!Number.isInteger(localPort) || localPort < 0 || localPort > 65535)) {
    throw badArgument('--local-port must be an integer in 0..65535');
  }
  if (args.uri === '') throw badArgument('give the target SIP-URI');
  refuseUnusableTarget(args);
  const dnsServers = parseDnsServers(args.dns);
  return {
    uri: args.uri,
    dns: dnsServers ? systemDns(dnsServers) : undefined,
    transport: args.transport,
    proxy: args.proxy,
    timers,
    timeoutMs,
    ca,
    insecure: args.insecure,
    wsPath: args.wsPath,
    handshakeToken: await handshakeTokenOf(args, env),
    localAddress: args.localIp,
    localPort,
    trace,
  };
}

/**
 * --warn-retrans, --warn-rtt, --crit-rtt and --warn-token-ttl (throws CliError('bad-argument') for a negative or
 * non-finite RTT or a negative or fractional --warn-retrans). call has no RTT thresholds (its line has none).
 */
export function thresholdsOf(args: Pick<CheckArguments, 'warnRetrans' | 'warnTokenTtl'> & Partial<Pick<CheckArguments, 'warnRtt' | 'critRtt'>>): MonitoringThresholds {
  const rtt = (value: number | undefined, what: string): number | undefined => {
    if (value !== undefined && (!Number.isFinite(value) || value < 0)) throw badArgument(`${what} must be a number of milliseconds, 0 or more`);
    return value;
  };
  const thresholds: MonitoringThresholds = { warnRetrans: warnRetransOf(args.warnRetrans), warnTokenS: warnTokenSecondsOf(args) };
  const warnRttMs = rtt(args.warnRtt, '--warn-rtt');
  const critRttMs = rtt(args.critRtt, '--crit-rtt');
  if (warnRttMs !== undefined) thresholds.warnRttMs = warnRttMs;
  if (critRttMs !== undefined) thresholds.critRttMs = critRttMs;
  return thresholds;
}

/** --warn-retrans, refused unless a whole number, 0 or more (-1 made every run a WARNING that named no reason). */
function warnRetransOf(value: number): number {
  if (!Number.isInteger(value) || value < 0) throw badArgument('--warn-retrans must be a whole number of retransmissions, 0 or more');
  return value;
}

/**
 * Load mode (--count) prints its own summary and exit code (registrations or calls counted): the single check's
 * --nagios line and --junit cases are not made there, so asking for them is a bad argument rather than an option
 * silently ignored (a monitoring system would have read the load's exit code as a plugin state).
 */
export function refuseSingleCheckOutputs(args: Pick<CheckArguments, 'nagios' | 'junit'>): void {
  const given = [args.nagios ? '--nagios' : '', args.junit !== undefined ? '--junit' : ''].filter((option) => option !== '');
  if (given.length > 0) throw badArgument(`load mode (--count) prints its own summary: ${given.join(' and ')} ${given.length === 1 ? 'is' : 'are'} for a single check`);
}

/** -v: each message on stderr with Authorization / Proxy-Authorization credentials redacted. */
export function traceTo(io: CliIO): TraceSink {
  return (direction, raw, note) => {
    const arrow = direction === 'sent' ? '>>> sent' : '<<< received';
    const text = Buffer.from(raw).toString('utf8');
    io.err(`${io.style.dim(`${arrow}${note ? ` (${note})` : ''} ${new Date().toISOString()}`)}\n${printableLines(redactCredentials(text).trimEnd())}\n`);
  };
}
