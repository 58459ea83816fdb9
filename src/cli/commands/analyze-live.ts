/**
 * The live side of `sipscope analyze`: `- --follow` (a pcap stream that never ends, e.g. `tcpdump -U --immediate-mode -w -`),
 * `--hep-listen ADDR:PORT` (HEP v2/v3 over UDP from Kamailio siptrace, heplify, HOMER agents) and
 * `--metrics ADDR:PORT` (Prometheus text format). The analysis is the same streaming analyzer as for files; a
 * live run also moves the analyzer's clock on while the source is quiet (capture time of the last message plus
 * the wall time since it came), so a call completed by the last packet is reported within a second. Ctrl-C or
 * SIGTERM ends a live run: the source stops and the summary is written.
 */
import { createSocket, type RemoteInfo } from 'node:dgram';
import { createServer, type Server } from 'node:http';
import { isIP } from 'node:net';
import type { Analyzer } from '../../analysis/index.js';
import { decodeHep } from '../../capture/hep.js';
import type { DecodeIssue, SipPayload } from '../../capture/types.js';
import { hostPort } from '../../sip/index.js';
import { badArgument, CliError } from '../exit.js';
import { parseHostPort, type HostPort } from '../host-port.js';

/** How often a quiet live source moves the analyzer's clock on. */
const CLOCK_TICK_MS = 200;

/** Where a HEP listener or the metrics server listens (parsed by src/cli/host-port.ts). */
export type ListenAddress = HostPort;

/**
 * The analyzer's clock for a live source: the capture time of the last message plus the wall time since it was
 * analysed. tick() moves the analyzer to that time, so transactions expire and complete calls are reported
 * while nothing arrives.
 */
export class LiveClock {
  private lastWallMs = Date.now();
  private timer?: NodeJS.Timeout;
  private analyzer?: Analyzer;

  start(analyzer: Analyzer): void {
    this.analyzer = analyzer;
    this.timer = setInterval(() => this.tick(), CLOCK_TICK_MS);
  }

  messageAnalysed(): void {
    this.lastWallMs = Date.now();
  }

  tick(): void {
    const lastUs = this.analyzer?.lastMessageUs;
    if (lastUs === undefined) return;
    this.analyzer!.advance(lastUs + (Date.now() - this.lastWallMs) * 1000);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }
}

/**
 * Ctrl-C and SIGTERM of a live run, caught from its start (before anything it writes to stderr, so that a script
 * that waits for its first line may signal it at once): the first one runs the action given to onStop, or, when it
 * came before the source was open, runs it as soon as one is given.
 */
export class StopSignal {
  private stopped = false;
  private action?: () => void;
  private readonly handler = (): void => {
    this.stopped = true;
    this.action?.();
  };

  constructor() {
    process.once('SIGINT', this.handler);
    process.once('SIGTERM', this.handler);
  }

  /** Whether a stop came. */
  get requested(): boolean {
    return this.stopped;
  }

  onStop(action: () => void): void {
    this.action = action;
    if (this.stopped) action();
  }

  remove(): void {
    process.off('SIGINT', this.handler);
    process.off('SIGTERM', this.handler);
  }
}

export interface HepSourceOptions {
  listen: ListenAddress;
  /** Senders accepted; others are reported and counted. Undefined: any sender. */
  allowedSenders?: ReadonlySet<string>;
  payload(payload: SipPayload): void;
  issue(issue: DecodeIssue): void;
}

export interface HepSource {
  /** The address and port the socket is bound to: the port the system chose when --hep-listen asked for 0. */
  bound: ListenAddress;
  /** Datagrams received, of them not usable (not HEP, malformed, unexpected sender). */
  datagrams: number;
  /** Resolves when the socket is closed. */
  closed: Promise<void>;
  close(): void;
}

/**
 * Receives HEP over UDP. Every datagram is one packet of the live "capture" (numbered from 1); HEP v2/v3 are
 * decoded by the capture module (capture/hep.ts) with the time and addresses they carry. A datagram that is not
 * HEP, a malformed one or one from a sender not allowed is reported and counted, never fatal; nothing of it is
 * kept, so bad input cannot grow memory.
 */
export async function listenHep(options: HepSourceOptions): Promise<HepSource> {
  const family = isIP(options.listen.host) === 6 ? 'udp6' : 'udp4';
  const socket = createSocket({ type: family, recvBufferSize: 4 * 1024 * 1024 });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', (error) => reject(new CliError('unusable-address', `--hep-listen ${hostPort(options.listen.host, options.listen.port)}: ${error.message}`, { cause: error })));
    socket.bind(options.listen.port, options.listen.host, () => resolve());
  });
  socket.on('error', () => {});
  const bound = { host: options.listen.host, port: socket.address().port };
  const file = `hep:${hostPort(bound.host, bound.port)}`;
  let closedResolve: () => void = () => {};
  const source: HepSource = {
    bound,
    datagrams: 0,
    closed: new Promise<void>((resolve) => (closedResolve = resolve)),
    close: () => socket.close(),
  };
  socket.on('close', () => closedResolve());
  socket.on('message', (datagram: Buffer, sender: RemoteInfo) => {
    const packetNumber = ++source.datagrams;
    const where = { file, packetNumber, offset: 0 };
    if (options.allowedSenders && !options.allowedSenders.has(sender.address)) {
      options.issue({ ...where, code: 'hep-unexpected-sender', message: `HEP datagram from ${sender.address}:${sender.port}, not an allowed sender (--hep-from): ignored` });
      return;
    }
    const recognised = decodeHep(datagram, { ...where, timeUs: Date.now() * 1000 }, { message: options.payload, issue: options.issue });
    if (!recognised) options.issue({ ...where, code: 'hep-not-hep', message: `datagram of ${datagram.length} bytes from ${sender.address}:${sender.port} is not HEP v2/v3: ignored` });
  });
  return source;
}

/**
 * `--hep-listen ADDR:PORT` opened, the one way `analyze` and `rotate drain` take it: port 0 is a free port the
 * system picks (the socket's `bound` says which); the senders accepted are `from` (--hep-from) or defaultHepSenders.
 */
export async function openHepListen(address: string, from: string | undefined, handlers: Pick<HepSourceOptions, 'payload' | 'issue'>): Promise<HepSource> {
  const listen = parseHostPort(address, '--hep-listen', { portZero: true });
  return listenHep({ listen, allowedSenders: defaultHepSenders(listen, from), ...handlers });
}

/** The stderr line a command writes once its HEP socket is bound: the address a script waits for and sends to. */
export function hepListeningLine(command: string, source: HepSource): string {
  return `sipscope ${command}: listening for HEP on ${hostPort(source.bound.host, source.bound.port)}`;
}

/** The senders allowed by default: loopback when listening on loopback (a local agent), any sender otherwise. */
export function defaultHepSenders(listen: ListenAddress, from: string | undefined): ReadonlySet<string> | undefined {
  if (from !== undefined) {
    const senders = from.split(',').map((address) => address.trim()).filter(Boolean);
    const notAddress = senders.find((address) => isIP(address) === 0);
    if (notAddress !== undefined || senders.length === 0) throw badArgument(`--hep-from ${JSON.stringify(from)}: a comma list of IP addresses (${notAddress === undefined ? 'none given' : `${JSON.stringify(notAddress)} is not one`})`);
    return new Set(senders);
  }
  if (listen.host === '127.0.0.1' || listen.host === '::1' || listen.host === 'localhost') return new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);
  return undefined;
}

export interface MetricsSource {
  analyzer?: Analyzer;
  decodeErrors: number;
  findings: Map<string, number>;
}

/**
 * Prometheus text exposition format 0.0.4, written by hand: seven metric families, no histogram, no registry, so
 * the format is lighter than pulling in prom-client and its dependencies (and its default process metrics) for
 * what is a page of text. https://prometheus.io/docs/instrumenting/exposition_formats/
 */
export function metricsText(source: MetricsSource): string {
  const counters = source.analyzer?.counters();
  const lines: string[] = [];
  const family = (name: string, type: 'counter' | 'gauge', help: string, samples: Array<[string, number]>) => {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [labels, value] of samples) lines.push(`${name}${labels} ${value}`);
  };
  family('sipscope_messages_total', 'counter', 'SIP messages analysed (retransmissions included, mirror copies not)', [['', counters?.sipMessages ?? 0]]);
  family('sipscope_mirror_copies_total', 'counter', 'HEP mirror copies set aside (a second copy of a message already analysed)', [['', counters?.mirrorCopies ?? 0]]);
  family('sipscope_calls_active', 'gauge', 'calls being followed (not finished yet)', [['', counters?.callsActive ?? 0]]);
  family('sipscope_calls_finished_total', 'counter', 'calls finished and reported', [['', counters?.callsFinished ?? 0]]);
  family('sipscope_findings_total', 'counter', 'findings reported, by kind', [...source.findings].map(([kind, n]) => [`{kind="${label(kind)}"}`, n]));
  family('sipscope_forbidden_total', 'counter', '403 Forbidden final responses by credential username (once per request over all hops)', [
    ...(counters?.forbiddenByUser ?? new Map<string, number>()),
  ].map(([username, n]) => [`{username="${label(username)}"}`, n]));
  family('sipscope_decode_errors_total', 'counter', 'input that could not be used (decode errors, bad HEP, unexpected senders, unparsable SIP)', [
    ['', source.decodeErrors + (counters?.unusableMessages ?? 0)],
  ]);
  return `${lines.join('\n')}\n`;
}

/** A label value escaped as the text format wants (backslash, double quote, newline). */
function label(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

export async function serveMetrics(listen: ListenAddress, source: MetricsSource): Promise<Server> {
  const server = createServer((request, response) => {
    if (request.method !== 'GET' || (request.url !== '/metrics' && request.url !== '/')) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }).end(metricsText(source));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) => reject(new CliError('unusable-address', `--metrics ${hostPort(listen.host, listen.port)}: ${error.message}`, { cause: error })));
    server.listen(listen.port, listen.host, () => resolve());
  });
  return server;
}
