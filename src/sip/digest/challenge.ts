import { DigestError } from './errors.js';
import { algorithmStrength, digestAlgorithmFromToken, type DigestAlgorithm } from './hash.js';
import { parseAuthElements, type AuthElement } from './params.js';

export type ChallengeHeader = 'www-authenticate' | 'proxy-authenticate';
export type DigestQop = 'auth' | 'auth-int';

/** One Digest challenge (RFC 3261 §22.1/§20.44, RFC 7616 §3.3). */
export interface DigestChallenge {
  /** Header it came from: 401 carries WWW-Authenticate, 407 Proxy-Authenticate (RFC 3261 §22.2, §22.3). */
  header: ChallengeHeader;
  realm: string;
  nonce: string;
  opaque?: string;
  /** The algorithm token exactly as offered, or undefined when the challenge had none (then MD5, RFC 2617 §3.2.1). */
  algorithmOffered?: string;
  /** The algorithm we would compute, or undefined when the offered one is not supported (e.g. AKAv1-MD5). */
  algorithm?: DigestAlgorithm;
  /** qop options offered (lowercase, in the server's order); empty for an RFC 2069 challenge without qop. */
  qop: string[];
  /** stale=true: the previous nonce expired but the credentials were right (RFC 7616 §3.3). */
  stale: boolean;
  /** Protection-space URIs from `domain` (space-separated, RFC 7616 §3.3). */
  domain: string[];
  charset?: string;
  /** userhash=true: the server accepts a hashed username (RFC 7616 §3.4.4). */
  userhash: boolean;
  /** Every parameter, lowercase name -> unescaped value, including unknown extensions. */
  params: Record<string, string>;
}

/** A challenge of another scheme (Basic, Bearer, ...): not answered by digest, but reported. */
export interface OtherChallenge {
  header: ChallengeHeader;
  scheme: string;
  params: Record<string, string>;
  token68?: string;
}

export interface ParsedAuthenticateHeaders {
  digest: DigestChallenge[];
  other: OtherChallenge[];
}

function paramsRecord(element: AuthElement): Record<string, string> {
  const record: Record<string, string> = {};
  for (const [name, param] of element.params) record[name] = param.value;
  return record;
}

function toDigestChallenge(element: AuthElement, header: ChallengeHeader, line: number): DigestChallenge {
  const params = paramsRecord(element);
  const where = `${header} line ${line + 1}, challenge at character ${element.offset}`;
  if (element.token68 !== undefined) {
    throw new DigestError('digest-syntax', `${where}: Digest takes parameters, not a token68 value`, header, element.offset);
  }
  // RFC 7616 §3.3: realm and nonce are required in a challenge.
  for (const required of ['realm', 'nonce'] as const) {
    if (params[required] === undefined) {
      throw new DigestError('digest-missing-param', `${where}: Digest challenge without "${required}"`, header, element.offset);
    }
  }
  const algorithmOffered = params.algorithm;
  const challenge: DigestChallenge = {
    header,
    realm: params.realm!,
    nonce: params.nonce!,
    algorithm: algorithmOffered === undefined ? 'MD5' : digestAlgorithmFromToken(algorithmOffered),
    qop: (params.qop ?? '')
      .split(',')
      .map((option) => option.trim().toLowerCase())
      .filter((option) => option !== ''),
    stale: (params.stale ?? '').toLowerCase() === 'true',
    domain: (params.domain ?? '').split(/\s+/).filter((uri) => uri !== ''),
    userhash: (params.userhash ?? '').toLowerCase() === 'true',
    params,
  };
  if (algorithmOffered !== undefined) challenge.algorithmOffered = algorithmOffered;
  if (params.opaque !== undefined) challenge.opaque = params.opaque;
  if (params.charset !== undefined) challenge.charset = params.charset;
  return challenge;
}

/**
 * Parse every challenge of the given header lines (each line may hold several challenges, RFC 7235 §4.1).
 * Digest challenges are returned in `digest`; other schemes in `other`. Throws DigestError for a malformed
 * header (code 'digest-syntax', 'digest-duplicate-param' or 'digest-missing-param', with the offset).
 */
export function parseAuthenticateHeaders(headerValues: readonly string[], header: ChallengeHeader): ParsedAuthenticateHeaders {
  const parsed: ParsedAuthenticateHeaders = { digest: [], other: [] };
  headerValues.forEach((value, line) => {
    for (const element of parseAuthElements(value, `${header} line ${line + 1}`)) {
      if (element.scheme.toLowerCase() === 'digest') {
        parsed.digest.push(toDigestChallenge(element, header, line));
      } else {
        const other: OtherChallenge = { header, scheme: element.scheme, params: paramsRecord(element) };
        if (element.token68 !== undefined) other.token68 = element.token68;
        parsed.other.push(other);
      }
    }
  });
  return parsed;
}

/** The Digest challenges of the given header lines; non-Digest schemes are skipped (see parseAuthenticateHeaders). */
export function parseChallenges(headerValues: readonly string[], header: ChallengeHeader): DigestChallenge[] {
  return parseAuthenticateHeaders(headerValues, header).digest;
}

/**
 * The qop we answer a challenge with. Preference: auth > auth-int > none. auth protects nonce reuse with
 * cnonce/nc like auth-int, and needs no body (auth-int hashes the body, which many servers get wrong, RFC 7616 §3.4.3).
 * An RFC 2069 challenge (no qop) is answered without qop. Undefined when qop is offered but none we know.
 */
export function chooseQop(challenge: DigestChallenge): DigestQop | null | undefined {
  if (challenge.qop.length === 0) return null;
  if (challenge.qop.includes('auth')) return 'auth';
  if (challenge.qop.includes('auth-int')) return 'auth-int';
  return undefined;
}

function qopRank(challenge: DigestChallenge): number {
  const qop = chooseQop(challenge);
  return qop === 'auth' ? 3 : qop === 'auth-int' ? 2 : qop === null ? 1 : 0;
}

/**
 * The challenge to answer: the strongest supported algorithm offered (SHA-512-256 > SHA-256 > MD5, RFC 7616 §3.7
 * and RFC 8760 §2.4: "the client SHOULD use the strongest algorithm it supports"); among equals, the one whose qop
 * we prefer (see chooseQop); among equals still, a -sess variant loses to the plain one (fewer server bugs), then
 * the server's order. Undefined when no challenge uses a supported algorithm and qop.
 */
export function chooseChallenge(challenges: readonly DigestChallenge[]): DigestChallenge | undefined {
  let best: DigestChallenge | undefined;
  let bestScore = -1;
  for (const challenge of challenges) {
    if (challenge.algorithm === undefined || chooseQop(challenge) === undefined) continue;
    const sessionPenalty = challenge.algorithm.endsWith('-sess') ? 0 : 1;
    const score = algorithmStrength(challenge.algorithm) * 100 + qopRank(challenge) * 10 + sessionPenalty;
    if (score > bestScore) {
      best = challenge;
      bestScore = score;
    }
  }
  return best;
}

/**
 * One chosen challenge per (header, realm): RFC 3261 §22.3 — a forking proxy may return several challenges and the
 * UAC answers each realm with its own Authorization / Proxy-Authorization header.
 */
export function chooseChallengePerRealm(challenges: readonly DigestChallenge[]): DigestChallenge[] {
  const groups = new Map<string, DigestChallenge[]>();
  for (const challenge of challenges) {
    const key = `${challenge.header}\u0000${challenge.realm}`;
    groups.set(key, [...(groups.get(key) ?? []), challenge]);
  }
  return [...groups.values()].map(chooseChallenge).filter((chosen): chosen is DigestChallenge => chosen !== undefined);
}
