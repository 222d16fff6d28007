/**
 * Every guarded query is recorded: when, by which key (a hash prefix, never the key), at which
 * access level, and the query's shape. One JSON line per query in DATA/audit/queries.ndjson, a
 * file only its owner can read (0600). Values in the query (filter values, cohort names) are kept
 * as keyed hashes, never as written: the log shows what was asked about whom without holding who,
 * and erasing a person removes the lines whose hashes are theirs.
 */
import { createHash, createHmac } from 'node:crypto';
import { chmodSync, closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { appendFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** Keys whose values are data (what a filter compares with), not the query's structure. */
const valueKeys = new Set(['value', 'values', 'name', 'variant', 'experiment', 'goal']);

/**
 * Whether a line names one of `values` in clear: field names are the query's structure and are
 * kept as written, so a reader who asked about `attributes.<someone's id>` wrote that id into the
 * log. A string naming it (the whole string, or a field path ending in it; longer values anywhere
 * inside) takes the line with the person's other lines.
 */
function namesInClear(line: string, values: readonly string[]): boolean {
  const strings: string[] = [];
  const visit = (value: unknown): void => {
    if (typeof value === 'string') strings.push(value);
    else if (Array.isArray(value)) value.forEach(visit);
    else if (typeof value === 'object' && value !== null) {
      for (const [key, item] of Object.entries(value)) {
        strings.push(key);
        visit(item);
      }
    }
  };
  try {
    // The query only: the line's time and key hash are the log's own.
    visit((JSON.parse(line) as { query?: unknown }).query);
  } catch {
    strings.push(line);
  }
  return strings.some((text) => values.some((value) => text === value || text.endsWith(`.${value}`) || (value.length >= 8 && text.includes(value))));
}

function syncPath(path: string): void {
  const descriptor = openSync(path, 'r');
  try {
    fsyncSync(descriptor);
  } finally {
    closeSync(descriptor);
  }
}

export class AuditLog {
  readonly #file: string;
  readonly #salt: string;
  #writing: Promise<void> = Promise.resolve();

  constructor(directory: string, salt = '') {
    mkdirSync(join(directory, 'audit'), { recursive: true, mode: 0o700 });
    this.#file = join(directory, 'audit', 'queries.ndjson');
    this.#salt = salt;
    // Files written by earlier versions were world-readable.
    if (existsSync(this.#file)) chmodSync(this.#file, 0o600);
  }

  /** How a value appears in the log: the first 16 hex digits of its HMAC-SHA256 under the salt. */
  hashOf(value: string | number | boolean): string {
    return `hash:${createHmac('sha256', this.#salt).update(String(value)).digest('hex').slice(0, 16)}`;
  }

  #redact(value: unknown, underValue: boolean): unknown {
    if (Array.isArray(value)) return value.map((item) => this.#redact(item, underValue));
    if (typeof value === 'object' && value !== null) {
      const record: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(value)) record[key] = this.#redact(item, underValue || valueKeys.has(key));
      return record;
    }
    if (underValue && (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')) return this.hashOf(value);
    return value;
  }

  /** `refused`: the reason code of a question the access rules turned down (it is recorded all the same). */
  record(key: string, access: string, query: unknown, refused?: string): Promise<void> {
    const line = `${JSON.stringify({ at: new Date().toISOString(), key: createHash('sha256').update(key).digest('hex').slice(0, 12), access, query: this.#redact(query, false), ...(refused === undefined ? {} : { refused }) })}\n`;
    this.#writing = this.#writing.then(() => appendFile(this.#file, line, { mode: 0o600 })).catch(() => undefined);
    return this.#writing;
  }

  /** Drops every line that mentions one of `values` (by its hash); returns how many went. */
  forget(values: readonly string[]): Promise<number> {
    const hashes = new Set(values.map((value) => this.hashOf(value)));
    return this.#rewrite((line) => !(line.match(/hash:[0-9a-f]{16}/g) ?? []).some((hash) => hashes.has(hash)) && !namesInClear(line, values));
  }

  /** Drops the lines recorded before `cutoff` (epoch milliseconds): retention applies to the log too. */
  forgetBefore(cutoff: number): Promise<number> {
    return this.#rewrite((line) => {
      try {
        return Date.parse((JSON.parse(line) as { at: string }).at) >= cutoff;
      } catch {
        return false;
      }
    });
  }

  /** Rewrites the log with the lines `keep` keeps, after every pending write; returns how many went. */
  #rewrite(keep: (line: string) => boolean): Promise<number> {
    const run = (): number => {
      if (!existsSync(this.#file)) return 0;
      const lines = readFileSync(this.#file, 'utf8').split('\n').filter((line) => line !== '');
      const kept = lines.filter(keep);
      if (kept.length === lines.length) return 0;
      const fresh = `${this.#file}.rewrite`;
      writeFileSync(fresh, kept.map((line) => `${line}\n`).join(''), { mode: 0o600 });
      // Synced, file and rename: an erasure's lines must not come back after a power cut.
      syncPath(fresh);
      renameSync(fresh, this.#file);
      syncPath(dirname(this.#file));
      return lines.length - kept.length;
    };
    const result = this.#writing.then(run);
    this.#writing = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }

  get file(): string {
    return this.#file;
  }
}
