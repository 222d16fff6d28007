// The real projects run by bench/real-apps/run.mjs: pinned npm releases that ship their sources and
// their own test suites. Only build configuration is ours (their repositories' tsconfig is not in
// the tarball); their code and tests are used as published. A project's `readsSourceText` would
// name tests that fail only because they read back a function's source text; none does, since
// `fn.toString()` returns the plain build's text (fastify names anonymous plugins by it).
import { join } from 'node:path';

/**
 * A CommonJS package in JavaScript: its entry file and the `.js` files of `directories` as
 * published, through the transformer under allowJs, written back in place (its tests require them
 * by path).
 */
function commonJsBuild(entry, directories) {
  return (ts, directory, original) => ({
    rootNames: [join(original, entry), ...directories.flatMap((name) => ts.sys.readDirectory(join(original, name), ['.js']))],
    options: {
      allowJs: true, checkJs: false, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS, moduleResolution: ts.ModuleResolutionKind.Node10,
      skipLibCheck: true, lib: ['lib.es2022.d.ts'], types: ['node'], typeRoots: [join(directory, 'node_modules/@types')], rootDir: original, outDir: directory,
    },
  });
}

export const projects = [
  {
    name: 'piscina',
    spec: 'piscina@5.3.2',
    kind: 'a library (worker-thread pool), TypeScript',
    // Linters, Jest (a second runner for the same suite) and benchmarking tools are not needed to run the tests.
    drop: ['eslint', 'neostandard', 'jest', 'ts-jest', '@types/jest', 'bench-node', 'gen-esm-wrapper'],
    test: ['node', ['scripts/run-tests.js']],
    // As the project's `tsc` build does (ES2019 output, CommonJS, declarations), into dist/ where
    // the tests and the published entry points load it.
    build: (ts, directory) => ({
      rootNames: ts.sys.readDirectory(join(directory, 'src'), ['.ts'], ['**/*.d.ts']),
      options: {
        target: ts.ScriptTarget.ES2019, module: ts.ModuleKind.CommonJS, moduleResolution: ts.ModuleResolutionKind.Node10,
        strict: true, esModuleInterop: true, declaration: true, sourceMap: true, resolveJsonModule: true, skipLibCheck: true,
        lib: ['lib.es2022.d.ts'], types: ['node'], typeRoots: [join(directory, 'node_modules/@types')], rootDir: join(directory, 'src'), outDir: join(directory, 'dist'),
      },
    }),
    demo: 'piscina-demo',
  },
  {
    name: 'fastify',
    spec: 'fastify@5.12.8',
    kind: 'a web framework, JavaScript (allowJs)',
    drop: ['@stylistic/eslint-plugin', '@stylistic/eslint-plugin-js', 'eslint', 'neostandard', 'markdownlint-cli2', 'tstyche', 'autocannon', 'branch-comparer', 'concurrently', 'cross-env', 'h2url', 'fastify-tsconfig'],
    test: ['npx', ['borp', '--reporter=tap']],
    // fastify.js and lib/ as published, rewritten in place (the tests require them by path).
    // The tests go through the transformer too: 1,600 more async functions, written by others.
    sources: ['fastify.js', 'lib', 'test'],
    build: commonJsBuild('fastify.js', ['lib', 'test']),
    demo: 'fastify-demo',
  },
  {
    name: 'multipart',
    spec: '@fastify/multipart@10.1.9',
    kind: 'a fastify plugin (uploads: async generators, streams, async hooks), JavaScript (allowJs)',
    // Linters, type tests, coverage and the memory profiler are not needed to run the tests.
    drop: ['eslint', 'neostandard', 'tstyche', 'c8', 'climem', 'benchmark'],
    // Its `test:unit` is `c8 --100 node --test`: the same runner, without the coverage gate.
    test: ['node', ['--test', '--test-reporter=tap']],
    // Its tests go through the transformer too.
    sources: ['index.js', 'lib', 'test'],
    build: commonJsBuild('index.js', ['lib', 'test']),
    demo: 'multipart-demo',
  },
];
