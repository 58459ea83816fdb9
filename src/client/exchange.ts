/**
 * One request with its digest challenge rounds (RFC 3261 §22.2, §22.3, §8.1.3.5): on 401/407 the request is sent
 * again with the same Call-ID, CSeq + 1 and a new branch, carrying credentials computed from the realm, nonce,
 * algorithm and qop of the challenge (never configured ones). A challenge for a realm already answered counts as a
 * final failure unless it says stale=true (RFC 7616 §3.3), which is retried once. Rounds are capped.
 */
import { getHeaders, newBranch, randomToken, type SipResponse } from '../sip/index.js';
import { chooseChallengePerRealm, DigestClient, parseChallenges, type DigestChallenge } from '../sip/digest/index.js';
import { requestCSeq, headerValue, type OutgoingRequest } from './request.js';
import { TransactionError, type TransactionLayer } from './transaction.js';
import type { TransactionRecord } from './result.js';

/**
 * Requests one exchange may send: room for a proxy's 407 and the registrar's 401 (two realms, §22.3), each answered
 * once and once more after stale=true, and the request that gets through: 1 + 2 + 2. The per-realm rule above ends a
 * refusal or a second stale=true before this; the cap only stops a server that names a new realm every time.
 */
export const MAX_CHALLENGE_ROUNDS = 5;

export interface Credentials {
  /** Authentication user name (RFC 3261 §22.2 username). */
  username: string;
  password?: string;
}

export interface ExchangeOutcome {
  transactions: TransactionRecord[];
  final?: SipResponse;
  challenged: boolean;
  answered?: { realm: string; algorithm: string; qop?: string };
  authProblem?: string;
  error?: TransactionError;
}

/** What a caller that holds a dialog needs to see of an exchange (a call: PRACK, CANCEL, credentials kept). */
export interface ExchangeHooks {
  /** Each request as it is handed to the transaction layer (the first and every challenge answer). */
  sending?(request: OutgoingRequest): void;
  /** Each 1xx as it arrives, with the request it answers. */
  provisional?(response: SipResponse, request: OutgoingRequest): void;
  /** The digest state to answer with, kept by the caller so later requests can carry credentials pre-emptively. */
  digest?: DigestClient;
  /**
   * INVITE: the limit of each round's transaction until a provisional response comes, ms (Timer B shortened,
   * RFC 3261 §17.1.1.2); the deadline still bounds the whole exchange. A call's setup: --timeout.
   */
  callingLimitMs?: number;
}

interface RealmState {
  staleRetried: boolean;
}

interface AuthState {
  /** Realms answered so far; made on the first challenge (most exchanges of a load run have none). */
  realms?: Map<string, RealmState>;
  digest?: DigestClient;
}

/** Sends `request` and answers challenges; resolves with what happened (never rejects for protocol outcomes). */
export async function exchange(
  layer: TransactionLayer,
  request: OutgoingRequest,
  credentials: Credentials,
  deadline: number,
  maxRounds = MAX_CHALLENGE_ROUNDS,
  hooks: ExchangeHooks = {},
): Promise<ExchangeOutcome> {
  const outcome: ExchangeOutcome = { transactions: [], challenged: false };
  const auth: AuthState = { digest: hooks.digest };
  let current = request;
  for (let round = 0; ; round++) {
    const record: TransactionRecord = {
      request: current.method,
      cseq: requestCSeq(current).seq,
      provisional: [],
      retransmissions: 0,
      credentials: credentialHeadersOf(current),
    };
    outcome.transactions.push(record);
    let response: SipResponse;
    try {
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new TransactionError('timeout', `overall timeout reached before ${current.method} could be sent`, 0);
      hooks.sending?.(current);
      const sent = current;
      const onProvisional = hooks.provisional ? (provisional: SipResponse) => hooks.provisional!(provisional, sent) : undefined;
      const result = await layer.send(current, { limitMs: remaining, callingLimitMs: hooks.callingLimitMs }, onProvisional);
      response = result.response;
      record.status = response.status;
      record.reason = response.reason;
      record.provisional = result.provisional.map((provisional) => provisional.status);
      record.rttMs = result.rttMs;
      record.retransmissions = result.retransmissions;
    } catch (error) {
      if (!(error instanceof TransactionError)) throw error;
      record.retransmissions = error.retransmissions;
      outcome.error = error;
      return outcome;
    }
    outcome.final = response;
    if (response.status !== 401 && response.status !== 407) return outcome;
    outcome.challenged = true;
    if (round + 1 >= maxRounds) {
      outcome.authProblem = `still challenged after ${maxRounds} rounds`;
      return outcome;
    }
    const next = answerChallenge(current, response, credentials, auth, outcome);
    if (!next) return outcome;
    current = next;
  }
}

function credentialHeadersOf(request: OutgoingRequest): ('authorization' | 'proxy-authorization')[] {
  const names: ('authorization' | 'proxy-authorization')[] = [];
  for (const [name] of request.headers) {
    // only a name of their length can be one of them (a request has a dozen fields, load mode sends thousands)
    if (name.length !== 13 && name.length !== 19) continue;
    const lower = name.toLowerCase();
    if (lower === 'authorization' || lower === 'proxy-authorization') names.push(lower);
  }
  return names;
}

/** The next request answering the challenges of `response`, or undefined (with outcome.authProblem set) when we must stop. */
function answerChallenge(
  previous: OutgoingRequest,
  response: SipResponse,
  credentials: Credentials,
  auth: AuthState,
  outcome: ExchangeOutcome,
): OutgoingRequest | undefined {
  const headerName = response.status === 401 ? 'www-authenticate' : 'proxy-authenticate';
  let challenges: DigestChallenge[];
  try {
    challenges = chooseChallengePerRealm(parseChallenges(getHeaders(response, headerName), headerName));
  } catch (error) {
    outcome.authProblem = `cannot read the ${headerName} header: ${error instanceof Error ? error.message : String(error)}`;
    return undefined;
  }
  if (challenges.length === 0) {
    outcome.authProblem = `${response.status} without a usable Digest challenge (supported: MD5, SHA-256, SHA-512-256 and -sess; qop auth/auth-int)`;
    return undefined;
  }
  if (credentials.password === undefined) {
    outcome.authProblem = 'challenged but no password was given (--password-env, --password-file or --password-stdin)';
    return undefined;
  }
  for (const challenge of challenges) {
    const key = `${challenge.header} ${challenge.realm}`;
    auth.realms ??= new Map();
    const state = auth.realms.get(key);
    if (!state) {
      auth.realms.set(key, { staleRetried: false });
      continue;
    }
    // RFC 3261 §22.2: the same realm again means the credentials were refused, unless the nonce was only stale
    if (!challenge.stale || state.staleRetried) {
      outcome.authProblem = challenge.stale
        ? `realm "${challenge.realm}" said stale=true twice`
        : `credentials for realm "${challenge.realm}" were refused (${response.status} after answering the challenge)`;
      return undefined;
    }
    state.staleRetried = true;
  }
  // 128-bit client nonces from the pooled random source: one system call per hundreds of answers, not one each
  auth.digest ??= new DigestClient(credentials.username, credentials.password, () => randomToken(16));
  const answers: Answer[] = [];
  // the body too: qop=auth-int hashes it into A2 (RFC 7616 §3.4.3), an INVITE's SDP for one
  for (const built of auth.digest.answer(challenges, { method: previous.method, uri: previous.uri, body: previous.body })) {
    answers.push({ header: built.header === 'authorization' ? 'Authorization' : 'Proxy-Authorization', realm: built.params.realm, value: built.value });
    outcome.answered = { realm: built.params.realm, algorithm: built.params.algorithm ?? 'MD5' };
    if (built.params.qop) outcome.answered.qop = built.params.qop;
  }
  return nextRequest(previous, answers);
}

interface Answer {
  header: 'Authorization' | 'Proxy-Authorization';
  realm: string;
  value: string;
}

/**
 * The request answering a challenge, built in one pass over the previous one: same Call-ID, CSeq + 1 and a new
 * branch in the top Via (a new transaction, §8.1.3.5, §8.1.1.7); earlier credentials of the same header and realm
 * are dropped and the new ones appended (§22.2).
 */
function nextRequest(previous: OutgoingRequest, answers: Answer[]): OutgoingRequest {
  const replaced = answers.map((answer) => ({ name: answer.header.toLowerCase(), quotedRealm: `realm="${answer.realm.replace(/[\\"]/g, (char) => `\\${char}`)}"` }));
  const cseq = `${requestCSeq(previous).seq + 1} ${previous.method}`;
  const headers: [string, string][] = [];
  let viaSeen = false;
  let cseqSeen = false;
  for (const field of previous.headers) {
    const lower = field[0].toLowerCase();
    if (lower === 'via' && !viaSeen) {
      viaSeen = true;
      headers.push([field[0], field[1].replace(/;branch=[^;,\s]*/i, `;branch=${newBranch()}`)]);
    } else if (lower === 'cseq') {
      cseqSeen = true;
      headers.push([field[0], cseq]);
    } else if (!replaced.some(({ name, quotedRealm }) => name === lower && field[1].includes(quotedRealm))) {
      headers.push(field);
    }
  }
  if (!viaSeen) throw new Error('request has no Via header');
  for (const answer of answers) headers.push([answer.header, answer.value]);
  if (!cseqSeen) headers.push(['CSeq', cseq]);
  return { ...previous, headers };
}
