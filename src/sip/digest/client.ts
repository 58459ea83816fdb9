import { chooseChallengePerRealm, type DigestChallenge } from './challenge.js';
import { DigestError } from './errors.js';
import { buildAuthorization, NonceCounter, type BuiltAuthorization } from './response.js';

export interface DigestRequest {
  method: string;
  /** Request-URI of the request to authorize. */
  uri: string;
  body?: string | Uint8Array;
}

/**
 * Client side of digest for one account: answers 401/407 challenges (one credential per realm, RFC 3261 §22.3)
 * and, with `authorizeAgain`, re-uses the last challenges for later requests with a counted nc (RFC 7616 §3.4,
 * RFC 3261 §22.3: "a UAC MAY pre-emptively include credentials" for the same realm). The password stays in memory.
 */
export class DigestClient {
  private readonly counters = new Map<string, NonceCounter>();
  private challenges: DigestChallenge[] = [];

  constructor(
    private readonly username: string,
    private readonly password: string,
    /** Source of client nonces (default: 128 random bits per answer); load mode hands in a pooled one. */
    private readonly newCnonce?: () => string,
  ) {}

  /** Credentials answering `challenges` (all from one response); throws DigestError when none can be answered. */
  answer(challenges: readonly DigestChallenge[], request: DigestRequest): BuiltAuthorization[] {
    const chosen = chooseChallengePerRealm(challenges);
    if (chosen.length === 0) {
      const offered = challenges.map((challenge) => `${challenge.algorithmOffered ?? 'MD5'}/${challenge.qop.join(',') || 'no qop'}`).join('; ');
      throw new DigestError('digest-unsupported-algorithm', `no challenge uses a supported algorithm and qop (offered: ${offered || 'none'})`);
    }
    this.challenges = chosen;
    return this.authorizeAgain(request);
  }

  /** Credentials for another request under the last answered challenges (empty before the first answer). */
  authorizeAgain(request: DigestRequest): BuiltAuthorization[] {
    return this.challenges.map((challenge) => {
      const key = `${challenge.header}\u0000${challenge.realm}`;
      let counter = this.counters.get(key);
      if (counter === undefined) {
        counter = new NonceCounter();
        this.counters.set(key, counter);
      }
      return buildAuthorization({
        challenge,
        username: this.username,
        password: this.password,
        method: request.method,
        uri: request.uri,
        body: request.body,
        nonceCount: counter.next(challenge.nonce),
        cnonce: this.newCnonce?.(),
      });
    });
  }
}
