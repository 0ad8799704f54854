import { defineConfig } from 'vitest/config';

// The checker's own tests. The conformance suites (suites/*.suite.ts) are not tests of this project: the
// runner starts them against a target, so they are left out here.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    maxWorkers: 2,
  },
});
