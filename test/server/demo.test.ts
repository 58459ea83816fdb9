/**
 * scripts/demo.mjs, the Node-only revocation story proposed as the README's first command: it must finish well under
 * 30 s, exit 0 (analyze named exactly the revoked caller's calls), and show each step.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { expect, test } from 'vitest';

test('scripts/demo.mjs: serve, four calls, alice revoked, analyze finds exactly her calls, in under 30 s', () => {
  const started = Date.now();
  const result = spawnSync(process.execPath, [path.resolve('scripts/demo.mjs')], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, NO_COLOR: '1' } });
  const elapsed = Date.now() - started;
  expect(result.status, `${result.stdout}\n${result.stderr}`).toBe(0);
  expect(elapsed).toBeLessThan(30_000);
  expect(result.stdout.match(/alice's (UDP|TCP) call \S+: exit 1 \(revoked: refresh \d+ got 403 Forbidden/g)).toHaveLength(2);
  expect(result.stdout.match(/bob's (UDP|TCP) call \S+: exit 0 \(bye/g)).toHaveLength(2);
  expect(result.stdout).toMatch(/calls damaged \(2\)/);
  expect(result.stdout).toMatch(/analyze found exactly alice's 2 calls damaged by the revocation, and none of bob's/);
}, 60_000);
