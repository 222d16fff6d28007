#!/usr/bin/env node
// The `logmill` command. This file is committed (not a build output), so `npx logmill` works in a
// fresh clone and from the installed package alike. `logmill instrument` is this package's own
// (the transformer on the TypeScript Logmill depends on); every other command (serve, query, tail,
// migrate, ...) belongs to the collector, `@logmill/server`, found next to this package or in the
// current project.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);
const [command, ...rest] = process.argv.slice(2);

if (command === 'instrument') {
  let cli;
  try {
    cli = require('../dist/cjs/transformer/cli.js');
  } catch (error) {
    console.error(`logmill: the package is not built (${error.message.split('\n')[0]}); in a clone of the repository run npm run build (npm start does)`);
    process.exit(1);
  }
  process.exitCode = cli.instrumentMain(rest);
} else {
  const collector = findCollector();
  if (collector === 'unbuilt') {
    console.error('logmill: @logmill/server is there but not built; in a clone of the repository run npm run build (npm start does)');
    process.exit(1);
  }
  if (collector === undefined && (command === '--version' || command === '-V')) {
    console.log(`logmill ${require('../package.json').version} (Node ${process.versions.node}; the collector, @logmill/server, is not installed)`);
    process.exit(0);
  }
  if (collector === undefined) {
    const what = command === undefined || command.startsWith('-') ? 'The collector commands (serve, query, tail, migrate, ...) come' : `logmill ${command} comes`;
    // `logmill` alone asks what there is: the answer on stdout, exit 0; a collector command is an error.
    (command === undefined ? console.log : console.error)([
      `${what} with the collector package: npm install @logmill/server`,
      'This package alone provides: logmill instrument <src> --out <dir>   (logmill instrument --help)',
    ].join('\n'));
    process.exit(command === undefined ? 0 : 1);
  }
  await import(pathToFileURL(collector).href);
}

/** The collector's entry, 'unbuilt' when its package is there without its build, or undefined. */
function findCollector() {
  let unbuilt = false;
  for (const base of [import.meta.url, pathToFileURL(join(process.cwd(), 'package.json')).href]) {
    const resolveFrom = createRequire(base);
    try {
      const entry = resolveFrom.resolve('@logmill/server/cli');
      if (existsSync(entry)) return entry;
      unbuilt = true;
    } catch {
      // not installed there (or, in a clone, not built: its exports point at a missing dist/)
      try {
        resolveFrom.resolve('@logmill/server/package.json');
        unbuilt = true;
      } catch {
        // not installed there
      }
    }
  }
  return unbuilt ? 'unbuilt' : undefined;
}
