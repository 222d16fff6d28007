/**
 * `logmill erase --user ID` (admin key) and `logmill export --user ID` (direct access), against a
 * running collector.
 */
import { connection } from './count.js';

async function call(options: { url?: string; key?: string }, method: string, path: string): Promise<Record<string, unknown>> {
  const { url, key } = connection(options);
  const response = await fetch(`${url}${path}`, { method, headers: { authorization: `Bearer ${key}` } });
  const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  if (!response.ok) throw new Error(`${response.status} ${String(body['error'] ?? '')}: ${String(body['message'] ?? response.statusText)}`);
  return body;
}

export async function erase(options: { url?: string; key?: string; user: string; json?: boolean }): Promise<void> {
  const answer = await call(options, 'DELETE', `/api/users/${encodeURIComponent(options.user)}`);
  process.stdout.write(options.json ? `${JSON.stringify(answer)}\n` : `erased ${String(answer['erased'])} events (erasure ${String(answer['eraseId'])})\n`);
}

export async function exportUser(options: { url?: string; key?: string; user: string }): Promise<void> {
  const answer = await call(options, 'GET', `/api/users/${encodeURIComponent(options.user)}/export`);
  process.stdout.write(`${JSON.stringify(answer, null, 2)}\n`);
}
