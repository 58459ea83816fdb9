/** OPTIONS check (RFC 3261 §11): a ping that any SIP server answers; challenges are answered when a password is given. */
import { exchange } from './exchange.js';
import type { OutgoingRequest } from './request.js';
import { resultOf } from './register.js';
import type { CheckResult } from './result.js';
import {
  checkErrorOf, contactTransportParam, exchangeWithFailover, handshakeRecordOf, newDialogBasics, routeHeaders, viaHeader, type TargetConnection, type TargetOptions,
} from './target-connection.js';
import { hostPort } from '../sip/index.js';

export interface OptionsCheckOptions extends TargetOptions {
  user?: string;
  authUser?: string;
  password?: string;
  contact?: string;
  headers?: [string, string][];
  userAgent?: string;
  timeoutMs: number;
}

export function buildOptions(connection: TargetConnection, options: OptionsCheckOptions): OutgoingRequest {
  const { target } = connection;
  const { local } = connection.transport;
  const user = options.user ?? target.user ?? 'sipscope';
  const basics = newDialogBasics();
  const from = `${target.scheme}:${user}@${hostPort(target.host)}`;
  const contact = options.contact ?? `${target.scheme}:${user}@${hostPort(local.address, local.port)}${contactTransportParam(connection)}`;
  const headers: [string, string][] = [
    ['Via', viaHeader(connection)],
    ['Max-Forwards', '70'],
    ...routeHeaders(connection),
    ['From', `<${from}>;tag=${basics.fromTag}`],
    ['To', `<${target.text}>`],
    ['Call-ID', basics.callId],
    ['CSeq', '1 OPTIONS'],
    ['Contact', `<${contact}>`],
    // §11.1: say what we accept in the answer
    ['Accept', 'application/sdp'],
    ['User-Agent', options.userAgent ?? 'sipscope'],
    ...(options.headers ?? []),
  ];
  return { method: 'OPTIONS', uri: target.text, headers };
}

export async function runOptions(options: OptionsCheckOptions): Promise<CheckResult> {
  const deadline = Date.now() + options.timeoutMs;
  let connection: TargetConnection | undefined;
  try {
    const done = await exchangeWithFailover(options, deadline, (opened) => {
      const request = buildOptions(opened, options);
      const username = options.authUser ?? options.user ?? opened.target.user ?? 'sipscope';
      return exchange(opened.layer, request, { username, password: options.password }, deadline);
    });
    connection = done.connection;
    return resultOf('OPTIONS', done.outcome, connection, options);
  } catch (error) {
    const failed: CheckResult = { method: 'OPTIONS', ok: false, challenged: false, retransmissions: 0, transactions: [], bindings: [], error: checkErrorOf(error) };
    const handshake = handshakeRecordOf(options, error);
    if (handshake) failed.handshake = handshake;
    return failed;
  } finally {
    await connection?.close();
  }
}
