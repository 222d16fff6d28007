/**
 * A row the store cannot load never takes its neighbours with it: the segment is split down to
 * the failing rows, which become dead letters (listed, exported with the person, replayed, erased),
 * while every other row loads and the store stays ready. Erasure matches exactly one person.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { Scrubber } from '../collector/scrub.js';
import { eventToRow, type Envelope } from '../collector/event-to-row.js';
import { DuckDBStore } from '../store/duckdb/duckdb-store.js';
import type { EventRow } from '../domain/event-row.js';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { cliPath, keys, startCollector, temporaryDirectory } from './helpers/collector-process.js';
import { envelopeLines } from './helpers/envelopes.js';

function rows(count: number, tag: string): EventRow[] {
  return envelopeLines(count, tag).map((line) => eventToRow('default', JSON.parse(line) as Envelope, Date.now(), new Scrubber()));
}

async function count(store: DuckDBStore, where = 'TRUE', parameters: string[] = []): Promise<number> {
  const [row] = await store.read(`SELECT count(*) AS n FROM events WHERE ${where}`, parameters);
  return Number(row!['n']);
}

/** Rows no store can hold, as a buggy or older collector might have journaled them. */
function poisonLines(): string[] {
  const [a, b, c, d] = rows(4, 'poison');
  return [
    JSON.stringify({ ...a, line: 2_147_483_648 }),
    JSON.stringify({ ...b, ts: 1e17 }),
    JSON.stringify({ ...c, id: 'not a uuid' }),
    JSON.stringify({ ...d, template: null }),
    '{"project":"default","id":"0190', // torn
  ];
}

describe('dead letters', () => {
  it('loads every good row of a segment that holds bad ones, and keeps only the bad ones aside', async () => {
    const directory = temporaryDirectory('dead-letters');
    let store = await DuckDBStore.open(directory, { loadInterval: 60_000 });
    let deadLetterEvents = 0;
    store.onDeadLetters = (rows) => (deadLetterEvents += rows);
    try {
      const good = rows(400, 'good');
      const poison = poisonLines();
      // The poison is spread through one segment among 400 acknowledged neighbours.
      await Promise.all([
        store.insert(good.slice(0, 100)),
        (store as unknown as { journal: { append(lines: string[]): Promise<void> } }).journal.append(poison.slice(0, 2)),
        store.insert(good.slice(100, 250)),
        (store as unknown as { journal: { append(lines: string[]): Promise<void> } }).journal.append(poison.slice(2)),
        store.insert(good.slice(250)),
      ]);
      expect(await count(store)).toBe(400);
      const stored = new Set((await store.read('SELECT id::VARCHAR AS id FROM events')).map((row) => row['id']));
      expect(good.every((row) => stored.has(row.id))).toBe(true);
      expect(await store.writable()).toBe(true);
      expect(await store.statistics()).toMatchObject({ rows: 400, deadLetters: 5, pending: 0 });
      expect(deadLetterEvents).toBe(5);
      const dead = await store.listDeadLetters();
      expect(dead.map((entry) => entry.line).sort()).toEqual([...poison].sort());
      expect(dead.find((entry) => entry.line.includes('2147483648'))!.error).toMatch(/2147483648/);
      // The file is the operator's: private, and synced before the segment went.
      expect(readFileSync(join(directory, 'dead-letters.ndjson'), 'utf8').trim().split('\n')).toHaveLength(5);
      // A crash after the dead letters were synced but before the segment went: the segment is
      // split again at the next start, and its bad rows are not kept twice.
      await store.close();
      writeFileSync(join(directory, 'journal', '000000000999.ndjson'), `${[poison[0], JSON.stringify(good[0])].join('\n')}\n`);
      store = await DuckDBStore.open(directory, { loadInterval: 60_000 });
      expect(await store.statistics()).toMatchObject({ rows: 400, deadLetters: 5 });
      // Replaying rows that still cannot be stored leaves them where they were, and loses nothing.
      expect(await store.replayDeadLetters()).toEqual({ replayed: 5, deadLetters: 5 });
      expect(await count(store)).toBe(400);
    } finally {
      await store.close();
    }
  });

  it("tells the collector's log how many rows became dead letters, never what they hold", async () => {
    const directory = temporaryDirectory('dead-letters-log');
    const store = await DuckDBStore.open(directory, { loadInterval: 60_000 });
    const written: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => written.push(String(chunk)) > 0);
    try {
      const [good, bad] = rows(2, 'log');
      await store.insert([good!]);
      await (store as unknown as { journal: { append(lines: string[]): Promise<void> } }).journal.append([JSON.stringify({ ...bad, id: 'ann.lee@example.org' })]);
      expect(await count(store)).toBe(1);
      expect((await store.listDeadLetters())[0]!.error).toContain('ann.lee@example.org');
      expect(written.join('')).toMatch(/1 row of .* cannot be stored and was kept as dead letters/);
      expect(written.join('')).not.toContain('ann.lee');
    } finally {
      spy.mockRestore();
      await store.close();
    }
  });

  it('replays dead letters that load now, and takes back segments older versions set aside whole', async () => {
    const directory = temporaryDirectory('dead-letters-replay');
    mkdirSync(join(directory, 'journal', 'quarantine'), { recursive: true });
    const [first, ...others] = rows(30, 'quarantined');
    // An older version quarantined this whole segment for its one bad row: its 29 good rows come back.
    writeFileSync(join(directory, 'journal', 'quarantine', '1700000000000-000000000003.ndjson'), `${[...others.map((row) => JSON.stringify(row)), JSON.stringify({ ...first, line: 2 ** 40 })].join('\n')}\n`);
    // A row dead-lettered for a reason since fixed (it is well-formed now).
    const fixed = rows(1, 'fixed')[0]!;
    writeFileSync(join(directory, 'dead-letters.ndjson'), `${JSON.stringify({ at: new Date().toISOString(), error: 'a bug since fixed', line: JSON.stringify(fixed) })}\n`);
    const store = await DuckDBStore.open(directory, { loadInterval: 60_000 });
    try {
      expect(await count(store)).toBe(29);
      expect(await store.statistics()).toMatchObject({ deadLetters: 2 });
      expect(await store.replayDeadLetters()).toEqual({ replayed: 2, deadLetters: 1 });
      expect(await count(store)).toBe(30);
      expect(await count(store, 'id = ?::UUID', [fixed.id])).toBe(1);
      expect((await store.listDeadLetters())[0]!.line).toContain('1099511627776');
    } finally {
      await store.close();
    }
  });
});

describe('dead letters for the operator', () => {
  it('lists, exports and replays them with the CLI and the API, for the admin key only', async () => {
    const data = temporaryDirectory('dead-letters-cli');
    const [fixed, broken] = rows(2, 'operator');
    const entries = [
      { at: '2026-01-01T00:00:00.000Z', error: 'a bug since fixed', line: JSON.stringify(fixed) },
      { at: '2026-01-01T00:00:01.000Z', error: 'still broken', line: JSON.stringify({ ...broken, line: 2 ** 40 }) },
    ];
    writeFileSync(join(data, 'dead-letters.ndjson'), entries.map((entry) => `${JSON.stringify(entry)}\n`).join(''));
    const collector = await startCollector({ data });
    const cli = (...args: string[]) => promisify(execFile)(process.execPath, [cliPath, 'dead-letters', ...args, '--url', collector.url, '--key', keys.admin], { env: { ...process.env, LOGMILL_URL: '', LOGMILL_KEY: '' } });
    try {
      expect((await cli('list')).stdout).toBe(`2026-01-01T00:00:00.000Z  default  ${fixed!.id}  a bug since fixed\n2026-01-01T00:00:01.000Z  default  ${broken!.id}  still broken\n`);
      expect((await cli('export')).stdout.trim().split('\n').map((line) => JSON.parse(line))).toEqual(entries);
      expect((await fetch(`${collector.url}/api/dead-letters`, { headers: { authorization: `Bearer ${keys.read}` } })).status).toBe(403);
      expect((await cli('replay')).stdout).toBe('replayed 2 dead letters; 1 still cannot be stored\n');
      const stored = await fetch(`${collector.url}/api/events/${fixed!.id}`, { headers: { authorization: `Bearer ${keys.admin}` } });
      expect(stored.status).toBe(200);
      expect(JSON.parse((await cli('list', '--json')).stdout)).toMatchObject({ id: broken!.id, error: expect.stringContaining('1099511627776') });
    } finally {
      await collector.stop();
    }
  }, 60_000);
});

describe('retention', () => {
  it('applies every rule in one pass, to stored rows and dead letters alike', async () => {
    const directory = temporaryDirectory('retention-rules');
    const store = await DuckDBStore.open(directory, { loadInterval: 60_000 });
    try {
      const now = 1_800_000_000_000;
      const day = 86_400_000;
      // Received a day after they happened, so their own time decides.
      const shaped = rows(6, 'retention').map((row, index) => ({ ...row, ts: now - [1, 10, 40, 10, 40, 1][index]! * day, received_at: now - ([1, 10, 40, 10, 40, 1][index]! - 1) * day, name: ['$pageview', '$pageview', 'signup', 'signup', null, null][index]! }));
      await store.insert(shaped);
      const deadOld = JSON.stringify({ ...rows(1, 'dead-old')[0]!, ts: now - 40 * day, received_at: now - 40 * day, name: null, line: 2 ** 33 });
      const deadNew = JSON.stringify({ ...rows(1, 'dead-new')[0]!, ts: now - day, received_at: now - day, name: null, line: 2 ** 33 });
      await (store as unknown as { journal: { append(lines: string[]): Promise<void> } }).journal.append([deadOld, deadNew]);
      // Page views after 7 days, everything else after 30.
      expect(await store.deleteExpired([{ cutoff: now - 7 * day, name: '$pageview' }, { cutoff: now - 30 * day, except: ['$pageview'] }])).toBe(3);
      const left = await store.read('SELECT name, count(*) AS n FROM events GROUP BY ALL ORDER BY name NULLS LAST');
      expect(left).toEqual([{ name: '$pageview', n: '1' }, { name: 'signup', n: '1' }, { name: null, n: '1' }]);
      expect((await store.listDeadLetters()).map((entry) => entry.line)).toEqual([deadNew]);
    } finally {
      await store.close();
    }
  });
});

describe('a torn last line', () => {
  it('is cut off at the next start (it was never acknowledged), not kept as a dead letter', async () => {
    const directory = temporaryDirectory('store-torn');
    mkdirSync(join(directory, 'journal'), { recursive: true });
    const lines = rows(10, 'torn').map((row) => JSON.stringify(row));
    // The process died in the middle of writing the eleventh line.
    writeFileSync(join(directory, 'journal', '000000000003.ndjson'), `${lines.join('\n')}\n${lines[0]!.slice(0, 40).replace('torn', 'tore')}`);
    const store = await DuckDBStore.open(directory, { loadInterval: 60_000 });
    try {
      expect(await count(store)).toBe(10);
      expect(await store.statistics()).toMatchObject({ deadLetters: 0, pending: 0 });
    } finally {
      await store.close();
    }
  });
});

describe('a failing store', () => {
  it('keeps a segment it cannot read for the next load and goes unready, dead-lettering nothing', async () => {
    const directory = temporaryDirectory('store-failing');
    const segment = join(directory, 'journal', '000000000005.ndjson');
    // A segment the store cannot read at all (an IO error, not a row's fault).
    mkdirSync(segment, { recursive: true });
    const store = await DuckDBStore.open(directory, { loadInterval: 60_000 });
    try {
      expect(await store.writable()).toBe(false);
      expect(await store.statistics()).toMatchObject({ deadLetters: 0 });
      await expect(store.eraseEntity('default', 'user_id', 'u')).rejects.toThrow(/nothing was removed/);
      rmSync(segment, { recursive: true });
      writeFileSync(segment, `${rows(3, 'recovered').map((row) => JSON.stringify(row)).join('\n')}\n`);
      await store.load();
      expect(await count(store)).toBe(3);
      expect(await store.writable()).toBe(true);
    } finally {
      await store.close();
    }
  });
});

describe('erasure', () => {
  it('erases exactly one person: never rows with no user, never someone else, and their dead letters too', async () => {
    const directory = temporaryDirectory('erase-exact');
    const store = await DuckDBStore.open(directory, { loadInterval: 60_000 });
    try {
      const all = rows(26, 'erase').map((row, index) => ({ ...row, user_id: index < 2 ? 'u-0' : index < 10 ? null : index < 18 ? `u-${index % 3 + 1}` : 'u-00' }));
      await store.insert(all);
      const deadOfPerson = JSON.stringify({ ...rows(1, 'dead')[0]!, user_id: 'u-0', line: 2 ** 33 });
      const deadOfOther = JSON.stringify({ ...rows(1, 'dead-other')[0]!, user_id: 'u-1', line: 2 ** 33 });
      await (store as unknown as { journal: { append(lines: string[]): Promise<void> } }).journal.append([deadOfPerson, deadOfOther]);
      expect(await count(store)).toBe(26);
      const before = await store.read('SELECT user_id, count(*) AS n FROM events GROUP BY ALL ORDER BY user_id NULLS FIRST');
      expect((await store.entityEvents('default', 'user_id', 'u-0')).map((row) => row['deadLetter'] !== undefined)).toEqual([false, false, true]);
      expect(await store.eraseEntity('default', 'user_id', 'u-0')).toBe(2);
      expect(await count(store)).toBe(24);
      const after = await store.read('SELECT user_id, count(*) AS n FROM events GROUP BY ALL ORDER BY user_id NULLS FIRST');
      expect(after).toEqual(before.filter((row) => row['user_id'] !== 'u-0'));
      expect(await count(store, 'user_id IS NULL')).toBe(8);
      expect((await store.listDeadLetters()).map((entry) => entry.line)).toEqual([deadOfOther]);
      // Reads running while the file is rewritten and swapped all answer.
      const during = await Promise.all([
        ...Array.from({ length: 20 }, () => count(store)),
        store.eraseEntity('default', 'user_id', 'u-00').then(() => -1),
        ...Array.from({ length: 20 }, () => count(store)),
      ]);
      expect(during.filter((n) => n !== 24 && n !== 16 && n !== -1)).toEqual([]);
      expect(await count(store)).toBe(16);
      // A project that has no such user loses nothing either.
      expect(await store.eraseEntity('other', 'user_id', 'u-1')).toBe(0);
      expect(await count(store)).toBe(16);
    } finally {
      await store.close();
    }
  });
});
