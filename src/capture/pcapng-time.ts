/**
 * pcapng timestamps (draft-ietf-opsawg-pcapng §4.6 if_tsresol, if_tsoffset): a 64-bit count of units since the
 * epoch, the unit 10^-n or 2^-n seconds. Converted to microseconds without losing precision in doubles.
 */

export interface InterfaceClock {
  /** 'decimal': unit is 10^-exponent s; 'binary': 2^-exponent s. */
  base: 'decimal' | 'binary';
  exponent: number;
  offsetUs: number;
}

export function interfaceClock(tsresol: number, offsetSeconds: number): InterfaceClock {
  const binary = (tsresol & 0x80) !== 0;
  return { base: binary ? 'binary' : 'decimal', exponent: tsresol & 0x7f, offsetUs: offsetSeconds * 1e6 };
}

const TWO_POW_32 = 4294967296;

/** Writes `timeUs` and `timeExtraNs` of `into` from the 64-bit timestamp `high:low`. */
export function toMicroseconds(clock: InterfaceClock, high: number, low: number, into: { timeUs: number; timeExtraNs: number }): void {
  const exponent = clock.exponent;
  into.timeExtraNs = 0;
  if (clock.base === 'decimal' && exponent === 6) {
    into.timeUs = high * TWO_POW_32 + low + clock.offsetUs;
  } else if (clock.base === 'decimal' && exponent < 6) {
    into.timeUs = (high * TWO_POW_32 + low) * 10 ** (6 - exponent) + clock.offsetUs;
  } else if (clock.base === 'decimal' && exponent <= 12) {
    // units / d with d = 10^(exponent-6) <= 10^6: split the high word so every product stays below 2^53
    const divisor = 10 ** (exponent - 6);
    const highQuotient = Math.floor(high / divisor);
    const rest = (high % divisor) * TWO_POW_32 + low;
    into.timeUs = highQuotient * TWO_POW_32 + Math.floor(rest / divisor) + clock.offsetUs;
    const leftoverUnits = rest % divisor;
    into.timeExtraNs = exponent <= 9 ? leftoverUnits * 10 ** (9 - exponent) : Math.floor(leftoverUnits / 10 ** (exponent - 9));
  } else {
    const units = (BigInt(high) << 32n) | BigInt(low);
    const perSecond = clock.base === 'binary' ? 1n << BigInt(exponent) : 10n ** BigInt(exponent);
    const nanoseconds = (units * 1_000_000_000n) / perSecond;
    into.timeUs = Number(nanoseconds / 1000n) + clock.offsetUs;
    into.timeExtraNs = Number(nanoseconds % 1000n);
  }
}
