import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'fixtures/**/*.test.ts', 'server/test/**/*.test.ts'],
    exclude: ['**/node_modules/**', 'test/e2e/**', 'server/test/e2e/**'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
