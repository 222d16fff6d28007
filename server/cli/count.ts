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
