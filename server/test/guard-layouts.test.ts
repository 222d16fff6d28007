/**
 * The privacy guard's reads from the derived layouts against the same reads from `events`: a
 * series' tagged questions from `series_rollup` and `series_hourly`, and a funnel with its
 * breakdown and without it from one pass over `user_events`, give guarded answers equal in every
 * byte to those of a store that reads `events` for all of them (the SQL every store can run).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Analytics } from '../analytics/analytics.js';
import { AuditLog } from '../analytics/audit-log.js';
import { Scrubber } from '../collector/scrub.js';
import { type Envelope, eventToRow } from '../collector/event-to-row.js';
import type { AccessLevel } from '../domain/access-level.js';
import { type FunnelQuery, cellsAndWholeEach } from '../domain/funnel-model.js';
import type { EventQuery } from '../domain/query-model.js';
import type { EventRow } from '../domain/event-row.js';
import { DuckDBStore } from '../store/duckdb/duckdb-store.js';
import { compileGroupStatistics } from '../store/duckdb/query-sql.js';
import { type GroupStatisticsOptions, groupStatisticsOf } from '../store/row-mapping.js';
import type { Store } from '../store/store.js';
import { temporaryDirectory } from './helpers/collector-process.js';
import { envelope } from './helpers/dataset.js';
import { random } from './helpers/hostile-requests.js';

const hour = 3_600_000;
const day = 24 * hour;
const t0 = Date.UTC(2026, 9, 1);
const scrubber = new Scrubber();

/** The store with every group statistics read compiled over `events`, and a funnel read once with and once without its breakdown. */
function overEvents(store: DuckDBStore): Store {
  return new Proxy(store, {
    get(target, property, receiver) {
      // No session of parts either: every question is read over events.
      if (property === 'statisticsSession') return undefined;
      if (property === 'groupStatistics') {
        return async (project: string, query: EventQuery, entity: string, options: GroupStatisticsOptions = {}) => {
          const { sql, parameters } = compileGroupStatistics(project, query, entity, options);
          return (await target.read(sql, parameters)).map((row) => groupStatisticsOf(row, query, options));
        };
      }
      if (property === 'sequentialFunnelCellsAndWhole') {
        return (project: string, funnel: FunnelQuery, entity: string, alsoWindow?: number) => cellsAndWholeEach(funnel, alsoWindow, async (asked) => ({
          cells: await target.sequentialFunnelCells(project, asked, entity),
          whole: await target.sequentialFunnelCells(project, { ...asked, breakdown: undefined }, entity),
        }));
      }
      const value = Reflect.get(target, property, receiver) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

let store: DuckDBStore;
let fromLayouts: Analytics;
let fromEvents: Analytics;

beforeAll(async () => {
  store = await DuckDBStore.open(temporaryDirectory('guard-layouts'), { loadInterval: 3_600_000 });
  const next = random(24);
  const rows: EventRow[] = [];
  const names = ['cart viewed', 'checkout started', 'order placed', undefined, undefined];
  for (let index = 0; index < 5000; index++) {
    // Many people in the busy hours, a few alone in others: groups shown, merged and suppressed.
    const user = next() < 0.05 ? undefined : `user-${Math.floor(next() ** 2 * 120)}`;
    const variant = user === undefined ? 'A' : Number(user.slice(5)) % 2 === 0 ? 'A' : 'B';
    const spec = {
      userId: user,
      name: names[Math.floor(next() * names.length)],
      // Errors are rare: few people in each hour's group, some alone.
      severity: (next() < 0.03 ? 'ERROR' : next() < 0.25 ? 'WARN' : 'INFO') as 'ERROR' | 'WARN' | 'INFO',
      ts: t0 + Math.floor(next() ** 0.5 * 6 * day) + Math.floor(next() * hour),
      vars: { experiments: { 'checkout-v2': variant } },
    };
    rows.push(eventToRow('default', JSON.parse(envelope(spec)) as Envelope, spec.ts, scrubber));
  }
  // Two loads: the layouts hold rows merged from both.
  await store.insert(rows.slice(0, 3000));
  await store.read('SELECT 1');
  await store.insert(rows.slice(3000));
  fromLayouts = new Analytics(store, 'layouts-salt', new AuditLog(temporaryDirectory('guard-layouts-audit'), 'salt'));
  fromEvents = new Analytics(overEvents(store), 'layouts-salt', new AuditLog(temporaryDirectory('guard-layouts-audit-events'), 'salt'));
}, 60_000);

afterAll(async () => {
  await store.close();
});

const severity = { field: { column: 'severity' as const } };

describe('guarded answers from the derived layouts', () => {
  it('are those of the reads over events, for series of every shape the rollups serve', async () => {
    const queries: EventQuery[] = [
      { where: [], groupBy: [{ time: 'hour' }, severity], aggregates: [{ fn: 'count' }], limit: 10_000 },
      { from: t0 + day, to: t0 + 4 * day, where: [], groupBy: [{ time: 'hour' }, severity], aggregates: [{ fn: 'count' }], limit: 10_000 },
      { where: [{ ...severity, op: 'eq', value: 'ERROR' }], groupBy: [{ time: 'day' }], aggregates: [{ fn: 'count' }], limit: 10_000 },
      { where: [{ ...severity, op: 'eq', value: 'ERROR' }], groupBy: [{ time: 'hour' }], aggregates: [{ fn: 'count' }], limit: 10_000 },
      { from: t0 + 2 * day, where: [], groupBy: [severity], aggregates: [{ fn: 'count' }], limit: 100 },
      { from: t0 + 5 * day, to: t0 + 5 * day + 7 * hour, where: [{ ...severity, op: 'eq', value: 'WARN' }], groupBy: [], aggregates: [{ fn: 'count' }], limit: 1 },
      { where: [], groupBy: [{ time: 'week' }, severity], aggregates: [{ fn: 'count' }], limit: 10_000 },
    ];
    let shown = 0;
    for (const query of queries) {
      for (const access of ['untrusted', 'trusted'] as AccessLevel[]) {
        const answer = await fromLayouts.query('default', query, access, 'reader');
        expect(answer.exact).toBe(false);
        expect(JSON.stringify(answer), `${access} ${JSON.stringify(query)}`).toBe(JSON.stringify(await fromEvents.query('default', query, access, 'reader')));
        shown += answer.rows.length;
      }
    }
    expect(shown).toBeGreaterThan(100);
  }, 120_000);

  it('come, for an hourly series by severity, from parts read once, with no question left to the store', async () => {
    let asked = 0;
    const counting = new Proxy(store, {
      get(target, property, receiver) {
        if (property === 'groupStatistics') return (...args: Parameters<DuckDBStore['groupStatistics']>) => (asked++, target.groupStatistics(...args));
        const value = Reflect.get(target, property, receiver) as unknown;
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
    const fromParts = new Analytics(counting, 'layouts-salt', new AuditLog(temporaryDirectory('guard-layouts-audit-parts'), 'salt'));
    const query: EventQuery = { where: [], groupBy: [{ time: 'hour' }, severity], aggregates: [{ fn: 'count' }], limit: 10_000 };
    // The first question about severity measures whether the column isolates (kept for ten minutes).
    await fromParts.query('default', query, 'untrusted', 'reader');
    asked = 0;
    const answer = await fromParts.query('default', query, 'untrusted', 'reader');
    expect(asked).toBe(0);
    expect(answer.rows.length).toBeGreaterThan(10);
    expect(answer.rows.some((row) => row['time:hour'] === '*')).toBe(true);
    expect(JSON.stringify(answer)).toBe(JSON.stringify(await fromEvents.query('default', query, 'untrusted', 'reader')));
  }, 120_000);

  it('are those of the reads over events, for funnels with and without a breakdown', async () => {
    const steps = [{ name: 'cart viewed', where: [] }, { name: 'checkout started', where: [] }, { name: 'order placed', where: [] }];
    const breakdown = { json: 'experiments' as const, key: 'checkout-v2' };
    const funnels: FunnelQuery[] = [
      { steps, window: hour, order: 'sequential', exclusions: [], breakdown },
      { steps, window: day, order: 'sequential', exclusions: [], from: t0 + day, to: t0 + 5 * day, breakdown },
      { steps: steps.slice(0, 2), window: day, order: 'sequential', exclusions: [{ name: 'order placed', fromStep: 0, toStep: 1 }], breakdown },
      { steps, window: 6 * hour, order: 'strict', exclusions: [], breakdown },
      { steps, window: hour, order: 'sequential', exclusions: [] },
      // A breakdown that splits nothing (every attempt starts with the same name) is answered with the whole funnel's cells.
      { steps, window: day, order: 'sequential', exclusions: [], breakdown: { column: 'name' } },
    ];
    let users = 0;
    for (const funnel of funnels) {
      const answer = await fromLayouts.funnel('default', funnel, 'untrusted', 'reader');
      expect(JSON.stringify(answer), JSON.stringify(funnel)).toBe(JSON.stringify(await fromEvents.funnel('default', funnel, 'untrusted', 'reader')));
      users += answer.breakdowns.reduce((sum, entry) => sum + entry.steps[0]!.users, 0);
    }
    expect(users).toBeGreaterThan(50);
  }, 120_000);
});
