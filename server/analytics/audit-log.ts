/**
 * Every guarded query is recorded: when, by which key (a hash prefix, never the key), at which
 * access level, and the query. One JSON line per query in DATA/audit/queries.ndjson.
 */
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { appendFile } from 'node:fs/promises';
import { join } from 'node:path';

export class AuditLog {
  readonly #file: string;
  #writing: Promise<void> = Promise.resolve();

  constructor(directory: string) {
    mkdirSync(join(directory, 'audit'), { recursive: true });
    this.#file = join(directory, 'audit', 'queries.ndjson');
  }

  record(key: string, access: string, query: unknown): Promise<void> {
    const line = `${JSON.stringify({ at: new Date().toISOString(), key: createHash('sha256').update(key).digest('hex').slice(0, 12), access, query })}\n`;
    this.#writing = this.#writing.then(() => appendFile(this.#file, line)).catch(() => undefined);
    return this.#writing;
  }

  get file(): string {
    return this.#file;
  }
}
