/**
 * The splitting of a failed segment, on its own: which rows are set aside, when it stops and keeps
 * the segment, and how many loads it costs. Rows are markers; `load` fails a range as a store
 * would: with the row's error if it holds a bad row, with an internal error if it holds a row that
 * breaks the store's code, with a memory error if it is too large, always if the store is broken.
 */
import { describe, expect, it } from 'vitest';
import { type FailureKind, loadBySplitting } from '../store/split-load.js';

type Row = 'ok' | 'bad' | 'internal';

class FakeStore {
  loads = 0;
  stored = new Set<number>();
  constructor(readonly rows: Row[], readonly broken = false, readonly maxRows = Infinity) {}

  load = async (from: number, to: number): Promise<number> => {
    this.loads++;
    if (this.broken) throw new Error('IO Error: could not write');
    if (to - from > this.maxRows) throw new Error('Out of Memory Error: failed to allocate');
    const part = this.rows.slice(from, to);
    if (part.includes('bad')) throw new Error('Conversion Error: out of range');
    if (part.includes('internal')) throw new Error('INTERNAL Error: assertion failed');
    for (let index = from; index < to; index++) this.stored.add(index);
    return to - from;
  };

  works = async (): Promise<boolean> => !this.broken;
}

const kindOf = (error: unknown): FailureKind => {
  const message = (error as Error).message;
  return message.startsWith('Conversion') ? 'row' : message.startsWith('IO') ? 'store' : 'unknown';
};

async function split(store: FakeStore) {
  let first: unknown;
  try {
    await store.load(0, store.rows.length);
  } catch (error) {
    first = error;
  }
  return loadBySplitting(store.rows.length, first, store.load, kindOf, store.works);
}

describe('loadBySplitting', () => {
  it('sets aside exactly the rows that fail and stores every other, in about 2k·log2(n) loads', async () => {
    const rows: Row[] = Array.from({ length: 1024 }, () => 'ok');
    rows[3] = 'bad';
    rows[700] = 'bad';
    rows[701] = 'bad';
    const store = new FakeStore(rows);
    const outcome = await split(store);
    expect(outcome.failed.map((failure) => failure.index)).toEqual([3, 700, 701]);
    expect(outcome.stored).toBe(1021);
    expect(store.stored.size).toBe(1021);
    expect(store.loads).toBeLessThanOrEqual(1 + 2 * 3 * 10);
  });

  it('sets aside a row that breaks the store\'s code only when the store is seen to work', async () => {
    const rows: Row[] = Array.from({ length: 64 }, () => 'ok');
    rows[10] = 'internal';
    const outcome = await split(new FakeStore(rows));
    expect(outcome.failed.map((failure) => failure.index)).toEqual([10]);
    expect(outcome.stored).toBe(63);
    // Alone in its segment: the store's probe says it works, so the row goes aside.
    expect((await split(new FakeStore(['internal']))).failed).toHaveLength(1);
  });

  it('stops, keeping the segment, when the store itself fails, after a handful of loads', async () => {
    const store = new FakeStore(Array.from({ length: 100_000 }, () => 'ok'), true);
    await expect(split(store)).rejects.toThrow(/IO Error/);
    expect(store.loads).toBe(1);
    // An unknown failure everywhere (the store cannot even probe): stops after about 2·log2(n).
    const everywhere = new FakeStore(Array.from({ length: 100_000 }, () => 'internal'));
    everywhere.works = async () => false;
    await expect(split(everywhere)).rejects.toThrow(/INTERNAL/);
    expect(everywhere.loads).toBeLessThanOrEqual(1 + 2 * 17);
  });

  it('loads a segment too large to load at once in parts, setting nothing aside', async () => {
    const store = new FakeStore(Array.from({ length: 1000 }, () => 'ok'), false, 300);
    const outcome = await split(store);
    expect(outcome).toMatchObject({ stored: 1000, failed: [] });
  });
});
