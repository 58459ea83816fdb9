/**
 * The timeline's lanes per credential: registrations (2xx to REGISTER) and 403s per username, as tshark's field
 * output counts them (one per Call-ID, CSeq and status over all hops; a REGISTER's user is its To user, another
 * request's the From user, which is the credential's username in these recordings).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tsharkFields } from '../../analysis/capture-helpers.js';
import { REVOCATION_TCP, REVOCATION_UDP, runCli } from '../../cli/analysis-cli-helpers.js';
import { reportDataOf } from './report-file.js';

const dir = mkdtempSync(join(tmpdir(), 'sipscope-lanes-'));

function expectedLanes(capture: string): Record<string, { registrations: number; forbidden: number }> {
  const rows = tsharkFields(capture, 'sip.Status-Code == 403 || (sip.CSeq.method == "REGISTER" && sip.Status-Code >= 200 && sip.Status-Code < 300)', [
    'sip.Call-ID',
    'sip.CSeq.seq',
    'sip.CSeq.method',
    'sip.Status-Code',
    'sip.to.user',
    'sip.from.user',
  ]);
  const seen = new Set<string>();
  const lanes: Record<string, { registrations: number; forbidden: number }> = {};
  for (const [callId, seq, method, status, toUser, fromUser] of rows) {
    const key = `${callId} ${seq} ${method} ${status}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const user = method === 'REGISTER' ? toUser : fromUser;
    lanes[user] ??= { registrations: 0, forbidden: 0 };
    if (status === '403') lanes[user].forbidden++;
    else lanes[user].registrations++;
  }
  return lanes;
}

describe('timeline lanes', () => {
  it.each([REVOCATION_UDP, REVOCATION_TCP])('count registrations and 403s per credential as tshark does (%s)', async (capture) => {
    const output = join(dir, `${capture.split('/').pop()}.html`);
    expect((await runCli(['report', capture, '-o', output])).code).toBe(0);
    const lanes = reportDataOf(output).timeline.lanes;
    const drawn = Object.fromEntries(lanes.map((lane) => [lane.username, { registrations: lane.registrationCount, forbidden: lane.forbiddenCount }]));
    const expected = expectedLanes(capture);
    expect(expected.alice.forbidden).toBeGreaterThan(0);
    expect(drawn).toEqual(expected);
    expect(lanes[0].username).toBe('alice'); // the revoked credential first, its revocation marked
    expect(lanes[0].revokedUs).toBeDefined();
  });
});
