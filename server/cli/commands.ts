/**
 * The `logmill` command. `logmill serve` starts the collector on the embedded DuckDB store.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, InvalidArgumentError } from 'commander';
import { experiment, funnel, query } from './analytics-commands.js';
import { count } from './count.js';
import { tail } from './tail.js';
import { deadLetters, erase, exportUser } from './gdpr.js';

function port(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 0 || number > 65535) throw new InvalidArgumentError('must be a port number (0-65535)');
  return number;
}

function positive(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) throw new InvalidArgumentError('must be a positive integer');
  return number;
}

/** The version in the nearest package.json named `name` at or above `from` (a file URL). */
function packageVersion(from: string, name: string): string {
  let directory = dirname(fileURLToPath(from));
  for (;;) {
    try {
      const manifest = JSON.parse(readFileSync(join(directory, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (manifest.name === name && manifest.version !== undefined) return manifest.version;
    } catch {
      // no package.json here: keep walking up
    }
    const parent = dirname(directory);
    if (parent === directory) return 'unknown';
    directory = parent;
  }
}

/** The collector's version, and the logmill package's and Node's it runs with. */
function versions(): string {
  let runtime = 'not found';
  try {
    runtime = packageVersion(import.meta.resolve('logmill'), 'logmill');
  } catch {
    // not resolvable from here: the collector's own version still prints
  }
  return `@logmill/server ${packageVersion(import.meta.url, '@logmill/server')} (logmill ${runtime}, Node ${process.versions.node})`;
}

const program = new Command('logmill').description('Logmill collector and tools');
program.version(versions(), '-V, --version', 'print the versions and exit');
program
  .command('serve')
  .description('run the collector: HTTP ingest, validation, scrubbing, dedup, durable storage')
  .option('-c, --config <file>', 'JSON config file (keys, origins, limits, scrubbing)')
  .option('-d, --data <dir>', 'data directory for the DuckDB store, keys, salt and audit log, kept mode 0700 (default ./logmill-data; ~/ is the home directory)')
  .option('-s, --store <url>', 'store events in ClickHouse instead: clickhouse://host:8123/database, on a cluster ?cluster=NAME[&nodes=host:8123,...] (default: the embedded DuckDB store)')
  .option('-p, --port <port>', 'port to listen on (default 4318)', port)
  .option('-H, --host <host>', 'address to listen on (default 127.0.0.1)')
  .action(async (options: { config?: string; data?: string; store?: string; port?: number; host?: string }) => {
    // Loaded only for serve: the other commands are HTTP clients and start without DuckDB and fastify.
    const { serve } = await import('./serve.js');
    await serve(options);
  });

program
  .command('instrument')
  .description('rewrite a source tree with the Logmill transformer (on the TypeScript the logmill package depends on) into JavaScript with source maps, for builds whose compiler has no transformer hook')
  .argument('<src>', 'the source directory')
  .requiredOption('-o, --out <dir>', 'the output directory')
  .option('-p, --project <tsconfig>', 'the tsconfig.json (default: the nearest at or above <src>)')
  .option('--no-stack', 'context variables only, no logical stack frames')
  .action(async (source: string, options: { out: string; project?: string; stack: boolean }) => {
    // The logmill package's own command (bin/logmill.js answers it before reaching this file).
    const { instrumentCommand } = await import('logmill/cli');
    process.exitCode = instrumentCommand(source, options);
  });

program
  .command('migrate')
  .description('copy the embedded store\'s events into ClickHouse: resumable, never twice, verified by count and checksum')
  .requiredOption('--from <source>', 'duckdb:DIRECTORY, the data directory of logmill serve')
  .requiredOption('--to <url>', 'clickhouse://host:8123/database (on a cluster add ?cluster=NAME[&nodes=host:8123,...])')
  .option('--batch-size <n>', 'events per insert (default 5000)', positive)
  .option('--max-batches <n>', 'stop after this many batches; run again to continue', positive)
  .action(async (options: { from: string; to: string; batchSize?: number; maxBatches?: number }) => {
    const { migrateCommand } = await import('./migrate.js');
    await migrateCommand(options);
  });

program
  .command('count')
  .description('count matching events (guarded by the privacy guard unless the key has direct access)')
  .option('--url <url>', 'the collector (default LOGMILL_URL)')
  .option('--key <key>', 'a read key (default LOGMILL_KEY)')
  .option('--where <field=value>', 'an equality filter; repeat to AND several', (value: string, previous: string[]) => [...previous, value], [] as string[])
  .option('--json', 'print {"count", "noiseSd", "exact", "suppressed"} as JSON')
  .action(async (options: { url?: string; key?: string; where: string[]; json?: boolean }) => {
    await count(options);
  });

const collect = (value: string, previous: string[]) => [...previous, value];

program
  .command('query')
  .description('run a query (the JSON query model) and print a table, or JSON')
  .argument('<query>', 'the query as JSON, e.g. \'{"groupBy":[{"field":"severity"}]}\'')
  .option('--url <url>', 'the collector (default LOGMILL_URL)')
  .option('--key <key>', 'a read key (default LOGMILL_KEY)')
  .option('--json', 'print the answer as JSON')
  .action(async (text: string, options: { url?: string; key?: string; json?: boolean }) => {
    await query({ ...options, query: text });
  });

program
  .command('funnel')
  .description('users per funnel step (repeat --step in order)')
  .option('--step <event>', 'an event name; repeat for each step', collect, [] as string[])
  .option('--window <seconds>', 'the conversion window (default 14 days)')
  .option('--order <order>', 'sequential, strict or any (default sequential)')
  .option('--breakdown <field>', 'a field or experiments.NAME')
  .option('--url <url>', 'the collector (default LOGMILL_URL)')
  .option('--key <key>', 'a read key (default LOGMILL_KEY)')
  .option('--json', 'print the answer as JSON')
  .action(async (options: { url?: string; key?: string; step: string[]; window?: string; order?: string; breakdown?: string; json?: boolean }) => {
    await funnel(options);
  });

program
  .command('experiment')
  .description("an experiment's variants: exposures, conversions, intervals, probability to beat control")
  .requiredOption('--name <experiment>', 'the experiment')
  .requiredOption('--goal <event>', 'the goal event')
  .option('--window <seconds>', 'how long after exposure the goal counts (default 14 days)')
  .option('--control <variant>', 'the control variant')
  .option('--url <url>', 'the collector (default LOGMILL_URL)')
  .option('--key <key>', 'a read key (default LOGMILL_KEY)')
  .option('--json', 'print the answer as JSON')
  .action(async (options: { url?: string; key?: string; name: string; goal: string; window?: string; control?: string; json?: boolean }) => {
    await experiment(options);
  });

program
  .command('tail')
  .description('print events as the collector acknowledges them (needs direct access)')
  .option('--severity <level>', 'at least this severity: TRACE, DEBUG, INFO, WARN, ERROR, FATAL')
  .option('--module <prefix>', 'only modules under this prefix')
  .option('--grep <text>', 'only events whose message or template contains this text')
  .option('--url <url>', 'the collector (default LOGMILL_URL)')
  .option('--key <key>', 'a direct-access key (default LOGMILL_KEY)')
  .option('--json', 'one JSON row per line')
  .action(async (options: { url?: string; key?: string; severity?: string; module?: string; grep?: string; json?: boolean }) => {
    await tail(options);
  });

program
  .command('erase')
  .description('erase every stored event of a user, in every project (needs the admin key)')
  .requiredOption('--user <id>', 'the user id')
  .option('--project <name>', 'erase in this project only')
  .option('--url <url>', 'the collector (default LOGMILL_URL)')
  .option('--key <key>', 'the admin key (default LOGMILL_KEY)')
  .option('--json', 'print the answer as JSON')
  .action(async (options: { url?: string; key?: string; user: string; project?: string; json?: boolean }) => {
    await erase(options);
  });

program
  .command('export')
  .description('print everything stored about a user as a JSON document: JSON values, ISO 8601 UTC times (needs direct access)')
  .requiredOption('--user <id>', 'the user id')
  .option('--project <name>', 'with the admin key: this project only (default: every project; a read key exports its own)')
  .option('--url <url>', 'the collector (default LOGMILL_URL)')
  .option('--key <key>', 'a direct-access key (default LOGMILL_KEY)')
  .option('--json', 'the API\'s answer on one line (default: indented)')
  .action(async (options: { url?: string; key?: string; user: string; project?: string; json?: boolean }) => {
    await exportUser(options);
  });

program
  .command('dead-letters')
  .description('list, export (one JSON line each) or replay the acknowledged rows the store could not load (needs the admin key)')
  .argument('<action>', 'list, export or replay', (value: string) => {
    if (value !== 'list' && value !== 'export' && value !== 'replay') throw new InvalidArgumentError('must be list, export or replay');
    return value;
  })
  .option('--url <url>', 'the collector (default LOGMILL_URL)')
  .option('--key <key>', 'the admin key (default LOGMILL_KEY)')
  .option('--json', 'print JSON')
  .action(async (action: 'list' | 'export' | 'replay', options: { url?: string; key?: string; json?: boolean }) => {
    await deadLetters(action, options);
  });

// `logmill` alone is a request for help, not a mistake: the help on stdout, exit 0.
if (process.argv.length <= 2) {
  program.outputHelp();
  process.exit(0);
}

program.parseAsync().catch((error: unknown) => {
  process.stderr.write(`logmill: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
