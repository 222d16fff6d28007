/**
 * `logmill count --url URL --key KEY [--where field=value ...] [--json]`: the guarded number of
 * matching events (exact for a direct key), from a running collector.
 */
import { callCollector } from './request.js';

export interface CountOptions {
  url?: string;
  key?: string;
  where: string[];
  json?: boolean;
}

export interface CountAnswer {
  count: number;
  noiseSd: number;
  exact: boolean;
  suppressed: boolean;
}

export function connection(options: { url?: string; key?: string }): { url: string; key: string } {
  const url = options.url ?? process.env['LOGMILL_URL'];
  const key = options.key ?? process.env['LOGMILL_KEY'];
  if (url === undefined || url === '') throw new Error('give the collector with --url URL (or LOGMILL_URL)');
  if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) throw new Error(`the collector's URL is http://HOST:PORT (or https://), not "${url}"`);
  if (key === undefined || key === '') throw new Error('give a read key with --key KEY (or LOGMILL_KEY)');
  return { url: url.replace(/\/+$/, ''), key };
}

export async function count(options: CountOptions): Promise<CountAnswer> {
  const search = new URLSearchParams();
  for (const filter of options.where) search.append('where', filter);
  const answer = (await callCollector(options, 'GET', `/api/count?${search}`, 'counting')) as CountAnswer;
  if (options.json) process.stdout.write(`${JSON.stringify(answer)}\n`);
  else if (answer.exact) process.stdout.write(`${answer.count}\n`);
  else if (answer.suppressed) process.stdout.write('too few people to show (suppressed)\n');
  else process.stdout.write(`${answer.count} ± ${answer.noiseSd.toFixed(1)} (guarded)\n`);
  return answer;
}
