import { describe, expect, it } from 'vitest';
import { BRANCH_MAGIC_COOKIE, newBranch, parseVia, randomHex, randomToken } from '../../src/sip/index.js';

describe('sip identifiers (RFC 3261 §8.1.1.7, §19.3)', () => {
  it('a branch starts with the magic cookie, parses as a Via branch, and is unique across pool refills', () => {
    const seen = new Set<string>();
    // 4 KiB pool, 10 bytes a branch: 2,000 branches cross several refills
    for (let i = 0; i < 2000; i++) {
      const branch = newBranch();
      expect(branch.startsWith(BRANCH_MAGIC_COOKIE)).toBe(true);
      expect(parseVia(`SIP/2.0/UDP 127.0.0.1:5060;branch=${branch}`)[0].branch).toBe(branch);
      seen.add(branch);
    }
    expect(seen.size).toBe(2000);
  });

  it('tokens are lower-case hex of the asked length, 32 bits of randomness at least for tags', () => {
    expect(randomToken(6)).toMatch(/^[0-9a-f]{12}$/);
    expect(randomToken()).toMatch(/^[0-9a-f]{16}$/);
    expect(randomHex(3)).toMatch(/^[0-9a-f]{6}$/);
    expect(new Set(Array.from({ length: 500 }, () => randomToken(6))).size).toBe(500);
  });
});
