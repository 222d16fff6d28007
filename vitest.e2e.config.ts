// End-to-end suites that need system packages (Chromium, ClickHouse) live under test/e2e and run
// with `npm run test:e2e`; the transformer and runtime issue adds none yet.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/e2e/**/*.test.ts'],
    passWithNoTests: true,
    testTimeout: 120_000,
    hookTimeout: 300_000,
  },
});
