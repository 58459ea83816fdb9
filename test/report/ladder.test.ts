import { Chalk } from 'chalk';
import { describe, expect, it } from 'vitest';
import { PLAIN_STYLE } from '../../src/report/analysis-style.js';
import { renderLadder, type LadderMessage } from '../../src/report/ladder.js';

const caller = { ip: '127.0.0.11', port: 5060 };
const proxy = { ip: '127.0.0.1', port: 5060 };
const callee = { ip: '::1', port: 5062 };

function message(packetNumber: number, src: typeof caller, dst: typeof caller, firstLine: string, extra: Partial<LadderMessage> = {}): LadderMessage {
  return { packetNumber, timeUs: 1_000_000 + packetNumber * 1500, src, dst, firstLine, retransmission: false, ...extra };
}

const flow = [
  message(1, caller, proxy, 'INVITE sip:carol@x SIP/2.0'),
  message(2, proxy, callee, 'INVITE sip:carol@x SIP/2.0'),
  message(3, callee, proxy, 'SIP/2.0 200 OK', { status: 200 }),
  message(4, caller, proxy, 'INVITE sip:carol@x SIP/2.0'),
  message(5, proxy, caller, 'SIP/2.0 403 Forbidden', { status: 403 }),
  message(6, proxy, caller, 'SIP/2.0 403 Forbidden', { status: 403, retransmission: true }),
];

describe('ladder', () => {
  it('one column per endpoint in order of appearance, IPv6 bracketed', () => {
    const header = renderLadder(flow, PLAIN_STYLE).split('\n')[0];
    expect(header.indexOf('127.0.0.11:5060')).toBeLessThan(header.indexOf('127.0.0.1:5060'));
    expect(header.indexOf('127.0.0.1:5060')).toBeLessThan(header.indexOf('[::1]:5062'));
  });

  it('a label too long for its lane keeps its start and its end (IPv6 endpoints of one /64 stay apart)', () => {
    const a = { ip: 'fd17:625c:f037:2:a00:27ff:feb9:1521', port: 15060 };
    const b = { ip: 'fd17:625c:f037:2:a00:27ff:feb9:3519', port: 5062 };
    const header = renderLadder([message(1, a, b, 'INVITE sip:x SIP/2.0')], PLAIN_STYLE).split('\n')[0];
    const lanes = header.trim().split(/\s{2,}/);
    expect(lanes).toEqual(['[fd17:625c:f0…b9:1521]:15060', '[fd17:625c:f0…eb9:3519]:5062']);
  });

  it('arrows point from sender to receiver, with the start line above and the time offset', () => {
    const lines = renderLadder(flow, PLAIN_STYLE).split('\n');
    expect(lines[1]).toMatch(/^#1\s+\|\s+INVITE sip:carol@x SIP\/2\.0/);
    expect(lines[2]).toMatch(/^\+0\.000000\s+\|-+>\|/);
    expect(lines[6]).toMatch(/^\+0\.003000\s+\|\s+\|<-+\|$/);
    expect(lines[10]).toMatch(/^\+0\.006000\s+!!\s+\|<-+\|/);
  });

  it('403 marked !! on both of its lines, red with colour; retransmissions say so', () => {
    const plain = renderLadder(flow, PLAIN_STYLE).split('\n');
    expect(plain.filter((line) => line.includes('!!'))).toHaveLength(4);
    expect(plain[11]).toContain('(retransmission)');
    const coloured = renderLadder(flow, new Chalk({ level: 1 })).split('\n');
    expect(coloured[9]).toContain('\u001b[31m');
    expect(coloured[1]).not.toContain('\u001b[31m');
  });

  it('long start lines are cut', () => {
    const long = renderLadder([message(1, caller, proxy, `INVITE sip:${'a'.repeat(200)}@x SIP/2.0`)], PLAIN_STYLE, { maxLabel: 40 });
    expect(long.split('\n')[1]).toContain('…');
    expect(long.split('\n')[1].length).toBeLessThan(100);
  });
});
