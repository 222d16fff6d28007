// A benchmark's result file: bench/results/<name>.json, one per benchmark (or per configuration of
// one, such as the ClickHouse store), overwritten by each run. `node scripts/benchmarks-md.mjs`
// renders BENCHMARKS.md from these files, so the document always shows the last run of each.
//
// {
//   "name": "logging",                       file name, also the order key in BENCHMARKS.md
//   "title": "Logging",                      heading
//   "command": "node bench/logging/run.mjs", what was run, with its arguments
//   "date": "2026-11-27T05:45:00.000Z",      when (ISO 8601)
//   "machine": "AMD EPYC … × 2, 24 GiB, Linux 6.1", "node": "v26.1.0", "typescript": "5.9.3",
//   "load": 1.2,                             1-minute load average as the run ended (optional)
//   "about": "what is measured, one paragraph",
//   "table": { "columns": ["library", "vs pino"], "rows": [["Logmill", "1.81x"], …] },
//   "targets": [{ "target": "throughput ≥ 1.2x pino", "measured": "1.81x", "met": true }],
//   "notes": ["short facts that read the figures"],
//   "source": "optional: where figures typed in by hand came from"
// }
//
// Cells are strings, written as the table shows them; a column whose name starts with "=" is
// right-aligned (figures) and shown without the "=".
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem, type } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const resultsDirectory = join(dirname(fileURLToPath(import.meta.url)), '..', 'results');

/** The machine a run is on, in one line. */
export function machine() {
  const cpu = cpus()[0]?.model?.trim() ?? 'unknown CPU';
  return `${cpu} × ${cpus().length}, ${Math.round(totalmem() / 2 ** 30)} GiB, ${type()} ${release()}`;
}

function typescriptVersion() {
  try {
    return execFileSync(process.execPath, ['-p', "require('typescript').version"], { encoding: 'utf8', cwd: join(resultsDirectory, '..', '..') }).trim();
  } catch {
    return undefined;
  }
}

/**
 * Writes bench/results/<name>.json with this run's machine, Node, TypeScript, date and command
 * (`node <script> <arguments>` unless given), and returns its path; with `--no-result` on the
 * command line (a check, as `.ci/run` makes), writes nothing.
 */
export function writeResult(result) {
  if (process.argv.includes('--no-result')) return undefined;
  const script = process.argv[1] ? process.argv[1].slice(process.argv[1].indexOf('bench/')) : '';
  const complete = {
    name: result.name,
    title: result.title,
    command: result.command ?? ['node', script, ...process.argv.slice(2)].join(' '),
    date: new Date().toISOString(),
    machine: machine(),
    node: result.node ?? process.version,
    typescript: typescriptVersion(),
    // How busy the machine was as the run ended (1-minute load average, against its cores).
    load: Number(loadavg()[0].toFixed(1)),
    ...result,
  };
  mkdirSync(resultsDirectory, { recursive: true });
  const file = join(resultsDirectory, `${result.name}.json`);
  writeFileSync(file, `${JSON.stringify(complete, null, 2)}\n`);
  console.log(`\nresult written to ${file.slice(file.indexOf('bench/'))} (node scripts/benchmarks-md.mjs renders BENCHMARKS.md)`);
  return file;
}

/** "1.23x" */
export const times = (ratio) => `${ratio.toFixed(2)}x`;
/** 12,345 */
export const count = (value) => Math.round(value).toLocaleString('en-US');
