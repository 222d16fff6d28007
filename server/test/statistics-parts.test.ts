/**
 * The guard's statistics from parts read once per answer (store/statistics-parts.ts, read from the
 * DuckDB layouts by store/duckdb/series-parts.ts) against the SQL over `events`: for random
 * questions of every shape the parts serve (by hour and severity either way round, by hour, by
 * severity, not grouped), with severity filters and time bounds that cut people's rows, several
 * questions at once (variants with selections by key), the low-effect merge and the `*` row, and
 * facts, each gives exactly the statistics the store's SQL gives.
 */
import { describe, expect, it } from 'vitest';
import { type Envelope, eventToRow } from '../collector/event-to-row.js';
import { Scrubber } from '../collector/scrub.js';
import type { EventQuery, Filter } from '../domain/query-model.js';
import type { EventRow } from '../domain/event-row.js';
import { DuckDBStore } from '../store/duckdb/duckdb-store.js';
import { compileGroupStatistics } from '../store/duckdb/query-sql.js';
import { type GroupStatisticsOptions, type GroupStatisticsRow, type RowCondition, type VariantSelection, groupStatisticsOf } from '../store/row-mapping.js';
import { temporaryDirectory } from './helpers/collector-process.js';
import { envelope } from './helpers/dataset.js';
import { random } from './helpers/hostile-requests.js';

const hour = 3_600_000;
const day = 24 * hour;
const t0 = Date.UTC(2026, 9, 1);
const scrubber = new Scrubber();

function rows(next: () => number, count: number): EventRow[] {
  const severities = ['INFO', 'WARN', 'ERROR'] as const;
  return Array.from({ length: count }, () => {
    const user = next() < 0.1 ? undefined : `u${Math.floor(next() ** 2 * 40)}`;
    const spec = { userId: user, name: 'A', severity: severities[Math.floor(next() ** 2 * severities.length)]!, ts: t0 + Math.floor(next() * 8 * day) };
    return eventToRow('default', JSON.parse(envelope(spec)) as Envelope, spec.ts, scrubber);
  });
}

/** What the guard reads of facts from the rollups: no severity number. */
function comparable(rows: readonly GroupStatisticsRow[]): GroupStatisticsRow[] {
  return rows.map((row) => (row.facts === undefined ? row : { ...row, facts: { ...row.facts, severityNumber: 0 } }));
}

describe('statistics from parts', () => {
  it('are those of the SQL over events, for every question the guard asks about a series', async () => {
    const store = await DuckDBStore.open(temporaryDirectory('statistics-parts'), { loadInterval: 3_600_000 });
    try {
      const next = random(41);
      await store.insert(rows(next, 1500));
      await store.read('SELECT 1');
      await store.insert(rows(next, 700));
      // DEBUG: a severity no row has.
      const severities = ['INFO', 'WARN', 'ERROR', 'DEBUG'];
      const pick = () => severities[Math.floor(next() * severities.length)]!;
      const filters = (): Filter[] => {
        const shape = next();
        if (shape < 0.15) return [{ field: { column: 'severity' }, op: 'eq', value: pick() }];
        if (shape < 0.25) return [{ field: { column: 'severity' }, op: 'ne', value: pick() }];
        if (shape < 0.35) return [{ field: { column: 'severity' }, op: 'in', value: [pick(), pick()] }];
        return [];
      };
      const served: Record<string, number> = {};
      let compared = 0;
      for (let round = 0; round < 30; round++) {
        // Two bounds inside the data (most people's rows fall on both sides of them), as the answer's range.
        const from = t0 + (1 + Math.floor(next() * 3)) * day + Math.floor(next() * 24) * hour;
        const to = from + (1 + Math.floor(next() * 3)) * day;
        const top: EventQuery = { where: [], groupBy: [{ time: 'hour' }, { field: { column: 'severity' } }], aggregates: [{ fn: 'count' }], limit: 10_000, ...(next() < 0.8 ? { from } : {}), ...(next() < 0.8 ? { to } : {}) };
        const session = store.statisticsSession('default', top, 'user_id');
        expect(session).toBeDefined();
        const bounds = [top.from, top.to].filter((bound) => bound !== undefined);
        const groupings: EventQuery['groupBy'][] = [[{ time: 'hour' }, { field: { column: 'severity' } }], [{ field: { column: 'severity' } }, { time: 'hour' }], [{ time: 'hour' }], [{ field: { column: 'severity' } }], []];
        const groupBy = groupings[round % groupings.length]!;
        const condition = (): RowCondition => ({
          where: filters(),
          ...(bounds.length > 0 && next() < 0.6 ? { from: bounds[Math.floor(next() * bounds.length)] } : {}),
          ...(bounds.length > 0 && next() < 0.6 ? { to: bounds[Math.floor(next() * bounds.length)] } : {}),
        });
        const plainQuery: EventQuery = { ...top, groupBy, where: filters() };
        const plain = compileGroupStatistics('default', plainQuery, 'user_id');
        const keys = (await store.read(plain.sql, plain.parameters)).map((row) => String(row['label_key']));
        const conditions = Array.from({ length: 1 + Math.floor(next() * 3) }, condition);
        const indexes = () => conditions.map((_, index) => index).filter(() => next() < 0.4);
        const cases = () => Array.from({ length: 1 + Math.floor(next() * 2) }, (_, variant) => {
          const meets = indexes();
          return { variant, meets, fails: indexes().filter((index) => !meets.includes(index)) };
        });
        const named = keys.filter(() => next() < 0.3);
        const selections: VariantSelection[] = [{ keys: named.slice(0, named.length / 2), cases: cases() }, { keys: named.slice(named.length / 2), cases: cases() }, ...(next() < 0.8 ? [{ cases: cases() }] : [])];
        const shown = keys.filter(() => next() < 0.7);
        const bare: EventQuery = { ...top, from: undefined, to: undefined, groupBy };
        const asked: [EventQuery, GroupStatisticsOptions][] = [
          [plainQuery, {}],
          [bare, { variants: { conditions, selections } }],
          [bare, { facts: true, variants: { conditions, selections } }],
          [bare, { keep: 0, exceptGroups: [{ keep: groupBy.length, keys: shown }], variants: { conditions, selections } }],
          [bare, { keep: 0, facts: true, exceptGroups: [{ keep: groupBy.length, keys: shown }], variants: { conditions, selections: [{ cases: cases() }] } }],
          [bare, { keep: Math.min(1, groupBy.length), exceptGroups: [{ keep: groupBy.length, keys: shown }], variants: { conditions, selections } }],
        ];
        for (const [query, options] of asked) {
          const fromParts = await session!.groupStatistics(query, options);
          if (fromParts === undefined) continue;
          const overEvents = compileGroupStatistics('default', query, 'user_id', options);
          const expected = (await store.read(overEvents.sql, overEvents.parameters)).map((row) => groupStatisticsOf(row, query, options));
          expect(comparable(fromParts), JSON.stringify({ query, options })).toEqual(comparable(expected));
          const shape = `${groupBy.map((dimension) => ('time' in dimension ? 'hour' : 'severity')).join('+') || 'none'}${options.exceptGroups === undefined ? '' : ' merged'}`;
          served[shape] = (served[shape] ?? 0) + 1;
          if (expected.length > 1) compared++;
        }
      }
      // Every shape the parts serve was asked, and most questions about them were answered from them.
      expect(Object.keys(served).sort()).toEqual(['hour', 'hour+severity', 'hour+severity merged', 'none', 'severity', 'severity+hour', 'severity+hour merged']);
      expect(compared).toBeGreaterThan(30);
    } finally {
      await store.close();
    }
  }, 180_000);

  it('are read alike whether or not any group is left out of those shown', async () => {
    const store = await DuckDBStore.open(temporaryDirectory('statistics-parts-reads'), { loadInterval: 3_600_000 });
    try {
      await store.insert(rows(random(5), 400));
      const series: EventQuery = { where: [], groupBy: [{ time: 'hour' }, { field: { column: 'severity' } }], aggregates: [{ fn: 'count' }], limit: 10_000, to: t0 + 9 * day };
      const keys = (await store.statisticsSession('default', series, 'user_id')!.groupStatistics(series, {}))!.map((group) => group.key);
      expect(keys.length).toBeGreaterThan(10);
      const read = store.read.bind(store);
      const reads: string[] = [];
      store.read = (sql, parameters) => (reads.push(sql.replace(/VALUES .*\) AS hidden/s, 'VALUES') .replace(/\(SELECT NULL.*FALSE\) AS hidden/s, 'VALUES').slice(0, 60)), read(sql, parameters));
      const starRow = async (shown: string[]) => {
        reads.length = 0;
        const session = store.statisticsSession('default', series, 'user_id')!;
        const merged = await session.groupStatistics({ ...series, to: undefined }, { keep: 0, exceptGroups: [{ keep: 2, keys: shown }], variants: { conditions: [{ where: [], to: series.to }], selections: [{ cases: [{ variant: 0, meets: [0], fails: [] }] }] } });
        return { merged: merged!, reads: [...reads] };
      };
      const none = await starRow(keys);
      const some = await starRow(keys.slice(1));
      expect(none.merged).toEqual([]);
      expect(some.merged.length).toBe(1);
      expect(some.reads).toEqual(none.reads);
      expect(none.reads.length).toBe(2);
    } finally {
      await store.close();
    }
  });

  it('leave to the SQL what they cannot tell', async () => {
    const store = await DuckDBStore.open(temporaryDirectory('statistics-parts-not'), { loadInterval: 3_600_000 });
    try {
      const series: EventQuery = { where: [], groupBy: [{ time: 'hour' }, { field: { column: 'severity' } }], aggregates: [{ fn: 'count' }], limit: 100, to: t0 + day };
      expect(store.statisticsSession('default', { ...series, groupBy: [{ field: { column: 'template' } }] }, 'user_id')).toBeUndefined();
      expect(store.statisticsSession('default', series, 'session_id')).toBeUndefined();
      const session = store.statisticsSession('default', series, 'user_id')!;
      // A day's buckets, a bound the answer does not have (for people counted whole), a severity
      // filter where a part holds every severity, and merges by key: the store's SQL answers.
      expect(await session.groupStatistics({ ...series, groupBy: [{ time: 'day' }] }, {})).toBeUndefined();
      expect(await session.groupStatistics({ ...series, to: t0 + 2 * day, groupBy: [] }, {})).toBeUndefined();
      expect(await session.groupStatistics({ ...series, groupBy: [], where: [{ field: { column: 'severity' }, op: 'eq', value: 'INFO' }] }, {})).toBeUndefined();
      expect(await session.groupStatistics({ ...series, groupBy: [{ time: 'hour' }], where: [{ field: { column: 'severity' }, op: 'eq', value: 'INFO' }] }, {})).toBeUndefined();
      expect(await session.groupStatistics(series, { onlyGroups: [], keep: 0 })).toBeUndefined();
      expect(await session.groupStatistics(series, {})).toEqual([]);
    } finally {
      await store.close();
    }
  });
});
