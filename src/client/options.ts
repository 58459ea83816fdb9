/** OPTIONS check (RFC 3261 §11): a ping that any SIP server answers; challenges are answered when a password is given. */
import { exchange } from './exchange.js';
import type { OutgoingRequest } from './request.js';
import { resultOf } from './register.js';
import type { CheckResult } from './result.js';
import {
  checkErrorOf, contactTransportParam, exchangeWithFailover, handshakeRecordOf, newDialogBasics, routeHeaders, viaHeader, type Session, type SessionOptions,
} from './session.js';
import { uriHostPort } from './target.js';

export interface OptionsCheckOptions extends SessionOptions {
  user?: string;
  authUser?: string;
  password?: string;
  contact?: string;
  headers?: [string, string][];
  userAgent?: string;
  timeoutMs: number;
}

export function buildOptions(session: Session, options: OptionsCheckOptions): OutgoingRequest {
  const { target } = session;
  const { local } = session.transport;
  const user = options.user ?? target.user ?? 'sipscope';
  const basics = newDialogBasics();
  const from = `${target.scheme}:${user}@${uriHostPort(target.host)}`;
  const contact = options.contact ?? `${target.scheme}:${user}@${uriHostPort(local.address, local.port)}${contactTransportParam(session)}`;
  const headers: [string, string][] = [
    ['Via', viaHeader(session)],
    ['Max-Forwards', '70'],
    ...routeHeaders(session),
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
  let session: Session | undefined;
  try {
    const done = await exchangeWithFailover(options, deadline, (opened) => {
      const request = buildOptions(opened, options);
      const username = options.authUser ?? options.user ?? opened.target.user ?? 'sipscope';
      return exchange(opened.layer, request, { username, password: options.password }, deadline);
    });
    session = done.session;
    return resultOf('OPTIONS', done.outcome, session, options);
  } catch (error) {
    const failed: CheckResult = { method: 'OPTIONS', ok: false, challenged: false, retransmissions: 0, transactions: [], bindings: [], error: checkErrorOf(error) };
    const handshake = handshakeRecordOf(options, error);
    if (handshake) failed.handshake = handshake;
    return failed;
  } finally {
    await session?.close();
  }
}
