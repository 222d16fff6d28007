// Renders BENCHMARKS.md from the benchmarks' own result files (bench/results/*.json, written by each
// bench's run; format in bench/lib/results.mjs): one table per benchmark with its machine, date and
// command. `node scripts/benchmarks-md.mjs` rewrites the file; `--check` exits 1 when it is stale.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const resultsDirectory = join(root, 'bench', 'results');
const output = join(root, 'BENCHMARKS.md');

// The order of the data flow: app code and build, runtime, delivery, collector, analytics, pages.
const order = [
  'context-propagation', 'real-server', 'build-time', 'output-size', 'logging', 'opentelemetry', 'browser-size', 'browser-context',
  'ingest', 'ingest-clickhouse', 'analytics', 'analytics-1m', 'analytics-clickhouse', 'dashboard', 'real-apps', 'scan-installed',
];

function readResults() {
  const results = readdirSync(resultsDirectory)
    .filter((file) => file.endsWith('.json'))
    .map((file) => {
      const result = JSON.parse(readFileSync(join(resultsDirectory, file), 'utf8'));
      for (const field of ['name', 'title', 'command', 'date', 'machine', 'node', 'table']) {
        if (result[field] === undefined) throw new Error(`bench/results/${file}: no "${field}"`);
      }
      if (`${result.name}.json` !== file) throw new Error(`bench/results/${file}: its name is "${result.name}"`);
      return result;
    });
  const rank = (result) => (order.includes(result.name) ? order.indexOf(result.name) : order.length);
  return results.sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name));
}

const cell = (value) => String(value).replaceAll('|', '\\|').replaceAll('\n', ' ');

function table({ columns, rows }) {
  const names = columns.map((column) => column.replace(/^=/, ''));
  const aligns = columns.map((column) => (column.startsWith('=') ? '---:' : '---'));
  for (const row of rows) {
    if (row.length !== columns.length) throw new Error(`a row of ${row.length} cells under ${columns.length} columns: ${row.join(' | ')}`);
  }
  return [`| ${names.map(cell).join(' | ')} |`, `| ${aligns.join(' | ')} |`, ...rows.map((row) => `| ${row.map(cell).join(' | ')} |`)].join('\n');
}

function when(date) {
  // A bare day, or a time to the minute, in UTC.
  return /^\d{4}-\d{2}-\d{2}$/.test(date) ? date : `${date.slice(0, 10)} ${date.slice(11, 16)} UTC`;
}

function section(result) {
  const lines = [`## ${result.title}`, ''];
  if (result.about) lines.push(result.about, '');
  const software = [`Node ${result.node}`, result.typescript ? `TypeScript ${result.typescript}` : undefined].filter(Boolean).join(', ');
  const load = result.load === undefined ? '' : `, load average ${result.load} as it ended`;
  lines.push(`\`${result.command}\` — ${when(result.date)}; ${result.machine}${load}; ${software}.`, '');
  lines.push(table(result.table), '');
  for (const target of result.targets ?? []) {
    lines.push(`**Target: ${target.target} — ${target.met ? 'met' : 'not met'} (${target.measured}).**`, '');
  }
  for (const note of result.notes ?? []) lines.push(`- ${note}`);
  if ((result.notes ?? []).length > 0) lines.push('');
  if (result.source) lines.push(`*${result.source}*`, '');
  return lines.join('\n');
}

const results = readResults();
const document = `${[
  '# Benchmarks',
  '',
  'Each table is the last run of one benchmark under `bench/`, rendered from its result file',
  '(`bench/results/<name>.json`) by `node scripts/benchmarks-md.mjs`; the run, its machine, date and',
  'command are under each heading. Figures are ratios against peers measured in the same run on the',
  'same machine: each benchmark runs each mode in its own process, interleaves the modes round by',
  'round and reports medians (a ratio is the median of per-round ratios). The machine these ran on is',
  'a shared 2-core VM whose speed drifts between processes; read ratios to about ±0.15. Earlier runs',
  'are in the git history of `bench/results/`.',
  '',
  'To re-run one: its command, then `node scripts/benchmarks-md.mjs` (CONTRIBUTING.md).',
  '',
  ...results.map((result) => `- [${result.title}](#${result.title.toLowerCase().replace(/[^a-z0-9 -]/g, '').replaceAll(' ', '-')})`),
  '',
].join('\n')}\n${results.map(section).join('\n').trimEnd()}\n`;

if (process.argv.includes('--check')) {
  const current = readFileSync(output, 'utf8');
  if (current !== document) {
    console.error('BENCHMARKS.md is not what bench/results/ renders: run node scripts/benchmarks-md.mjs');
    process.exit(1);
  }
  console.log(`BENCHMARKS.md matches bench/results/ (${results.length} benchmarks)`);
} else {
  writeFileSync(output, document);
  console.log(`BENCHMARKS.md: ${results.length} benchmarks from bench/results/`);
}
