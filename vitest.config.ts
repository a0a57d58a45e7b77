import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts', 'test/integration/**/*.test.ts'],
    globalSetup: ['test/global-teardown.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Integration suites start pcscd, socat and servers: keep them from fighting over the two cores.
    fileParallelism: true,
    maxWorkers: 2,
  },
});
