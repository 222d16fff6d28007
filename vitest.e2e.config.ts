// End-to-end suites that need system packages (Debian's Chromium and clickhouse-server) live under
// test/e2e and run with `npm run test:e2e`.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/e2e/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 300_000,
  },
});
