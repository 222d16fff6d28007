// Two projects. `fast` is `npm test`: every unit, behavioural, golden and collector suite that runs
// in seconds. `slow` is `npm run test:slow` (and `.ci/run`): the suites that spend their time in
// real processes doing real work at scale — faults (SIGKILL under load, an outage, spool adoption),
// ten thousand hostile requests, the property test over hundreds of concurrent tasks, the ts-patch
// routes and the other real build routes (the bundlers, `npm start`'s tspc build). A file named on
// the command line runs in whichever project holds it: `npx vitest run server/test/faults.test.ts`.
// End-to-end suites that need system packages have their own config (vitest.e2e.config.ts).
import { defineConfig } from 'vitest/config';

const slow = [
  'server/test/faults.test.ts',
  'server/test/hostile-input.test.ts',
  'server/test/quick-start.test.ts',
  'test/property/concurrency.test.ts',
  'test/ts-patch-routes.test.ts',
  'fixtures/bundler-app/behaviour.test.ts',
];

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'fast',
          include: ['test/**/*.test.ts', 'fixtures/**/*.test.ts', 'server/test/**/*.test.ts'],
          exclude: ['**/node_modules/**', 'test/e2e/**', 'server/test/e2e/**', ...slow],
        },
      },
      {
        extends: true,
        test: { name: 'slow', include: slow },
      },
    ],
  },
});
