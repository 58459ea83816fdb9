import { defineConfig } from 'vitest/config';

/** `npm test`: the whole suite, as CI (.ci/run) runs it; `npm run test:unit` (vitest.unit.config.ts) needs no peers. */
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // test files run in parallel (forked workers). The interop files that start real peers (Kamailio, SIPp,
    // dnsmasq) on fixed loopback ports each use their own ports, so they can run beside one another.
    fileParallelism: true,
    pool: 'forks',
  },
});
