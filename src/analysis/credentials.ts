/**
 * Which credential a request used: the username and realm of its Authorization (RFC 3261 §22.2) or
 * Proxy-Authorization (RFC 3261 §22.3) header, read with the one digest parser of src/sip/digest.
 * Passwords never reach the analysis: only username and realm are kept.
 */
import { getHeaders, type SipMessage } from '../sip/index.js';
import { parseAuthElements, parseAuthorization, parseChallenges } from '../sip/digest/index.js';
import type { Credential } from './types.js';

/** The credential of a request, or undefined when it carried none (or none with a username). */
export function credentialOf(message: SipMessage): Credential | undefined {
  return credentialOfValues(getHeaders(message, 'authorization'), getHeaders(message, 'proxy-authorization'));
}

/** credentialOf over the values of a request's Authorization and Proxy-Authorization fields (wire order). */
export function credentialOfValues(authorization: readonly string[], proxyAuthorization: readonly string[]): Credential | undefined {
  for (const value of authorization) {
    const credential = readCredential(value, 'authorization');
    if (credential) return credential;
  }
  for (const value of proxyAuthorization) {
    const credential = readCredential(value, 'proxy-authorization');
    if (credential) return credential;
  }
  return undefined;
}

function readCredential(value: string, header: string): Credential | undefined {
  try {
    const parsed = parseAuthorization(value, header);
    return { username: parsed.username, realm: parsed.realm };
  } catch {
    // Incomplete digest credentials still name their user; other schemes (Bearer, ...) may not.
    try {
      const element = parseAuthElements(value, header)[0];
      const username = element?.params.get('username')?.value;
      return username ? { username, realm: element?.params.get('realm')?.value } : undefined;
    } catch {
      return undefined;
    }
  }
}

/** Whether a 401/407 says stale=true (RFC 7616 §3.3): the nonce expired, the credentials were right. */
export function isStaleChallenge(message: SipMessage): boolean {
  if (message.kind !== 'response' || (message.status !== 401 && message.status !== 407)) return false;
  const header = message.status === 401 ? 'www-authenticate' : 'proxy-authenticate';
  return isStaleChallengeOf(message.status, getHeaders(message, header));
}

/** isStaleChallenge over a 401's WWW-Authenticate or a 407's Proxy-Authenticate values (wire order). */
export function isStaleChallengeOf(status: 401 | 407, challengeValues: readonly string[]): boolean {
  try {
    return parseChallenges(challengeValues, status === 401 ? 'www-authenticate' : 'proxy-authenticate').some((challenge) => challenge.stale);
  } catch {
    return false;
  }
}

/** `alice@example.com` style label for messages; the realm is left out when unknown. */
export function credentialLabel(credential: Credential): string {
  return credential.realm ? `${credential.username} (realm ${credential.realm})` : credential.username;
}
