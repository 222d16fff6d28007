/**
 * Dead letters: acknowledged journal rows the store could not load. A failing segment is split
 * down to the rows that fail; only those come here, each with the store's error, so one bad row
 * never takes its neighbours with it. The file (`DATA/dead-letters.ndjson`, mode 0600) is appended
 * and synced before the segment that held the rows is deleted. An operator lists, exports and
 * replays them (after fixing the store or upgrading it); erasure and export reach them too.
 */
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeFileSync, writeSync } from 'node:fs';

/** One row that could not be loaded: when, why, and the journal line as it was acknowledged. */
export interface DeadLetter {
  at: string;
  error: string;
  line: string;
}

/** What a dead letter names without its whole row: for listings. */
export interface DeadLetterSummary {
  at: string;
  error: string;
  project: string | null;
  id: string | null;
}

export class DeadLetters {
  /** Known after the first count, then kept up to date (metrics read it on every scrape). */
  #count: number | undefined;

  constructor(readonly file: string) {}

  /**
   * Appends rows and syncs them; only then may their segment go. A row already kept (its segment
   * was split again after a crash between this append and the segment's deletion) is not repeated.
   */
  append(entries: readonly DeadLetter[]): void {
    if (entries.length === 0) return;
    const kept = new Set(this.all().map((entry) => entry.line));
    entries = entries.filter((entry) => !kept.has(entry.line));
    if (entries.length === 0) return;
    const descriptor = openSync(this.file, 'a', 0o600);
    try {
      writeSync(descriptor, entries.map((entry) => `${JSON.stringify(entry)}\n`).join(''));
      fsyncSync(descriptor);
    } finally {
      closeSync(descriptor);
    }
    if (this.#count !== undefined) this.#count += entries.length;
  }

  all(): DeadLetter[] {
    if (!existsSync(this.file)) return [];
    const entries: DeadLetter[] = [];
    for (const text of readFileSync(this.file, 'utf8').split('\n')) {
      if (text === '') continue;
      try {
        entries.push(JSON.parse(text) as DeadLetter);
      } catch {
        // A torn last line (a crash while appending) was never the only copy: its segment remained.
      }
    }
    return entries;
  }

  get count(): number {
    this.#count ??= this.all().length;
    return this.#count;
  }

  /** Keeps only the entries `keep` accepts (atomically: a fresh file renamed over the old one); returns how many went. */
  retain(keep: (entry: DeadLetter, row: Record<string, unknown> | undefined) => boolean): number {
    const entries = this.all();
    const kept = entries.filter((entry) => keep(entry, rowOf(entry)));
    if (kept.length === entries.length) return 0;
    this.#replace(kept);
    return entries.length - kept.length;
  }

  /** Removes and returns every entry (for a replay, which appends them to the journal first). */
  takeAll(): DeadLetter[] {
    const entries = this.all();
    if (entries.length > 0) this.#replace([]);
    return entries;
  }

  #replace(entries: readonly DeadLetter[]): void {
    const fresh = `${this.file}.rewrite`;
    writeFileSync(fresh, entries.map((entry) => `${JSON.stringify(entry)}\n`).join(''), { mode: 0o600 });
    const descriptor = openSync(fresh, 'r');
    fsyncSync(descriptor);
    closeSync(descriptor);
    renameSync(fresh, this.file);
    this.#count = entries.length;
  }
}

/** The row a dead letter holds, when its line is JSON. */
export function rowOf(entry: DeadLetter): Record<string, unknown> | undefined {
  try {
    const row = JSON.parse(entry.line) as unknown;
    return typeof row === 'object' && row !== null && !Array.isArray(row) ? (row as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

export function summaryOf(entry: DeadLetter): DeadLetterSummary {
  const row = rowOf(entry);
  return {
    at: entry.at,
    error: entry.error,
    project: typeof row?.['project'] === 'string' ? row['project'] : null,
    id: typeof row?.['id'] === 'string' ? row['id'] : null,
  };
}
