/**
 * Every capture under fixtures/captures/ with a NAME.expected.json beside it (derived by tshark, see
 * fixtures/captures/public/README.md) must decode to exactly the SIP messages tshark found: message count,
 * requests per method, responses per code, Call-IDs, and Call-IDs of re-INVITEs answered 403 — counted the way
 * expected-from-tshark.sh counts them.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeCaptures } from '../../src/capture/decode.js';
import type { DecodeIssue } from '../../src/capture/types.js';
import { getHeader, parseMessage } from '../../src/sip/index.js';

const root = join(import.meta.dirname, '../../fixtures/captures');

interface Expected {
  sipMessages: number;
  requests: Record<string, number>;
  responses: Record<string, number>;
  callIds: string[];
  reinviteForbiddenCallIds?: string[];
}

function expectedFiles(dir: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...expectedFiles(path));
    // NAME.expected.json beside a capture NAME (other helpers' NAME.analysis.expected.json etc. are not ours)
    else if (entry.name.endsWith('.expected.json') && existsSync(path.slice(0, -'.expected.json'.length))) found.push(path);
  }
  return found.sort();
}

/** Mirrors expected-from-tshark.sh: per message, method or status, Call-ID, and the re-INVITE/403 pairing key. */
async function countLikeTshark(capture: string): Promise<Expected & { issues: DecodeIssue[] }> {
  const requests: Record<string, number> = {};
  const responses: Record<string, number> = {};
  const callIds = new Set<string>();
  const reinvites = new Set<string>();
  const forbidden = new Set<string>();
  const issues: DecodeIssue[] = [];
  let sipMessages = 0;
  await decodeCaptures([capture], {
    payload(payload) {
      sipMessages++;
      const message = parseMessage(payload.bytes);
      const callId = getHeader(message, 'call-id') ?? '';
      if (callId) callIds.add(callId);
      const [cseqNumber = '', cseqMethod = ''] = (getHeader(message, 'cseq') ?? '').split(/\s+/);
      const key = `${callId}\u0000${cseqNumber}`;
      if (message.kind === 'request') {
        requests[message.method] = (requests[message.method] ?? 0) + 1;
        if (message.method === 'INVITE' && /;\s*tag=/i.test(getHeader(message, 'to') ?? '')) reinvites.add(key);
      } else {
        responses[String(message.status)] = (responses[String(message.status)] ?? 0) + 1;
        if (message.status === 403 && cseqMethod === 'INVITE') forbidden.add(key);
      }
    },
    issue: (issue) => issues.push(issue),
  });
  const reinviteForbiddenCallIds = [...new Set([...reinvites].filter((key) => forbidden.has(key)).map((key) => key.split('\u0000')[0]))].sort();
  return { sipMessages, requests, responses, callIds: [...callIds].sort(), reinviteForbiddenCallIds, issues };
}

describe('captures agree with tshark', () => {
  const files = expectedFiles(root);
  it('finds the public captures', () => {
    expect(files.length).toBeGreaterThanOrEqual(11);
  });
  for (const expectedPath of files) {
    const capture = expectedPath.slice(0, -'.expected.json'.length);
    it(relative(root, capture), async () => {
      const expected = JSON.parse(readFileSync(expectedPath, 'utf8')) as Expected;
      const got = await countLikeTshark(capture);
      expect({ sipMessages: got.sipMessages, requests: got.requests, responses: got.responses }).toEqual({
        sipMessages: expected.sipMessages,
        requests: expected.requests,
        responses: expected.responses,
      });
      expect(got.callIds).toEqual(expected.callIds);
      if (expected.reinviteForbiddenCallIds !== undefined) expect(got.reinviteForbiddenCallIds).toEqual(expected.reinviteForbiddenCallIds);
    }, 60_000);
  }
});
