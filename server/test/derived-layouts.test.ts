/**
 * The derived layouts (store/duckdb/derived-layouts.ts) against `events` itself: after ingest with
 * repeats across and within loads, after an erasure, after retention, and for a database written
 * before the layouts existed, each layout holds exactly what deriving it from `events` gives. And
 * funnels computed in one pass over `user_events` give exactly the plain SQL's answer (users,
 * digests, medians and percentiles per breakdown and step) on random funnels: orders, windows,
 * exclusions, breakdowns and time ranges; and series read from `series_rollup` give the same rows
 * as the SQL over `events`, for exact answers and for every form of the guard's group statistics.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DuckDBInstance } from '@duckdb/node-api';
import { funnelOutcomes } from '../analytics/funnel.js';
import type { FunnelCell, FunnelQuery } from '../domain/funnel-model.js';
import { type Envelope, eventToRow } from '../collector/event-to-row.js';
import { Scrubber } from '../collector/scrub.js';
import { DuckDBStore } from '../store/duckdb/duckdb-store.js';
import { layoutServesFunnel } from '../store/duckdb/funnel-layout.js';
import { compileGroupStatistics, compileQuery, compileSequentialFunnelCells } from '../store/duckdb/query-sql.js';
import { compileRollupGroupStatistics, compileRollupQuery, compileRollupVariantStatistics, rollupServes } from '../store/duckdb/rollup-sql.js';
import type { EventQuery, Filter } from '../domain/query-model.js';
import { type GroupStatisticsOptions, type RowCondition, type VariantSelection, funnelCellOf } from '../store/row-mapping.js';
import type { EventRow } from '../domain/event-row.js';
import { temporaryDirectory } from './helpers/collector-process.js';
import { envelope } from './helpers/dataset.js';
import { random } from './helpers/hostile-requests.js';

const minute = 60_000;
const hour = 60 * minute;
const day = 24 * hour;
const t0 = Date.UTC(2026, 9, 1);
const scrubber = new Scrubber();

function rowOf(project: string, spec: Parameters<typeof envelope>[0]): EventRow {
  return eventToRow(project, JSON.parse(envelope(spec)) as Envelope, spec.ts ?? t0, scrubber);
}

/** Rows of `left` missing from `right`, counted with multiplicity. */
async function missing(store: DuckDBStore, left: string, right: string): Promise<number> {
  const [row] = await store.read(`SELECT count(*) AS n FROM ((${left}) EXCEPT ALL (${right}))`);
  return Number(row!['n']);
}

/** Each layout against what deriving it from `events` gives: 0 rows apart either way. */
async function layoutDifferences(store: DuckDBStore): Promise<Record<string, number>> {
  const pairs: Record<string, [string, string]> = {
    user_events: [
      'SELECT project, user_key, ts, id, name, user_id, digest, experiments::VARCHAR FROM user_events UNION ALL SELECT project, user_key, ts, id, name, user_id, digest, experiments::VARCHAR FROM user_events_recent',
      `SELECT project, hash(user_id), ts, id, name, user_id, ('0x' || left(md5(user_id), 16))::UBIGINT, experiments::VARCHAR FROM events WHERE name IS NOT NULL AND user_id IS NOT NULL`,
    ],
    user_digests: [
      'SELECT project, user_key, user_id, digest FROM user_digests',
      `SELECT DISTINCT project, hash(user_id), user_id, ('0x' || left(md5(user_id), 16))::UBIGINT FROM events WHERE user_id IS NOT NULL`,
    ],
    series_rollup: [
      // One row per (project, hour, severity, user): stored rows are compared as they are.
      'SELECT project, hour, severity, user_key, digest, events, first_ts, last_ts FROM series_rollup',
      `SELECT project, date_trunc('hour', ts) AS hour, severity, CASE WHEN user_id IS NOT NULL THEN hash(user_id) END AS user_key,
          any_value(('0x' || left(md5(user_id), 16))::UBIGINT), count(*), min(ts), max(ts) FROM events GROUP BY project, hour, severity, user_key`,
    ],
    series_hourly: [
      'SELECT project, hour, severity, events, entities, entity_digest, first_ts, last_ts FROM series_hourly',
      `SELECT project, date_trunc('hour', ts), severity, count(*), count(DISTINCT user_id),
          bit_xor(DISTINCT ('0x' || left(md5(user_id), 16))::UBIGINT), min(ts) FILTER (WHERE user_id IS NOT NULL), max(ts) FILTER (WHERE user_id IS NOT NULL) FROM events GROUP BY ALL`,
    ],
    series_hours: [
      'SELECT project, hour, entities, entity_digest, entity_events, list_sort(top), first_ts, last_ts FROM series_hours',
      `SELECT project, hour, count(*), bit_xor(digest), sum(events), list_sort(max(events, 6)), min(first_ts), max(last_ts) FROM (
          SELECT project, date_trunc('hour', ts) AS hour, user_id, any_value(('0x' || left(md5(user_id), 16))::UBIGINT) AS digest, count(*) AS events, min(ts) AS first_ts, max(ts) AS last_ts
          FROM events WHERE user_id IS NOT NULL GROUP BY ALL) GROUP BY ALL`,
    ],
    series_people: [
      'SELECT project, severity, user_key, digest, events, first_ts, last_ts FROM series_people',
      `SELECT project, severity, hash(user_id), any_value(('0x' || left(md5(user_id), 16))::UBIGINT), count(*), min(ts), max(ts) FROM events WHERE user_id IS NOT NULL GROUP BY project, severity, user_id`,
    ],
    series_users: [
      'SELECT project, user_key, digest, events, first_ts, last_ts FROM series_users',
      `SELECT project, hash(user_id), any_value(('0x' || left(md5(user_id), 16))::UBIGINT), count(*), min(ts), max(ts) FROM events WHERE user_id IS NOT NULL GROUP BY project, user_id`,
    ],
  };
  const differences: Record<string, number> = {};
  for (const [layout, [stored, derived]] of Object.entries(pairs)) {
    differences[layout] = (await missing(store, stored, derived)) + (await missing(store, derived, stored));
  }
  return differences;
}

const inStep = { user_events: 0, user_digests: 0, series_rollup: 0, series_hourly: 0, series_hours: 0, series_people: 0, series_users: 0 };

async function layoutRows(store: DuckDBStore): Promise<number> {
  const [row] = await store.read('SELECT (SELECT count(*) FROM user_events) + (SELECT count(*) FROM user_events_recent) + (SELECT count(*) FROM user_digests) + (SELECT count(*) FROM series_rollup) AS n');
  return Number(row!['n']);
}

function mixedRows(project: string, next: () => number, users: number, count: number, spread: number): EventRow[] {
  const names = ['A', 'B', 'C', 'X', undefined];
  const severities = ['INFO', 'WARN', 'ERROR'] as const;
  return Array.from({ length: count }, () => {
    const user = next() < 0.1 ? undefined : `u${Math.floor(next() * users)}`;
    return rowOf(project, {
      userId: user,
      name: names[Math.floor(next() * names.length)],
      severity: severities[Math.floor(next() * severities.length)],
      ts: t0 + Math.floor(next() * spread),
      vars: { experiments: { exp: next() < 0.5 ? 'one' : 'two' } },
    });
  });
}

describe('derived layouts', () => {
  it('hold exactly what events derive, after loads with repeats across and within them, and after merging', async () => {
    // Merged into the sorted table once 150 rows were appended (and a quarter of it).
    const store = await DuckDBStore.open(temporaryDirectory('layouts-ingest'), { loadInterval: 3_600_000, layoutMergeRows: 150 });
    try {
      const next = random(7);
      const first = mixedRows('default', next, 30, 300, 6 * hour);
      await store.insert(first);
      expect(await layoutDifferences(store)).toEqual(inStep);
      // Repeats of stored rows (a retried batch) and repeats inside one load.
      const second = mixedRows('default', next, 40, 200, 6 * hour);
      await Promise.all([store.insert([...first.slice(0, 100), ...second]), store.insert([...second.slice(0, 50), ...second.slice(0, 50)])]);
      await store.insert(mixedRows('other', next, 10, 50, 2 * hour));
      const [events] = await store.read('SELECT count(*) AS n FROM events');
      expect(Number(events!['n'])).toBe(550);
      const [merged] = await store.read('SELECT count(*) AS n FROM user_events');
      expect(Number(merged!['n'])).toBeGreaterThan(0);
      expect(await layoutDifferences(store)).toEqual(inStep);
      expect(await layoutRows(store)).toBeGreaterThan(300);
    } finally {
      await store.close();
    }
  });

  it('keep nothing of an erased person or of what retention removed', async () => {
    const store = await DuckDBStore.open(temporaryDirectory('layouts-erasure'), { loadInterval: 3_600_000 });
    try {
      const next = random(11);
      await store.insert(mixedRows('default', next, 20, 400, 48 * hour));
      const [before] = await store.read("SELECT count(*) AS n FROM (FROM user_events UNION ALL FROM user_events_recent) WHERE user_id = 'u3'");
      expect(Number(before!['n'])).toBeGreaterThan(0);
      expect(await store.eraseEntity('default', 'user_id', 'u3')).toBeGreaterThan(0);
      expect(await layoutDifferences(store)).toEqual(inStep);
      const [digests] = await store.read("SELECT count(*) AS n FROM user_digests WHERE user_id = 'u3'");
      expect(Number(digests!['n'])).toBe(0);
      expect(await store.deleteExpired([{ cutoff: t0 + 24 * hour }])).toBeGreaterThan(0);
      expect(await layoutDifferences(store)).toEqual(inStep);
      const [old] = await store.read(`SELECT (SELECT count(*) FROM (FROM user_events UNION ALL FROM user_events_recent) WHERE ts < epoch_ms(${t0 + 24 * hour}::BIGINT)) + (SELECT count(*) FROM series_rollup WHERE hour < epoch_ms(${t0 + 24 * hour}::BIGINT)) AS n`);
      expect(Number(old!['n'])).toBe(0);
      // Loads after a rewrite keep them current.
      await store.insert(mixedRows('default', next, 20, 100, 48 * hour));
      expect(await layoutDifferences(store)).toEqual(inStep);
    } finally {
      await store.close();
    }
  });

  it('are derived at open for a database written without them', async () => {
    const directory = temporaryDirectory('layouts-upgrade');
    let store = await DuckDBStore.open(directory, { loadInterval: 3_600_000 });
    await store.insert(mixedRows('default', random(3), 15, 200, 12 * hour));
    await store.close();
    const instance = await DuckDBInstance.create(`${directory}/events.duckdb`);
    const connection = await instance.connect();
    for (const table of ['user_events', 'user_events_recent', 'user_digests', 'series_rollup', 'series_hourly', 'series_hours', 'series_people', 'series_users', 'layouts_version']) await connection.run(`DROP TABLE ${table}`);
    connection.closeSync();
    instance.closeSync();
    store = await DuckDBStore.open(directory, { loadInterval: 3_600_000 });
    try {
      expect(await layoutRows(store)).toBeGreaterThan(100);
      expect(await layoutDifferences(store)).toEqual(inStep);
    } finally {
      await store.close();
    }
  });
});

/** The first 8 bytes of a user's MD5 as an unsigned integer: the digest part every store XORs. */
function portable(user: string): bigint {
  return BigInt(`0x${createHash('md5').update(user).digest('hex').slice(0, 16)}`);
}

function sorted(cells: FunnelCell[]): FunnelCell[] {
  const rounded = (value: number | null) => (value === null ? null : Math.round(value * 1000) / 1000);
  return cells
    .map((cell) => ({ ...cell, medianMs: rounded(cell.medianMs), middleMs: cell.middleMs === null ? null : (cell.middleMs.map(rounded) as [number, number, number]) }))
    .sort((a, b) => String(a.breakdown).localeCompare(String(b.breakdown)) || a.step - b.step);
}

function randomFunnel(next: () => number): FunnelQuery {
  const names = ['A', 'B', 'C', 'D'];
  const pick = () => names[Math.floor(next() * names.length)]!;
  const steps = Array.from({ length: 2 + Math.floor(next() * 3) }, () => ({ name: pick(), where: [] }));
  const exclusions = Array.from({ length: Math.floor(next() * 3) }, () => {
    const fromStep = Math.floor(next() * (steps.length - 1));
    return { name: next() < 0.5 ? 'X' : pick(), fromStep, toStep: fromStep + 1 + Math.floor(next() * (steps.length - 1 - fromStep)) };
  });
  // Few values travel as codes into a list of them (a quote in one tests the list's literals); a
  // user's id, one value per user, as text.
  const breakdowns: FunnelQuery['breakdown'][] = [undefined, { json: 'experiments', key: 'exp' }, { column: 'name' }, { column: 'user_id' }];
  const ranged = next() < 0.3;
  return {
    steps,
    window: (1 + Math.floor(next() * 240)) * minute,
    order: next() < 0.7 ? 'sequential' : 'any',
    exclusions,
    breakdown: breakdowns[Math.floor(next() * breakdowns.length)],
    ...(ranged ? { from: t0 + Math.floor(next() * 4) * hour, to: t0 + (5 + Math.floor(next() * 4)) * hour } : {}),
  };
}

describe('funnels in one pass over user_events', () => {
  it('give the plain SQL answer on random funnels: orders, windows, exclusions, breakdowns, ranges', async () => {
    const store = await DuckDBStore.open(temporaryDirectory('funnel-pass'), { loadInterval: 3_600_000 });
    try {
      const next = random(2026);
      const rows: EventRow[] = [];
      for (let user = 0; user < 150; user++) {
        // Variants as text (one with a quote), as a number, and none (no such experiment, or none at all).
        const draw = next();
        const experiments = draw < 0.35 ? { exp: 'one' } : draw < 0.7 ? { exp: "it's two" } : draw < 0.8 ? { exp: 3 } : draw < 0.9 ? { other: 'x' } : undefined;
        for (let index = 0, count = 1 + Math.floor(next() * 16); index < count; index++) {
          const name = ['A', 'B', 'C', 'D', 'X', 'other'][Math.floor(next() * 6)]!;
          // Coarse times make ties (same millisecond) common, to test the order within them.
          rows.push(rowOf('default', { userId: `user-${user}`, name, ts: t0 + Math.floor(next() * 100) * 5 * minute, vars: experiments === undefined ? {} : { experiments } }));
        }
      }
      // Part in the sorted table (an erasure derives the layouts again), the rest appended by two
      // loads: the pass merges them, users and equal times spanning both.
      await store.insert([...rows.slice(0, 700), rowOf('default', { userId: 'leaving', name: 'A' })]);
      await store.eraseEntity('default', 'user_id', 'leaving');
      await store.insert(rows.slice(700, 1000));
      await store.read('SELECT 1');
      await store.insert(rows.slice(1000));
      const [parts] = await store.read('SELECT (SELECT count(*) FROM user_events) AS sorted, (SELECT count(*) FROM user_events_recent) AS recent');
      expect(Number(parts!['sorted'])).toBeGreaterThan(400);
      expect(Number(parts!['recent'])).toBeGreaterThan(100);
      let compared = 0;
      for (let round = 0; round < 60; round++) {
        if (round === 40) {
          // The last rounds read the sorted table alone: an erasure derives the layouts again, with nothing appended.
          await store.eraseEntity('default', 'user_id', 'user-0');
          const [recent] = await store.read('SELECT count(*) AS n FROM user_events_recent');
          expect(Number(recent!['n'])).toBe(0);
        }
        const funnel = randomFunnel(next);
        expect(layoutServesFunnel(funnel, 'user_id')).toBe(true);
        const fromLayout = sorted(await store.sequentialFunnelCells('default', funnel, 'user_id'));
        let plain: FunnelCell[];
        if (funnel.order === 'sequential') {
          const { sql, parameters } = compileSequentialFunnelCells('default', funnel, 'user_id');
          plain = (await store.read(sql, parameters)).map(funnelCellOf);
        } else {
          // Any order has no SQL form: the per-user computation over every matching event, with the portable digests.
          const outcomes = funnelOutcomes(await store.funnelEvents('default', funnel, 'user_id'), funnel);
          plain = [];
          const byBreakdown = new Map<string | null, typeof outcomes>();
          for (const outcome of outcomes) byBreakdown.set(outcome.breakdown, [...(byBreakdown.get(outcome.breakdown) ?? []), outcome]);
          for (const [breakdown, list] of byBreakdown) {
            for (let step = 0; step < funnel.steps.length; step++) {
              const reached = list.filter((outcome) => outcome.reached >= step);
              if (reached.length === 0) break;
              const times = reached.map((outcome) => (step === 0 ? 0 : outcome.times[step]! - outcome.times[step - 1]!)).sort((a, b) => a - b);
              const at = (q: number) => {
                const position = q * (times.length - 1);
                const below = Math.floor(position);
                return times[below]! + (times[Math.min(times.length - 1, below + 1)]! - times[below]!) * (position - below);
              };
              plain.push({
                breakdown, step, users: reached.length,
                entityDigest: reached.reduce((digest, outcome) => digest ^ portable(outcome.user), 0n).toString(),
                medianMs: step === 0 ? null : at(0.5), middleMs: step === 0 ? null : [at(0.4), at(0.5), at(0.6)],
              });
            }
          }
        }
        expect(fromLayout, JSON.stringify(funnel)).toEqual(sorted(plain));
        if (plain.length > 0) compared++;
        // The same pass gives the funnel without its breakdown too, as that funnel asked alone.
        const both = await store.sequentialFunnelCellsAndWhole('default', funnel, 'user_id');
        expect(sorted(both.cells), JSON.stringify(funnel)).toEqual(fromLayout);
        const without = { ...funnel, breakdown: undefined };
        expect(both.whole, JSON.stringify(funnel)).toEqual(await store.sequentialFunnelCells('default', without, 'user_id'));
        if (funnel.order === 'sequential') {
          const { sql, parameters } = compileSequentialFunnelCells('default', without, 'user_id');
          expect(sorted(both.whole), JSON.stringify(funnel)).toEqual(sorted((await store.read(sql, parameters)).map(funnelCellOf)));
          // The same read with a year's window too (the guard's window relaxed) gives that funnel
          // as asked alone, and leaves the asked one as it was.
          const widened = await store.sequentialFunnelCellsAndWhole('default', funnel, 'user_id', 366 * 86_400_000);
          expect(sorted(widened.cells), JSON.stringify(funnel)).toEqual(fromLayout);
          const year = { ...funnel, window: 366 * 86_400_000 };
          expect(sorted(widened.alsoWindow!.cells), JSON.stringify(funnel)).toEqual(sorted(await store.sequentialFunnelCells('default', year, 'user_id')));
          const { sql: yearSql, parameters: yearParameters } = compileSequentialFunnelCells('default', year, 'user_id');
          expect(sorted(widened.alsoWindow!.cells), JSON.stringify(funnel)).toEqual(sorted((await store.read(yearSql, yearParameters)).map(funnelCellOf)));
          expect(sorted(widened.alsoWindow!.whole), JSON.stringify(funnel)).toEqual(sorted(await store.sequentialFunnelCells('default', { ...year, breakdown: undefined }, 'user_id')));
        }
      }
      expect(compared).toBeGreaterThan(40);
    } finally {
      await store.close();
    }
  }, 120_000);

  it('leaves funnels the layout cannot answer to the SQL over events', () => {
    const base: FunnelQuery = { steps: [{ name: 'A', where: [] }, { name: 'B', where: [] }], window: hour, order: 'sequential', exclusions: [] };
    expect(layoutServesFunnel(base, 'user_id')).toBe(true);
    expect(layoutServesFunnel({ ...base, order: 'strict' }, 'user_id')).toBe(false);
    expect(layoutServesFunnel(base, 'session_id')).toBe(false);
    expect(layoutServesFunnel({ ...base, breakdown: { json: 'attributes', key: 'plan' } }, 'user_id')).toBe(false);
    expect(layoutServesFunnel({ ...base, steps: [{ name: 'A', where: [{ field: { column: 'severity' }, op: 'eq', value: 'INFO' }] }, base.steps[1]!] }, 'user_id')).toBe(false);
  });
});

describe('series from series_rollup', () => {
  it('give the same rows as the SQL over events, for exact answers and the guard statistics', async () => {
    const store = await DuckDBStore.open(temporaryDirectory('series-rollup'), { loadInterval: 3_600_000 });
    try {
      const next = random(99);
      await store.insert(mixedRows('default', next, 40, 1500, 20 * day));
      await store.read('SELECT 1');
      await store.insert(mixedRows('default', next, 40, 500, 20 * day));
      const severities = ['INFO', 'WARN', 'ERROR', 'DEBUG'];
      const pick = () => severities[Math.floor(next() * severities.length)]!;
      let compared = 0;
      for (let round = 0; round < 40; round++) {
        const grain = (['hour', 'day', 'week'] as const)[Math.floor(next() * 3)]!;
        const groupBy: EventQuery['groupBy'] = [...(next() < 0.8 ? [{ time: grain }] : []), ...(next() < 0.6 ? [{ field: { column: 'severity' as const } }] : [])];
        const where: Filter[] = [];
        const shape = next();
        if (shape < 0.2) where.push({ field: { column: 'severity' }, op: 'eq', value: pick() });
        else if (shape < 0.35) where.push({ field: { column: 'severity' }, op: 'ne', value: pick() });
        else if (shape < 0.5) where.push({ field: { column: 'severity' }, op: 'in', value: [pick(), pick()] });
        const query: EventQuery = { where, groupBy, aggregates: [{ fn: 'count' }], limit: 10_000 };
        if (next() < 0.5) query.from = t0 + Math.floor(next() * 100) * hour;
        if (next() < 0.5) query.to = t0 + (100 + Math.floor(next() * 300)) * hour;
        if (next() < 0.4) query.unless = { where: next() < 0.5 ? [{ field: { column: 'severity' }, op: 'eq', value: pick() }] : [], from: t0 + Math.floor(next() * 200) * hour };
        expect(rollupServes(query)).toBe(true);
        const direct = compileRollupQuery('default', { ...query, unless: undefined })!;
        const plain = compileQuery('default', { ...query, unless: undefined });
        expect(await store.read(direct.sql, direct.parameters), JSON.stringify(query)).toEqual(await store.read(plain.sql, plain.parameters));
        const groups = (await store.read(plain.sql, plain.parameters)).length;
        if (groups > 1) compared++;
        const statistics = (options: { onlyGroups?: string[]; keep?: number }) => [compileRollupGroupStatistics('default', query, 'user_id', options)!, compileGroupStatistics('default', query, 'user_id', options)];
        const [fromRollup, fromEvents] = statistics({});
        const whole = await store.read(fromEvents!.sql, fromEvents!.parameters);
        expect(await store.read(fromRollup!.sql, fromRollup!.parameters), JSON.stringify(query)).toEqual(whole);
        // Some groups merged, into one or per value of the first dimension (the guard's `*` row and low-effect merge).
        const keys = whole.filter(() => next() < 0.5).map((row) => String(row['label_key']));
        for (const options of [{ onlyGroups: keys }, { onlyGroups: keys, keep: Math.min(1, groupBy.length) }, { onlyGroups: keys, keep: groupBy.length }]) {
          const [merged, mergedPlain] = statistics(options);
          expect(await store.read(merged!.sql, merged!.parameters)).toEqual(await store.read(mergedPlain!.sql, mergedPlain!.parameters));
        }
      }
      expect(compared).toBeGreaterThan(20);
    } finally {
      await store.close();
    }
  }, 120_000);

  it("give the guard's several questions in one pass (variants) as the SQL over events does, merged or not", async () => {
    const store = await DuckDBStore.open(temporaryDirectory('series-variants'), { loadInterval: 3_600_000 });
    try {
      const next = random(7);
      await store.insert(mixedRows('default', next, 30, 1500, 10 * day));
      await store.read('SELECT 1');
      await store.insert(mixedRows('default', next, 30, 400, 10 * day));
      const severities = ['INFO', 'WARN', 'ERROR', 'DEBUG'];
      const pick = () => severities[Math.floor(next() * severities.length)]!;
      const condition = (): RowCondition => {
        const where: Filter[] = [];
        const shape = next();
        if (shape < 0.3) where.push({ field: { column: 'severity' }, op: 'eq', value: pick() });
        else if (shape < 0.45) where.push({ field: { column: 'severity' }, op: 'ne', value: pick() });
        else if (shape < 0.6) where.push({ field: { column: 'severity' }, op: 'in', value: [pick(), pick()] });
        return { where, ...(next() < 0.5 ? { from: t0 + Math.floor(next() * 100) * hour } : {}), ...(next() < 0.5 ? { to: t0 + (100 + Math.floor(next() * 150)) * hour } : {}) };
      };
      const indexes = (count: number) => Array.from({ length: count }, (_, index) => index).filter(() => next() < 0.4);
      let compared = 0;
      let fromHourly = 0;
      let fromHours = 0;
      let fromPeople = 0;
      let cutByBounds = 0;
      let ofHiddenGroups = 0;
      for (let round = 0; round < 30; round++) {
        const grain = (['hour', 'day', 'week'] as const)[Math.floor(next() * 3)]!;
        // Every fifth round by hour alone, with time conditions only (what series_hours serves).
        const hoursOnly = round % 5 === 0;
        const groupBy: EventQuery['groupBy'] = hoursOnly ? [{ time: 'hour' }] : [...(next() < 0.8 ? [{ time: grain }] : []), ...(next() < 0.6 ? [{ field: { column: 'severity' as const } }] : [])];
        const query: EventQuery = { where: [], groupBy, aggregates: [{ fn: 'count' }], limit: 10_000 };
        const conditions = Array.from({ length: 1 + Math.floor(next() * 3) }, condition).map((drawn) => (hoursOnly ? { ...drawn, where: [] } : drawn));
        const plain = compileGroupStatistics('default', query, 'user_id');
        const keys = (await store.read(plain.sql, plain.parameters)).map((row) => String(row['label_key']));
        // A few selections naming some groups, and the rest; each with a case or two over random conditions.
        const cases = () => Array.from({ length: 1 + Math.floor(next() * 2) }, (_, variant) => {
          const meets = indexes(conditions.length);
          return { variant, meets, fails: indexes(conditions.length).filter((index) => !meets.includes(index)) };
        });
        const named = keys.filter(() => next() < 0.3);
        const selections: VariantSelection[] = [{ keys: named.slice(0, named.length / 2), cases: cases() }, { keys: named.slice(named.length / 2), cases: cases() }, ...(next() < 0.8 ? [{ cases: cases() }] : [])];
        const shown = keys.filter(() => next() < 0.6);
        const merges: GroupStatisticsOptions[] = [{}, { keep: 0, exceptGroups: [{ keep: groupBy.length, keys: shown }] }, { keep: Math.min(1, groupBy.length), exceptGroups: [{ keep: groupBy.length, keys: shown }] }];
        // With facts too: each group's first and last event, which the guard's time seed reads (the
        // rollup has no severity number, which only the template view reads).
        for (const merge of [...merges, ...merges.map((each) => ({ ...each, facts: true }))]) {
          const options: GroupStatisticsOptions = { ...merge, variants: { conditions, selections } };
          const fromRollup = compileRollupVariantStatistics('default', query, 'user_id', options);
          expect(fromRollup, JSON.stringify(options)).toBeDefined();
          const fromEvents = compileGroupStatistics('default', query, 'user_id', options);
          const withoutSeverity = (rows: Record<string, unknown>[]) => rows.map(({ severity_number: _, ...rest }) => rest);
          const expected = withoutSeverity(await store.read(fromEvents.sql, fromEvents.parameters));
          expect(withoutSeverity(await store.read(fromRollup!.sql, fromRollup!.parameters)), JSON.stringify({ query, options })).toEqual(expected);
          if (expected.length > 1) compared++;
          if (fromRollup!.sql.includes('FROM series_hourly')) fromHourly++;
          if (fromRollup!.sql.includes('FROM series_hours')) fromHours++;
          if (fromRollup!.sql.includes('FROM series_people')) fromPeople++;
          if (fromRollup!.sql.includes('FROM series_people') && fromRollup!.sql.includes('UNION ALL')) cutByBounds++;
          if (fromRollup!.sql.includes('FROM series_hourly h')) ofHiddenGroups++;
        }
      }
      expect(compared).toBeGreaterThan(40);
      // Grouped by hour and severity, not merged: each group's row of series_hourly, tagged.
      expect(fromHourly).toBeGreaterThan(2);
      // Grouped by hour alone, with conditions on whole hours only: each hour's row of series_hours.
      expect(fromHours).toBeGreaterThan(0);
      // Not grouped by time: a row per person and severity, and the rollup rows of those a bound cuts.
      expect(fromPeople).toBeGreaterThan(2);
      expect(cutByBounds).toBeGreaterThan(0);
      // The `*` row of an hourly series by severity: the rollup rows of the groups not shown.
      expect(ofHiddenGroups).toBeGreaterThan(0);
      // A condition the rollup cannot tell row by row leaves the question to the SQL over events.
      const variants = { conditions: [{ where: [{ field: { column: 'kind' }, op: 'eq', value: 'log' } as const] }], selections: [{ cases: [{ variant: 0, meets: [0], fails: [] }] }] };
      expect(compileRollupVariantStatistics('default', { where: [], groupBy: [], aggregates: [{ fn: 'count' }], limit: 1 }, 'user_id', { variants })).toBeUndefined();
      expect(compileRollupVariantStatistics('default', { where: [], groupBy: [], aggregates: [{ fn: 'count' }], limit: 1 }, 'user_id', { variants: { ...variants, conditions: [{ where: [], from: t0 + minute }] } })).toBeUndefined();
      expect(compileRollupVariantStatistics('default', { where: [], groupBy: [], aggregates: [{ fn: 'count' }], limit: 1 }, 'user_id', { variants: { ...variants, conditions: [{ where: [], cohort: { name: 'A', where: [] } }] } })).toBeUndefined();
      expect(compileRollupVariantStatistics('default', { where: [], groupBy: [], aggregates: [{ fn: 'count' }], limit: 1 }, 'user_id', { facts: true, variants: { ...variants, conditions: [{ where: [] }] } })).toBeDefined();
    } finally {
      await store.close();
    }
  }, 120_000);

  it('leaves other queries to the SQL over events', () => {
    const base: EventQuery = { where: [], groupBy: [{ time: 'hour' }, { field: { column: 'severity' } }], aggregates: [{ fn: 'count' }], limit: 100 };
    expect(rollupServes(base)).toBe(true);
    expect(rollupServes({ ...base, groupBy: [{ time: 'minute' }] })).toBe(false);
    expect(rollupServes({ ...base, from: t0 + minute })).toBe(false);
    expect(rollupServes({ ...base, where: [{ field: { column: 'kind' }, op: 'eq', value: 'log' }] })).toBe(false);
    expect(rollupServes({ ...base, groupBy: [{ field: { column: 'template' } }] })).toBe(false);
    expect(rollupServes({ ...base, cohort: { name: 'A', where: [] } })).toBe(false);
    expect(compileRollupQuery('default', { ...base, aggregates: [{ fn: 'users' }] })).toBeUndefined();
    expect(compileRollupGroupStatistics('default', base, 'session_id')).toBeUndefined();
    expect(compileRollupGroupStatistics('default', base, 'user_id', { facts: true })).toBeUndefined();
  });
});
