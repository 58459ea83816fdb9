import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Server nonces that need no server state: base64url(issued-at ms (8 bytes) | random (8 bytes) | HMAC-SHA-256 of
 * both, first 16 bytes). RFC 7616 §3.3 suggests a nonce of a time-stamp and a private-key hash so the server can
 * tell its own nonces from forged ones and expire them (then answering stale=true, §3.3 "stale").
 */
export type NonceState = 'valid' | 'stale' | 'invalid';

export interface NonceIssuerOptions {
  /** HMAC key; at least 16 bytes. */
  secret: Uint8Array;
  /** How long a nonce is accepted after issue. */
  lifetimeMs: number;
  /** Clock, injectable for tests. */
  now?: () => number;
}

const STAMP_BYTES = 8;
const RANDOM_BYTES = 8;
const MAC_BYTES = 16;
const NONCE_BYTES = STAMP_BYTES + RANDOM_BYTES + MAC_BYTES;

export class NonceIssuer {
  private readonly secret: Uint8Array;
  private readonly lifetimeMs: number;
  private readonly now: () => number;

  constructor(options: NonceIssuerOptions) {
    if (options.secret.length < 16) throw new RangeError('nonce secret must be at least 16 bytes');
    if (!(options.lifetimeMs > 0)) throw new RangeError('nonce lifetime must be positive');
    this.secret = options.secret;
    this.lifetimeMs = options.lifetimeMs;
    this.now = options.now ?? Date.now;
  }

  private mac(stampAndRandom: Uint8Array): Buffer {
    return createHmac('sha256', this.secret).update(stampAndRandom).digest().subarray(0, MAC_BYTES);
  }

  /** A fresh nonce. */
  issue(): string {
    const head = Buffer.alloc(STAMP_BYTES + RANDOM_BYTES);
    head.writeBigUInt64BE(BigInt(Math.floor(this.now())), 0);
    randomBytes(RANDOM_BYTES).copy(head, STAMP_BYTES);
    return Buffer.concat([head, this.mac(head)]).toString('base64url');
  }

  /** 'valid' for our unexpired nonce, 'stale' for our expired one, 'invalid' for anything else. */
  check(nonce: string): NonceState {
    if (!/^[A-Za-z0-9_-]+$/.test(nonce)) return 'invalid';
    const bytes = Buffer.from(nonce, 'base64url');
    if (bytes.length !== NONCE_BYTES) return 'invalid';
    const head = bytes.subarray(0, STAMP_BYTES + RANDOM_BYTES);
    if (!timingSafeEqual(bytes.subarray(STAMP_BYTES + RANDOM_BYTES), this.mac(head))) return 'invalid';
    const age = this.now() - Number(head.readBigUInt64BE(0));
    if (age < 0) return 'invalid';
    return age > this.lifetimeMs ? 'stale' : 'valid';
  }
}
