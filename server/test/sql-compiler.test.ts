/**
 * The one SQL compiler over its two dialects, without a ClickHouse server (test/e2e runs the
 * ClickHouse side beside DuckDB on the same events): hostile text in fields and values never
 * becomes SQL, DuckDB's numbered parameters all bind, and ClickHouse's literals are escaped.
 */
import { describe, expect, it } from 'vitest';
import { parseQuery } from '../domain/query-model.js';
import { parseFunnel } from '../domain/funnel-model.js';
import { clickHouseDialect } from '../store/clickhouse/dialect.js';
import { sqlLiteral } from '../store/clickhouse/schema.js';
import { duckdbDialect } from '../store/duckdb/dialect.js';
import { compileExperimentEvents, compileFunnelEvents, compileTemplateView } from '../store/sql/compile-events.js';
import { compileGroupStatistics, compileQuery } from '../store/sql/compile-query.js';
import type { Dialect } from '../store/sql/dialect.js';
import type { CompiledQuery } from '../store/sql/sql-builder.js';
import { DuckDBStore } from '../store/duckdb/duckdb-store.js';
import { type Envelope, eventToRow } from '../collector/event-to-row.js';
import { Scrubber } from '../collector/scrub.js';
import { temporaryDirectory } from './helpers/collector-process.js';
import { envelope } from './helpers/dataset.js';

const hostile = "x'); DROP TABLE events; --";
const hostileKey = "k'\"/~) OR 1=1 --";

const query = parseQuery({
  from: 1_700_000_000_000,
  to: 1_800_000_000_000,
  where: [
    { field: `attributes.${hostileKey}`, op: 'eq', value: hostile },
    { field: 'vars.plan', op: 'ne', value: hostile },
    { field: 'message', op: 'contains', value: hostile },
    { field: 'template', op: 'prefix', value: hostile },
    { field: 'attributes.amount', op: 'in', value: [1, 2.5] },
  ],
  groupBy: [{ field: `experiments.${hostileKey}` }, { time: 'hour' }, { field: 'attributes.amount', bin: 10 }],
  aggregates: [{ fn: 'count' }, { fn: 'users' }, { fn: 'p90', field: 'attributes.ms' }],
  cohort: { name: hostile, where: [{ field: 'severity', op: 'eq', value: hostile }] },
});
const funnel = parseFunnel({ steps: [{ name: hostile, where: [{ field: `attributes.${hostileKey}`, value: hostile }] }, { name: 'paid' }], exclusions: [{ name: hostile }], breakdown: `vars.${hostileKey}` });

function statements(dialect: Dialect): CompiledQuery[] {
  return [
    compileQuery(dialect, hostile, query),
    compileGroupStatistics(dialect, hostile, { ...query, unless: { where: query.where.slice(0, 1) } }, 'user_id', { facts: true }),
    compileGroupStatistics(dialect, hostile, query, 'user_id', { onlyGroups: [hostile, '[]'], keep: 1 }),
    compileFunnelEvents(dialect, hostile, funnel, 'user_id'),
    compileFunnelEvents(dialect, hostile, { ...funnel, order: 'strict' }, 'session_id'),
    compileExperimentEvents(dialect, hostile, { experiment: hostile, goal: hostile, window: 1000 }, 'user_id'),
    compileTemplateView(dialect, hostile, { from: 0, to: 10, minimumSeverity: 9, limit: 5 }, 'user_id'),
  ];
}

describe('the SQL compiler', () => {
  it('binds every value and JSON path as a numbered DuckDB parameter, never as text', () => {
    for (const { sql, parameters } of statements(duckdbDialect)) {
      expect(sql).not.toContain('DROP');
      expect(sql).not.toContain('OR 1=1');
      const used = new Set([...sql.matchAll(/\$(\d+)/g)].map((match) => Number(match[1])));
      // Every parameter is used, and nothing refers past the last one ("$exposure" is a string literal).
      expect([...used].filter((index) => !Number.isNaN(index)).sort((a, b) => a - b)).toEqual(parameters.map((_, index) => index + 1));
      expect(sql).not.toMatch(/\?/);
    }
  });

  it('writes ClickHouse values only through sqlLiteral, with no parameters', () => {
    for (const { sql, parameters } of statements(clickHouseDialect())) {
      expect(parameters).toEqual([]);
      // The hostile text appears only inside its escaped literal.
      expect(sql.split(sqlLiteral(hostile)).join('')).not.toContain('DROP');
      expect(sql.split(sqlLiteral(hostileKey)).join('')).not.toContain('OR 1=1');
    }
  });

  it('runs every DuckDB statement on a real store, the hostile strings matching nothing and changing nothing', async () => {
    const store = await DuckDBStore.open(temporaryDirectory('sql-compiler'), { loadInterval: 60_000 });
    try {
      const scrubber = new Scrubber();
      const ts = 1_750_000_000_000;
      const rows = [0, 1, 2].map((index) => eventToRow('default', JSON.parse(envelope({ userId: `user-${index}`, ts: ts + index, name: 'paid', attributes: { amount: index } })) as Envelope, ts, scrubber));
      await store.insert(rows);
      for (const { sql, parameters } of statements(duckdbDialect)) expect(await store.read(sql, parameters)).toEqual([]);
      expect(await store.read('SELECT count(*) AS n FROM events')).toEqual([{ n: '3' }]);
      // The same statements with the stored project find the rows they should.
      const paid = compileQuery(duckdbDialect, 'default', parseQuery({ where: [{ field: 'name', value: 'paid' }, { field: 'attributes.amount', op: 'gte', value: 1 }], aggregates: [{ fn: 'users' }] }));
      expect(await store.read(paid.sql, paid.parameters)).toEqual([{ a0: '2' }]);
    } finally {
      await store.close();
    }
  });
});
