/**
 * `logmill instrument <src> --out <dir>`: rewrites a source tree with the transformer and the
 * TypeScript 5.9 this package depends on (see `logmill/instrument`), for builds whose compiler has
 * no transformer hook. Progress goes to stderr (a bar on terminals), the summary to stdout.
 */
import cliProgress from 'cli-progress';
import { instrumentTree } from 'logmill/instrument';
import ts from 'typescript';
import { progressSetting } from './request.js';

export interface InstrumentCommandOptions {
  out: string;
  project?: string;
  stack?: boolean;
}

export function instrument(source: string, options: InstrumentCommandOptions): void {
  const started = Date.now();
  const bar = progressSetting() === 'never'
    ? undefined
    : new cliProgress.SingleBar({ stream: process.stderr, noTTYOutput: true, notTTYSchedule: 1000, clearOnComplete: true, format: 'instrumenting [{bar}] {value}/{total} files' }, cliProgress.Presets.shades_classic);
  let result;
  try {
    result = instrumentTree(ts, {
      source,
      out: options.out,
      project: options.project,
      transform: options.stack === false ? { stack: false } : undefined,
      onFile: (_file, index, total) => {
        if (index === 1) bar?.start(total, 0);
        bar?.update(index);
      },
    });
  } finally {
    bar?.stop();
  }
  for (const error of result.errors) console.error(error);
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;
  console.log(`instrumented ${count(result.files, 'file')} into ${options.out} in ${seconds} s: ${count(result.activations, 'async function')}, ${count(result.logCalls, 'log call')} stamped, ${count(result.written.length, 'file')} written (JavaScript with source maps)`);
  // As tsc: the output is written despite type errors, and the exit status says there were some.
  if (result.errors.length > 0) {
    console.error(`${result.errors.length} type errors (output written anyway)`);
    process.exitCode = 1;
  }
}
