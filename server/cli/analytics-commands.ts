/**
 * `logmill query`, `logmill funnel` and `logmill experiment`: the query API from the command line,
 * printed as a table (with ± noise for guarded answers) or as JSON.
 */
import { callCollector } from './request.js';
import { printable, terminalJson } from './terminal-text.js';

/** A plain text table: a header, a rule, and left-aligned cells, with control characters shown as escapes. */
export function table(rawHeader: string[], rawRows: string[][]): string {
  const header = rawHeader.map(printable);
  const rows = rawRows.map((row) => row.map(printable));
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: string[]) => cells.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd();
  return [line(header), widths.map((width) => '-'.repeat(width)).join('  '), ...rows.map(line)].join('\n') + '\n';
}

function withNoise(value: unknown, sd: number | undefined): string {
  return sd === undefined || sd === 0 ? String(value) : `${String(value)} ±${sd.toFixed(1)}`;
}

function parseJsonOption(text: string, name: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`${name} must be JSON`);
  }
}

export async function query(options: { url?: string; key?: string; query: string; json?: boolean }): Promise<void> {
  const answer = await callCollector(options, 'POST', '/api/query', 'querying', parseJsonOption(options.query, 'the query'));
  if (options.json) return void process.stdout.write(`${terminalJson(answer)}\n`);
  const columns = answer['columns'] as string[];
  const rows = (answer['rows'] as Record<string, unknown>[]).map((row, index) => columns.map((column) => withNoise(row[column], answer['noiseSd'][index]?.[column])));
  process.stdout.write(table(columns, rows));
  if (!answer['exact']) process.stdout.write(`guarded: ${String(answer['suppressedGroups'])} groups too small to show\n`);
}

export async function funnel(options: { url?: string; key?: string; step: string[]; window?: string; order?: string; breakdown?: string; json?: boolean }): Promise<void> {
  const body: Record<string, unknown> = { steps: options.step.map((name) => ({ name })), order: options.order ?? 'sequential' };
  if (options.window !== undefined) body['window'] = Number(options.window) * 1000;
  if (options.breakdown !== undefined) body['breakdown'] = options.breakdown;
  const answer = await callCollector(options, 'POST', '/api/funnel', 'computing the funnel', body);
  if (options.json) return void process.stdout.write(`${terminalJson(answer)}\n`);
  const rows = (answer['breakdowns'] as { breakdown: string | null; steps: Record<string, any>[] }[]).flatMap((entry) =>
    entry.steps.map((step) => [
      String(entry.breakdown ?? '(all)'),
      `${step['step'] + 1}. ${step['name']}`,
      step['suppressed'] ? 'too few' : withNoise(step['users'], step['noiseSd']),
      `${(step['conversionRate'] * 100).toFixed(1)}%`,
      step['medianTimeToConvert'] === null ? '' : `${(step['medianTimeToConvert'] / 1000).toFixed(0)} s`,
    ]));
  process.stdout.write(table(['breakdown', 'step', 'users', 'from first', 'median time'], rows));
}

export async function experiment(options: { url?: string; key?: string; name: string; goal: string; window?: string; control?: string; json?: boolean }): Promise<void> {
  const body: Record<string, unknown> = { experiment: options.name, goal: options.goal };
  if (options.window !== undefined) body['window'] = Number(options.window) * 1000;
  if (options.control !== undefined) body['control'] = options.control;
  const answer = await callCollector(options, 'POST', '/api/experiment', 'computing the experiment', body);
  if (options.json) return void process.stdout.write(`${terminalJson(answer)}\n`);
  const percent = (value: number) => `${(value * 100).toFixed(1)}%`;
  const rows = (answer['variants'] as Record<string, any>[]).map((variant) => [
    String(variant['variant']),
    withNoise(variant['exposed'], variant['noiseSd']),
    String(variant['converted']),
    `${percent(variant['conversionRate'])} [${percent(variant['interval'][0])}, ${percent(variant['interval'][1])}]`,
    variant['probabilityToBeatControl'] === null ? '(control)' : percent(variant['probabilityToBeatControl']),
  ]);
  process.stdout.write(table(['variant', 'exposed', 'converted', 'rate [95% interval]', 'beats control'], rows));
}
