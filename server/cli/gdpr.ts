/**
 * `logmill erase --user ID` (admin key) and `logmill export --user ID` (direct access), against a
 * running collector; `logmill dead-letters list|export|replay` (admin key) for the rows the store
 * could not load.
 */
import { callCollector } from './request.js';
import { printable, terminalJson } from './terminal-text.js';

/** `?project=` when the command names one: without it, the admin key acts on every project. */
function projectQuery(project: string | undefined): string {
  return project === undefined ? '' : `?project=${encodeURIComponent(project)}`;
}

export async function erase(options: { url?: string; key?: string; user: string; project?: string; json?: boolean }): Promise<void> {
  const answer = await callCollector(options, 'DELETE', `/api/users/${encodeURIComponent(options.user)}${projectQuery(options.project)}`, 'erasing');
  process.stdout.write(options.json ? `${JSON.stringify(answer)}\n` : `erased ${String(answer['erased'])} events (erasure ${String(answer['eraseId'])})\n`);
}

/** The export is a document (`> person.json`): indented, or the API's answer on one line with `--json`. */
export async function exportUser(options: { url?: string; key?: string; user: string; project?: string; json?: boolean }): Promise<void> {
  const answer = await callCollector(options, 'GET', `/api/users/${encodeURIComponent(options.user)}/export${projectQuery(options.project)}`, 'exporting');
  process.stdout.write(`${options.json ? terminalJson(answer) : terminalJson(answer, 2)}\n`);
}

/** `list`: one line per dead letter (when, project, id, why); `export`: one JSON line each, whole; `replay`: load them again. */
export async function deadLetters(action: 'list' | 'export' | 'replay', options: { url?: string; key?: string; json?: boolean }): Promise<void> {
  if (action === 'replay') {
    const answer = await callCollector(options, 'POST', '/api/dead-letters/replay', 'replaying');
    process.stdout.write(options.json ? `${JSON.stringify(answer)}\n` : `replayed ${String(answer['replayed'])} dead letters; ${String(answer['deadLetters'])} still cannot be stored\n`);
    return;
  }
  const answer = await callCollector(options, 'GET', action === 'export' ? '/api/dead-letters/export' : '/api/dead-letters', 'reading dead letters');
  const entries = answer['deadLetters'] as Record<string, unknown>[];
  if (action === 'export' || options.json) {
    for (const entry of entries) process.stdout.write(`${terminalJson(entry)}\n`);
    return;
  }
  if (entries.length === 0) process.stdout.write('no dead letters\n');
  for (const entry of entries) process.stdout.write(`${printable(`${String(entry['at'])}  ${String(entry['project'])}  ${String(entry['id'])}  ${String(entry['error'])}`)}\n`);
}
