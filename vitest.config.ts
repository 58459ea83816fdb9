import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // interop tests start real peers (Kamailio, SIPp) on fixed loopback ports: keep files sequential there
    fileParallelism: true,
    pool: 'forks',
  },
});
