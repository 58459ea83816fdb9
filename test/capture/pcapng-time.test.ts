/** pcapng timestamp units (if_tsresol powers of 10 and of 2, if_tsoffset) to microseconds, exactly. */
import { describe, expect, it } from 'vitest';
import { interfaceClock, toMicroseconds } from '../../src/capture/pcapng-time.js';

function convert(tsresol: number, units: bigint, offsetSeconds = 0): { timeUs: number; timeExtraNs: number } {
  const into = { timeUs: 0, timeExtraNs: 0 };
  toMicroseconds(interfaceClock(tsresol, offsetSeconds), Number(units >> 32n), Number(units & 0xffffffffn), into);
  return into;
}

/** Reference in BigInt: units * 10^9 / units-per-second, split into microseconds and the nanoseconds past them. */
function reference(perSecond: bigint, units: bigint, offsetSeconds = 0n): { timeUs: number; timeExtraNs: number } {
  const ns = (units * 1_000_000_000n) / perSecond + offsetSeconds * 1_000_000_000n;
  return { timeUs: Number(ns / 1000n), timeExtraNs: Number(ns % 1000n) };
}

describe('pcapng timestamps', () => {
  const instants = [0n, 1n, 1_700_000_000_123_456_789n, 1_999_999_999_999_999_999n];
  for (const exponent of [0, 3, 6, 7, 9, 12, 15]) {
    it(`10^-${exponent} s units`, () => {
      for (const seconds of instants) {
        const units = (seconds * 10n ** BigInt(exponent)) / 1_000_000_000n;
        if (units >= 2n ** 64n) continue;
        const got = convert(exponent, units);
        const want = reference(10n ** BigInt(exponent), units);
        expect(got.timeUs).toBe(want.timeUs);
        if (exponent <= 9) expect(got.timeExtraNs).toBe(want.timeExtraNs);
      }
    });
  }
  for (const exponent of [10, 20, 30]) {
    it(`2^-${exponent} s units`, () => {
      const units = (1_700_000_000_123_456_789n << BigInt(exponent)) / 1_000_000_000n;
      expect(convert(0x80 | exponent, units)).toEqual(reference(1n << BigInt(exponent), units));
    });
  }
  it('adds if_tsoffset seconds', () => {
    expect(convert(6, 1_000_000n, 1_700_000_000)).toEqual({ timeUs: 1_700_000_001_000_000, timeExtraNs: 0 });
  });
});
