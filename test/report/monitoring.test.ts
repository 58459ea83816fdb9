import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  formatPerfNumber,
  MONITORING_EXIT_CODES,
  MonitoringFormatError,
  renderMonitoringLine,
  worstState,
  type PerfDatum,
} from '../../src/report/monitoring.js';

/**
 * The Monitoring Plugins project's own Perl parser (Debian package libmonitoring-plugin-perl,
 * Monitoring::Plugin::Performance->parse_perfstring) reads our perfdata back: an independent reader of the format.
 * It does not read "@" (inside-range) thresholds, which the unit tests above cover.
 */
const PERL_READER = `
use strict; use warnings; use Monitoring::Plugin::Performance;
local $/; my @lines = split /\\n/, <STDIN>;
for my $line (@lines) {
  my ($perf) = $line =~ /\\|\\s*(.*)$/;
  my @parsed = Monitoring::Plugin::Performance->parse_perfstring($perf // '');
  print join("\\t", map { join("\\x1f", $_->label, $_->value, $_->uom // '', $_->warning // '', $_->critical // '', $_->min // '', $_->max // '') } @parsed), "\\n";
}
`;

function readWithPerl(lines: string[]): string[][][] {
  const perl = spawnSync('perl', ['-e', PERL_READER], { input: `${lines.join('\n')}\n`, encoding: 'utf8', timeout: 30_000 });
  expect(perl.status, `${perl.stderr} (needs Debian package libmonitoring-plugin-perl)`).toBe(0);
  return perl.stdout
    .split('\n')
    .slice(0, lines.length)
    .map((row) => (row === '' ? [] : row.split('\t').map((datum) => datum.split('\x1f'))));
}

describe('renderMonitoringLine', () => {
  it('writes the line of the brief', () => {
    const line = renderMonitoringLine({
      service: 'SIP',
      state: 'OK',
      summary: '200 OK from sip:alice@127.0.0.1 in 12.3ms',
      perfdata: [
        { label: 'rtt', value: 12.3, uom: 'ms', min: 0 },
        { label: 'retrans', value: 0, warn: 1, min: 0 },
      ],
    });
    expect(line).toBe('SIP OK - 200 OK from sip:alice@127.0.0.1 in 12.3ms | rtt=12.3ms;;;0 retrans=0;1;;0');
  });

  it('keeps the summary on one line without the perfdata separator, and omits "|" without perfdata', () => {
    const line = renderMonitoringLine({ service: 'sip', state: 'CRITICAL', summary: 'no answer | from\r\n127.0.0.1\n', perfdata: [] });
    expect(line).toBe('SIP CRITICAL - no answer / from 127.0.0.1');
  });

  it('quotes labels with spaces or quotes, doubles inner single quotes, and replaces "=" (forbidden in labels)', () => {
    const line = renderMonitoringLine({
      service: 'SIP',
      state: 'WARNING',
      summary: 's',
      perfdata: [
        { label: 'rtt udp', value: 1.23456, uom: 'ms' },
        { label: 'a=b', value: 2 },
        { label: "it's", value: 3, uom: '%', warn: '10:', crit: '@1:3', min: 0, max: 100 },
      ],
    });
    expect(line).toBe("SIP WARNING - s | 'rtt udp'=1.235ms a_b=2 'it''s'=3%;10:;@1:3;0;100");
  });

  it('writes numbers in the C locale without exponents, and U for an unknown value', () => {
    expect(formatPerfNumber(1e-7)).toBe('0');
    expect(formatPerfNumber(1e21)).toBe('1000000000000000000000');
    expect(formatPerfNumber(-0.0001)).toBe('0');
    expect(formatPerfNumber(-2.5)).toBe('-2.5');
    expect(formatPerfNumber(Number.NaN)).toBe('U');
    expect(renderMonitoringLine({ service: 'SIP', state: 'UNKNOWN', summary: 'x', perfdata: [{ label: 'rtt', value: Number.NaN, uom: 'ms' }] })).toBe('SIP UNKNOWN - x | rtt=U');
  });

  it('refuses malformed thresholds and empty labels with a typed error', () => {
    for (const datum of [{ label: 'x', value: 1, warn: '1;2' }, { label: 'x', value: 1, crit: 'high' }, { label: '', value: 1 }] as PerfDatum[]) {
      let caught: unknown;
      try {
        renderMonitoringLine({ service: 'SIP', state: 'OK', summary: 's', perfdata: [datum] });
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(MonitoringFormatError);
      expect((caught as MonitoringFormatError).code).toMatch(/^monitoring-/);
    }
  });

  it('maps states to exit codes and picks the worst state', () => {
    expect(MONITORING_EXIT_CODES).toEqual({ OK: 0, WARNING: 1, CRITICAL: 2, UNKNOWN: 3 });
    expect(worstState([])).toBe('OK');
    expect(worstState(['OK', 'UNKNOWN'])).toBe('UNKNOWN');
    expect(worstState(['UNKNOWN', 'WARNING', 'OK'])).toBe('WARNING');
    expect(worstState(['WARNING', 'CRITICAL', 'UNKNOWN'])).toBe('CRITICAL');
  });
});

describe('perfdata read back by Monitoring::Plugin::Performance (property)', () => {
  it('labels, values, units and thresholds survive', () => {
    // Labels: printable text with spaces and "="; without "'" (the guidelines' doubled quote is not read by this
    // parser) and without leading/trailing spaces (it trims them).
    const label = fc.string({ minLength: 1, maxLength: 12 }).filter((text) => /^[\x20-\x7e]+$/.test(text) && !/[|']/.test(text) && text.trim() === text);
    const datum: fc.Arbitrary<PerfDatum> = fc.record(
      {
        label,
        value: fc.double({ min: -1e6, max: 1e6, noNaN: true }),
        uom: fc.constantFrom<PerfDatum['uom']>('', 's', 'ms', 'us', '%', 'B', 'KB', 'c'),
        warn: fc.oneof(fc.integer({ min: 0, max: 1000 }), fc.constantFrom('10:', '~:5', '5:20', '-5:-1')),
        crit: fc.integer({ min: 0, max: 1000 }),
        min: fc.integer({ min: -10, max: 0 }),
        max: fc.integer({ min: 1, max: 1000 }),
      },
      { requiredKeys: ['label', 'value'] },
    );
    const samples = fc.sample(fc.array(datum, { minLength: 1, maxLength: 5 }), { numRuns: 200, seed: 3261 });
    const lines = samples.map((perfdata) => renderMonitoringLine({ service: 'SIP', state: 'OK', summary: 'check', perfdata }));
    const parsed = readWithPerl(lines);
    samples.forEach((perfdata, index) => {
      const expected = perfdata.map((one) => [
        one.label.replace(/=/g, '_'),
        formatPerfNumber(one.value),
        one.uom ?? '',
        one.warn === undefined ? '' : String(one.warn),
        one.crit === undefined ? '' : String(one.crit),
        one.min === undefined ? '' : String(one.min),
        one.max === undefined ? '' : String(one.max),
      ]);
      expect(parsed[index], lines[index]).toEqual(expected);
    });
  });
});
