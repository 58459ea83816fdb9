/**
 * `npm run test:unit`: the tests that need no peer program, for contributors and editors without the Debian peers
 * (Kamailio, SIPp, sipsak, tshark, editcap/mergecap/capinfos, sngrep, dnsmasq, perl Monitoring::Plugin). Left out:
 * everything under test/interop/, and every other test file that runs a peer itself or through one of the test
 * helpers that do (PEER_HELPERS). `npm test` (vitest.config.ts) runs them all, as CI does.
 *
 * The selection is computed from the test sources, so a new test that calls `execFileSync('tshark', ...)` leaves
 * the unit run by itself; a new test helper that runs a peer must be named in PEER_HELPERS.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { defineConfig, mergeConfig } from 'vitest/config';
import base from './vitest.config.js';

const PEER_PROGRAMS = ['tshark', 'editcap', 'mergecap', 'capinfos', 'sipsak', 'sipp', 'sngrep', 'kamailio', 'tcpdump', 'dnsmasq', 'chromium', 'perl'];
/** Test helpers that run a peer program (test/analysis/capture-helpers.ts, test/capture/*.ts, test/report/html-chromium/chromium.ts, test/cli/hep-datagrams.ts). */
const PEER_HELPERS = ['tsharkFields', 'tsharkSip', 'ringOf', 'dealFrames', 'frameCount', 'launchChromium', 'hepDatagrams'];

const runsPeer = new RegExp(
  `\\b(?:execFileSync|execFile|spawnSync|spawn|execSync)\\(\\s*['"\`](?:${PEER_PROGRAMS.join('|')})\\b|\\b(?:${PEER_HELPERS.join('|')})\\(`,
);

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return testFiles(path);
    return entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

const root = import.meta.dirname;
const needsPeers = testFiles(join(root, 'test'))
  .filter((path) => runsPeer.test(readFileSync(path, 'utf8')))
  .map((path) => relative(root, path));

export default mergeConfig(
  base,
  defineConfig({
    test: {
      exclude: ['test/interop/**', ...needsPeers],
    },
  }),
);
