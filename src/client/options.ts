/** OPTIONS check (RFC 3261 §11): a ping that any SIP server answers; challenges are answered when a password is given. */
import { exchange } from './exchange.js';
import type { OutgoingRequest } from './request.js';
import { failedCheckOf, resultOf } from './register.js';
import type { CheckResult } from './result.js';
import {
  exchangeWithFailover, outOfDialogHeaders, type TargetConnection, type TargetOptions,
} from './target-connection.js';

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
  const user = options.user ?? target.user ?? 'sipscope';
  const headers: [string, string][] = [
    ...outOfDialogHeaders(connection, 'OPTIONS', user, options.contact),
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
    return failedCheckOf('OPTIONS', error, options);
  } finally {
    // --timeout bounds the whole check, the close of a connection the peer holds open included
    await connection?.close(deadline);
  }
}
