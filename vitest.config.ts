// Three projects. `npm test` runs the two fast ones: `fast-compile` (the suites that only compile
// programs with the transformer and run them in child processes: fixtures, goldens, emit fidelity,
// the differential corpus) and `fast` (everything else that runs in seconds: the runtime in
// process, the collector, the stores, analytics). `fast-compile` shares one module graph per
// worker (isolate: false), so TypeScript and the library and @types files it parses
// (test/helpers/compile.ts) are loaded once per worker instead of once per file: about a third of
// the CPU time for those files. Suites that change the runtime's global state in process stay
// isolated in `fast`.
// `slow` is `npm run test:slow` (and `.ci/run`): the suites that spend their time in real
// processes doing real work at scale — faults (SIGKILL under load, an outage, spool adoption), ten
// thousand hostile requests, the property test over hundreds of concurrent tasks, the ts-patch
// routes and the other real build routes (the bundlers, `npm start`'s tspc build).
// A file named on the command line runs in whichever project holds it:
// `npx vitest run server/test/faults.test.ts`. End-to-end suites that need system packages have
// their own config (vitest.e2e.config.ts).
import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

const slow = [
  'server/test/faults.test.ts',
  'server/test/hostile-input.test.ts',
  'server/test/quick-start.test.ts',
  'test/property/concurrency.test.ts',
  'test/ts-patch-routes.test.ts',
  'fixtures/bundler-app/behaviour.test.ts',
];

const compileOnly = [
  'fixtures/**/*.test.ts',
  'test/golden.test.ts',
  'test/golden-invariants.test.ts',
  'test/emit-fidelity.test.ts',
  'test/semantics/**/*.test.ts',
  'test/transformer/**/*.test.ts',
  'test/test-loop.test.ts',
];

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // At least two files at once, also on two cores (vitest's default there is one): most suites
    // spend much of their time waiting on child processes (the collector, compiled programs), which
    // leaves a core idle with one. On CI's two cores `npm test`'s tests took 224 s with two, where
    // they had taken 538 s with one (with the lighter merge attack and faster guarded series too).
    maxWorkers: Math.max(2, availableParallelism() - 1),
    projects: [
      {
        extends: true,
        test: {
          name: 'fast',
          include: ['test/**/*.test.ts', 'server/test/**/*.test.ts'],
          exclude: ['**/node_modules/**', 'test/e2e/**', 'server/test/e2e/**', ...compileOnly, ...slow],
        },
      },
      {
        extends: true,
        test: {
          name: 'fast-compile',
          include: compileOnly,
          exclude: ['**/node_modules/**', ...slow],
          isolate: false,
        },
      },
      {
        extends: true,
        // One file at a time: its suites load the machine on purpose (SIGKILL under load, 10,000
        // hostile requests) and time what they see.
        test: { name: 'slow', include: slow, maxWorkers: 1 },
      },
    ],
  },
});
