/**
 * `logmill erase --user ID` (admin key) and `logmill export --user ID` (direct access), against a
 * running collector.
 */
import { callCollector } from './request.js';

export async function erase(options: { url?: string; key?: string; user: string; json?: boolean }): Promise<void> {
  const answer = await callCollector(options, 'DELETE', `/api/users/${encodeURIComponent(options.user)}`, 'erasing');
  process.stdout.write(options.json ? `${JSON.stringify(answer)}\n` : `erased ${String(answer['erased'])} events (erasure ${String(answer['eraseId'])})\n`);
}

export async function exportUser(options: { url?: string; key?: string; user: string }): Promise<void> {
  const answer = await callCollector(options, 'GET', `/api/users/${encodeURIComponent(options.user)}/export`, 'exporting');
  process.stdout.write(`${JSON.stringify(answer, null, 2)}\n`);
}
