/**
 * The part of the `logmill` command that the `logmill` package answers itself (`bin/logmill.js`):
 *
 *   logmill instrument src --out build [--project tsconfig.json] [--no-stack]
 *
 * It rewrites a tree with the TypeScript this package depends on (a compiler with the transformer
 * API, whatever compiler the app builds with: TypeScript 7 has none), so it needs nothing else
 * installed. Every other command is the collector's (`@logmill/server`). Arguments are read with
 * node:util's parseArgs: the package adds no dependency for a command line.
 */
import { parseArgs } from 'node:util';
import type * as TS from 'typescript';
import { instrumentTree } from './instrument-tree.js';

export interface InstrumentCommandOptions {
  /** The output directory. */
  out: string;
  /** The tsconfig.json (default: the nearest at or above the source). */
  project?: string | undefined;
  /** `false`: context variables only, no logical stack frames. */
  stack?: boolean | undefined;
}

export const instrumentUsage = [
  'Usage: logmill instrument <src> --out <dir> [--project <tsconfig>] [--no-stack]',
  '',
  'Rewrites a source tree with the Logmill transformer into JavaScript with source maps, for builds',
  'whose compiler has no transformer hook (TypeScript 7). It runs on the TypeScript Logmill depends on.',
  '',
  '  -o, --out <dir>           the output directory (required; inside <src>, it is never read as source)',
  '  -p, --project <tsconfig>  the tsconfig.json (default: the nearest at or above <src>); a solution',
  '                            tsconfig (files: [], references) stands for the projects it references',
  '      --no-stack            context variables only, no logical stack frames',
].join('\n');

function progress(): ((index: number, total: number) => void) | undefined {
  const setting = process.env['LOGMILL_PROGRESS'];
  if (setting === 'never' || (setting !== 'always' && process.stderr.isTTY !== true)) return undefined;
  let shown = 0;
  return (index, total) => {
    const now = Date.now();
    if (index < total && now - shown < 250) return;
    shown = now;
    process.stderr.write(`\rinstrumenting ${index}/${total} files${index === total ? '\n' : ''}`);
  };
}

/** Runs `logmill instrument`; prints errors and the summary, returns the exit status. */
export function instrumentCommand(source: string, options: InstrumentCommandOptions): number {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const ts = require('typescript') as typeof TS;
  const started = Date.now();
  const onProgress = progress();
  const result = instrumentTree(ts, {
    source,
    out: options.out,
    project: options.project,
    transform: options.stack === false ? { stack: false } : undefined,
    onFile: onProgress === undefined ? undefined : (_file, index, total) => onProgress(index, total),
  });
  for (const warning of result.warnings) console.error(`logmill instrument: warning: ${warning}`);
  for (const error of result.errors) console.error(error);
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;
  console.log(`instrumented ${count(result.files, 'file')} into ${options.out} in ${seconds} s with TypeScript ${ts.version}: ${count(result.activations, 'async function')}, ${count(result.logCalls, 'log call')} stamped, ${count(result.written.length, 'file')} written (JavaScript with source maps)`);
  // As tsc: the output is written despite type errors, and the exit status says there were some.
  if (result.errors.length > 0) {
    console.error(`${count(result.errors.length, 'type error')} (${result.written.length > 0 ? 'output written anyway' : 'nothing written'})`);
    return 1;
  }
  return 0;
}

/** `logmill instrument …` from the arguments after the command name; returns the exit status. */
export function instrumentMain(args: readonly string[]): number {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      allowPositionals: true,
      options: {
        out: { type: 'string', short: 'o' },
        project: { type: 'string', short: 'p' },
        'no-stack': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    console.error(`logmill instrument: ${(error as Error).message}\n\n${instrumentUsage}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help === true) {
    console.log(instrumentUsage);
    return 0;
  }
  const [source, ...extra] = positionals;
  if (source === undefined || values.out === undefined || extra.length > 0) {
    console.error(`logmill instrument: ${source === undefined ? 'the source directory is missing' : values.out === undefined ? '--out <dir> is required' : `unexpected arguments: ${extra.join(' ')}`}\n\n${instrumentUsage}`);
    return 2;
  }
  try {
    return instrumentCommand(source, { out: values.out, project: values.project, stack: values['no-stack'] !== true });
  } catch (error) {
    console.error((error as Error).message);
    return 1;
  }
}
