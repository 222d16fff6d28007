/**
 * `logmill tail [--severity WARN] [--module api/checkout] [--grep text] [--json]`: events as the
 * collector acknowledges them (needs direct access), one line each, until interrupted.
 */
import { connection, fetchCollector } from './request.js';
import { escapeRawControls, printable } from './terminal-text.js';

export interface TailOptions {
  url?: string;
  key?: string;
  severity?: string;
  module?: string;
  grep?: string;
  json?: boolean;
}

function line(row: Record<string, unknown>): string {
  const time = new Date(Number(row['ts'])).toISOString();
  const where = row['module'] === null ? '' : ` ${String(row['module'])}${row['line'] === null ? '' : `:${String(row['line'])}`}`;
  const user = row['user_id'] === null ? '' : ` user=${String(row['user_id'])}`;
  const label = row['kind'] === 'event' ? `event ${String(row['name'])}` : String(row['severity']).padEnd(5);
  return `${time} ${label}${where} ${String(row['message'])}${user}`;
}

export async function tail(options: TailOptions, signal?: AbortSignal): Promise<void> {
  const { url, key } = connection(options);
  const search = new URLSearchParams();
  if (options.severity !== undefined) search.set('severity', options.severity);
  if (options.module !== undefined) search.set('module', options.module);
  if (options.grep !== undefined) search.set('q', options.grep);
  const response = await fetchCollector(`${url}/api/tail?${search}`, { headers: { authorization: `Bearer ${key}`, accept: 'text/event-stream' }, signal });
  if (!response.ok || response.body === null) {
    const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
    throw new Error(`${response.status} ${String(body['error'] ?? '')}: ${String(body['message'] ?? response.statusText)}`);
  }
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const message = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = message.split('\n').filter((part) => part.startsWith('data: ')).map((part) => part.slice(6)).join('\n');
      if (data === '') continue;
      if (message.startsWith('event: dropped')) {
        process.stderr.write(`(the tail could not keep up: ${Number(JSON.parse(data).dropped)} events skipped)\n`);
        continue;
      }
      const row = JSON.parse(data) as Record<string, unknown>;
      process.stdout.write(options.json ? `${escapeRawControls(data)}\n` : `${printable(line(row))}\n`);
    }
  }
}
