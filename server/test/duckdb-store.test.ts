import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Scrubber } from '../collector/scrub.js';
import { eventToRow, type Envelope } from '../collector/event-to-row.js';
import { DuckDBStore } from '../store/duckdb/duckdb-store.js';
import type { EventRow } from '../domain/event-row.js';
import { temporaryDirectory } from './helpers/collector-process.js';
import { envelopeLines } from './helpers/envelopes.js';

function rows(count: number, tag: string, project = 'default'): EventRow[] {
  return envelopeLines(count, tag).map((line) => eventToRow(project, JSON.parse(line) as Envelope, Date.now(), new Scrubber()));
}

async function count(store: DuckDBStore, where = 'TRUE'): Promise<number> {
  const [row] = await store.read(`SELECT count(*) AS n FROM events WHERE ${where}`);
  return Number(row!['n']);
}

describe('DuckDBStore', () => {
  it('shows every acknowledged row to the next read, once, per project', async () => {
    const store = await DuckDBStore.open(temporaryDirectory('store'), { loadInterval: 60_000 });
    const loads: [number, number][] = [];
    store.onLoad = (stored, duplicates) => loads.push([stored, duplicates]);
    try {
      const batch = rows(30, 'a');
      await store.insert(batch);
      await Promise.all([store.insert(batch), store.insert([...batch.slice(0, 10), ...batch.slice(0, 10)])]);
      await store.insert(batch.map((row) => ({ ...row, project: 'other' })));
      expect(await count(store)).toBe(60);
      expect(await count(store, `project = 'other'`)).toBe(30);
      expect(loads.reduce((sum, [stored]) => sum + stored, 0)).toBe(60);
      expect(loads.reduce((sum, [, duplicates]) => sum + duplicates, 0)).toBe(50);
      const [row] = await store.read('SELECT template, experiments, user_id, args FROM events WHERE id = ?::UUID AND project = ?', [batch[3]!.id, 'default']);
      expect(row).toMatchObject({ template: 'order %d paid by %s', user_id: 'user-7' });
      expect(JSON.parse(row!['experiments'] as string)).toEqual({ 'checkout-v2': 'B' });
      expect(JSON.parse(row!['args'] as string)).toEqual([3, 'user-3']);
    } finally {
      await store.close();
    }
  });

  it('keeps one copy of an event sent again, and every other event sent under its id', async () => {
    const store = await DuckDBStore.open(temporaryDirectory('store-first-copy'), { loadInterval: 3_600_000 });
    try {
      const [first, other] = rows(2, 'copies');
      // Another client's events under the first one's id: in the same load and in a later one.
      const reused = { ...first!, message: 'a reused id', template: 'a reused id', user_id: 'someone-else' };
      // A retry arrives later than the original: only its received_at differs.
      await store.insert([first!, other!, reused, { ...first!, received_at: first!.received_at + 5 }]);
      await store.insert([{ ...first!, received_at: first!.received_at + 9 }, { ...reused, message: 'reused again' }, reused]);
      const stored = await store.read('SELECT id::VARCHAR AS id, message FROM events ORDER BY id, message');
      const expected = [
        { id: first!.id, message: first!.message },
        { id: first!.id, message: 'a reused id' },
        { id: first!.id, message: 'reused again' },
        { id: other!.id, message: other!.message },
      ];
      expect(stored).toEqual(expected.sort((a, b) => a.id.localeCompare(b.id) || a.message.localeCompare(b.message)));
    } finally {
      await store.close();
    }
  });

  it('stores no copy of an erased event that comes back later, across restarts, and still stores the person\'s new events', async () => {
    const directory = temporaryDirectory('store-erased-retry');
    let store = await DuckDBStore.open(directory, { loadInterval: 3_600_000 });
    try {
      const [first, second, anonymous, other] = rows(4, 'erased-retry');
      const theirs = [{ ...first!, user_id: 'ida-3301', session_id: 's-ida' }, { ...second!, user_id: 'ida-3301', session_id: 's-ida' }, { ...anonymous!, user_id: null, session_id: 's-ida' }];
      await store.insert([...theirs, other!]);
      expect(await store.eraseEntity('default', 'user_id', 'ida-3301')).toBe(3);
      // The client never saw the answer to the batch it sent before the erasure, and sends it again.
      await store.insert([...theirs, other!]);
      expect(await count(store)).toBe(1);
      await store.close();
      store = await DuckDBStore.open(directory, { loadInterval: 3_600_000 });
      await store.insert(theirs);
      expect(await count(store)).toBe(1);
      // What the person does after the erasure is new data, and is stored; so is another client's
      // event that reuses an erased id (whoever got the person erased could not take that id).
      const [later] = rows(1, 'after-erasure');
      await store.insert([{ ...later!, user_id: 'ida-3301' }, { ...first!, user_id: 'someone-else', message: 'a reused id' }]);
      expect(await count(store, `user_id = 'ida-3301'`)).toBe(1);
      expect(await count(store, `user_id = 'someone-else'`)).toBe(1);
      // What is kept of the erased events names neither them nor their time.
      const kept = await store.read('SELECT digest FROM erased_events ORDER BY digest');
      expect(kept).toHaveLength(3);
      for (const { digest } of kept) expect(digest).toMatch(/^[0-9a-f]{32}$/);
    } finally {
      await store.close();
    }
  });

  it('leaves a running collector\'s rewrite alone when a second start finds the directory held', async () => {
    const directory = temporaryDirectory('store-held');
    const built = fileURLToPath(new URL('../dist/store/duckdb/duckdb-store.js', import.meta.url));
    const holder = spawn(process.execPath, ['--input-type=module', '-e', `const { DuckDBStore } = await import(${JSON.stringify(built)}); await DuckDBStore.open(${JSON.stringify(directory)}); console.log('open'); setInterval(() => {}, 1000);`], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      await new Promise<void>((resolve, reject) => {
        holder.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('open') && resolve());
        holder.once('exit', (code) => reject(new Error(`the holding process exited (${code})`)));
      });
      // What the running collector's erasure is writing at this moment.
      const rewrite = join(directory, 'events.duckdb.rewrite');
      writeFileSync(rewrite, 'being rewritten');
      await expect(DuckDBStore.open(directory)).rejects.toThrow(/lock/i);
      expect(existsSync(rewrite)).toBe(true);
    } finally {
      holder.kill('SIGKILL');
    }
  }, 60_000);

  it('lists templates of equal counts in the order of their text, so the view\'s limit cuts the same list every time', async () => {
    const store = await DuckDBStore.open(temporaryDirectory('store-templates'), { loadInterval: 60_000 });
    try {
      // Inserted in reverse so that neither arrival nor a hash table's order gives the answer.
      const batch = rows(40, 'tie').map((row, index) => ({ ...row, kind: 'log' as const, template: `t${String(39 - index).padStart(2, '0')} %s` }));
      await store.insert(batch);
      for (let round = 0; round < 3; round++) {
        const listed = await store.templateRows('default', { limit: 5 }, 'user_id');
        expect(listed.map((row) => row['template'])).toEqual(['t00 %s', 't01 %s', 't02 %s', 't03 %s', 't04 %s']);
      }
    } finally {
      await store.close();
    }
  });

  it('loads in the background once loadRows rows wait, before the interval is up, and not before', async () => {
    const store = await DuckDBStore.open(temporaryDirectory('store-load-rows'), { loadInterval: 3_600_000, loadRows: 50 });
    const loads: number[] = [];
    const loaded = new Promise<void>((resolve) => {
      store.onLoad = (stored) => {
        loads.push(stored);
        resolve();
      };
    });
    try {
      await store.insert(rows(30, 'below'));
      // Fewer rows than loadRows wait: a load would already have started, with no read to ask for it.
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(loads).toEqual([]);
      await store.insert(rows(30, 'above'));
      await loaded;
      expect(loads).toEqual([60]);
      expect((await store.statistics()).pending).toBe(0);
      expect(await count(store)).toBe(60);
    } finally {
      await store.close();
    }
  });

  it('loads segments left by a crash at the next open, idempotently', async () => {
    const directory = temporaryDirectory('store-crash');
    let store = await DuckDBStore.open(directory, { loadInterval: 60_000 });
    await store.insert(rows(5, 'first'));
    await store.close();
    // A crash between loading a segment and deleting it: the same rows appear in two segments.
    const journal = join(directory, 'journal');
    const lines = rows(40, 'left').map((row) => JSON.stringify(row)).join('\n');
    writeFileSync(join(journal, '000000000100.ndjson'), `${lines}\n`);
    copyFileSync(join(journal, '000000000100.ndjson'), join(journal, '000000000101.ndjson'));
    store = await DuckDBStore.open(directory, { loadInterval: 60_000 });
    try {
      expect(await count(store)).toBe(45);
      expect(readdirSync(journal).filter((file) => file.endsWith('.ndjson'))).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it('keeps a row it cannot load as a dead letter and keeps loading the others', async () => {
    const directory = temporaryDirectory('store-dead-letter');
    const journal = join(directory, 'journal');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(journal, { recursive: true });
    writeFileSync(join(journal, '000000000001.ndjson'), '{"project":"default","id":"not a uuid"}\n');
    writeFileSync(join(journal, '000000000002.ndjson'), `${rows(3, 'after').map((row) => JSON.stringify(row)).join('\n')}\n`);
    const store = await DuckDBStore.open(directory, { loadInterval: 60_000 });
    try {
      await store.load();
      await store.load();
      expect(await count(store)).toBe(3);
      expect(await store.statistics()).toMatchObject({ rows: 3, deadLetters: 1, pending: 0 });
      expect((await store.listDeadLetters())[0]!.line).toBe('{"project":"default","id":"not a uuid"}');
      expect(await store.writable()).toBe(true);
    } finally {
      await store.close();
    }
  });
});
