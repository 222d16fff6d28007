/**
 * The guard's work as a side channel: an attacker who times "A" and "A and plan = pro" (the victim
 * the only person in A's city not on pro) saw one more store query exactly when "plan = pro"
 * excluded the victim, that is when the victim was in A. Here every store call a guarded answer
 * makes is recorded (the method, and for group statistics the shape of the question: conditions,
 * dimensions, merging, variants), and the record must be the same for a positive and a negative
 * victim, on every route that runs low-effect detection and every number of dimensions.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Analytics } from '../analytics/analytics.js';
import { AuditLog } from '../analytics/audit-log.js';
import { Scrubber } from '../collector/scrub.js';
import { type Envelope, eventToRow } from '../collector/event-to-row.js';
import { parseFunnel } from '../domain/funnel-model.js';
import { type EventQuery, parseQuery } from '../domain/query-model.js';
import type { Store } from '../store/store.js';
import type { GroupStatisticsOptions } from '../store/row-mapping.js';
import { DuckDBStore } from '../store/duckdb/duckdb-store.js';
import { temporaryDirectory } from './helpers/collector-process.js';
import { envelope } from './helpers/dataset.js';

const start = Date.UTC(2026, 10, 2, 8);
/** city-0's victim is positive, city-1's negative; everyone else is on pro, half of each result. */
const victims: Record<string, 'positive' | 'negative'> = { 'city-0': 'positive', 'city-1': 'negative' };
let store: DuckDBStore;
let analytics: Analytics;
let calls: string[] = [];

/** The store, recording each call's method and the shape (never the values) of what it asks. */
function recording(inner: Store): Store {
  return new Proxy(inner, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof value !== 'function' || typeof property !== 'string') return value;
      return (...args: unknown[]) => {
        if (['groupStatistics', 'runQuery', 'sequentialFunnelCells', 'sequentialFunnelCellsAndWhole', 'funnelEvents', 'experimentEvents', 'templateRows'].includes(property)) calls.push(shape(property, args));
        return (value as (...args: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

function shape(method: string, args: unknown[]): string {
  const query = args[1] as Partial<EventQuery> & { steps?: unknown[] };
  const options = (args[3] ?? {}) as GroupStatisticsOptions;
  return JSON.stringify([
    method,
    query.where?.length ?? null,
    query.groupBy?.length ?? null,
    query.from !== undefined,
    query.to !== undefined,
    query.steps?.length ?? null,
    options.keep ?? null,
    options.onlyGroups !== undefined,
    options.exceptGroups?.map((entry) => entry.keep) ?? null,
    options.variants?.conditions.length ?? null,
    options.variants?.keyDimensions ?? null,
    options.facts ?? false,
  ]);
}

beforeAll(async () => {
  store = await DuckDBStore.open(temporaryDirectory('privacy-timing'), { loadInterval: 60_000 });
  const lines: string[] = [];
  for (const [cityIndex, city] of ['city-0', 'city-1', 'city-2', 'city-3'].entries()) {
    const people = [
      ...Array.from({ length: 14 }, (_, index) => ({ id: `${city}-p${index}`, plan: 'pro', result: index % 2 === 0 ? 'positive' : 'negative' })),
      { id: `${city}-victim`, plan: 'free', result: victims[city] ?? 'positive' },
    ];
    for (const [personIndex, person] of people.entries()) {
      const ts = start + (cityIndex * 20 + personIndex) * 60_000;
      const attributes = { city, plan: person.plan, tier: personIndex % 3 === 0 ? 'gold' : 'silver', age: 20 + personIndex };
      lines.push(envelope({ userId: person.id, name: 'page view', ts, attributes, vars: { city } }));
      lines.push(envelope({ userId: person.id, name: 'lab result', ts: ts + 10, attributes: { ...attributes, result: person.result }, vars: { city } }));
      lines.push(envelope({ userId: person.id, name: 'follow-up', ts: ts + 20, attributes, vars: { city } }));
    }
  }
  await store.insert(lines.map((line) => eventToRow('default', JSON.parse(line) as Envelope, Date.now(), new Scrubber())));
  await store.load();
  analytics = new Analytics(recording(store), 'timing-salt', new AuditLog(temporaryDirectory('privacy-timing-audit'), 'salt'));
  // The first question about a column measures whether it isolates (kept ten minutes): work about
  // the column, not about anyone's secret, done here once for every column the tests use.
  const every = [{ field: 'attributes.city', value: 'city-2' }, { field: 'name', value: 'lab result' }, { field: 'attributes.result', value: 'positive' }, { field: 'attributes.plan', value: 'pro' }];
  await analytics.query('default', parseQuery({ where: every, groupBy: [{ field: 'attributes.tier' }, { field: 'attributes.age' }], aggregates: [{ fn: 'count' }] }), 'untrusted', 'reader');
  await analytics.funnel('default', parseFunnel({ steps: [{ name: 'lab result', where: every.filter((filter) => filter.field !== 'name') }, { name: 'follow-up' }], breakdown: 'attributes.tier' }), 'untrusted', 'reader');
}, 60_000);

afterAll(async () => {
  await store.close();
});

/** The store calls one guarded answer makes, and the answer. */
async function recorded<T>(answer: () => Promise<T>): Promise<{ calls: string[]; answer: T }> {
  calls = [];
  const result = await answer();
  return { calls, answer: result };
}

const pro = { field: 'attributes.plan', value: 'pro' };
const labResults = (city: string, extra: unknown[] = []) => [{ field: 'attributes.city', value: city }, { field: 'name', value: 'lab result' }, { field: 'attributes.result', value: 'positive' }, ...extra];

describe('the guard does the same work whatever low-effect detection finds', () => {
  it('makes the same store calls for a positive and a negative victim, grouped by none to three dimensions', async () => {
    const groupings = [[], ['attributes.tier'], ['attributes.tier', 'name'], ['attributes.tier', 'name', 'attributes.age']];
    for (const groupBy of groupings) {
      const ask = (city: string, extra: unknown[] = []) => recorded(() =>
        analytics.query('default', parseQuery({ where: labResults(city, extra), groupBy: groupBy.map((field) => ({ field })), aggregates: [{ fn: 'count' }, { fn: 'users' }] }), 'untrusted', 'reader'));
      const positive = { a: await ask('city-0'), b: await ask('city-0', [pro]) };
      const negative = { a: await ask('city-1'), b: await ask('city-1', [pro]) };
      // The victim changes no answer (low-effect detection drops "plan = pro" in both cities)...
      expect(positive.b.answer.rows, `${groupBy}`).toEqual(positive.a.answer.rows);
      expect(negative.b.answer.rows, `${groupBy}`).toEqual(negative.a.answer.rows);
      // ...and no work: "plan = pro" excluded the positive victim and nobody in city-1, and the
      // guard asked the store the same questions in the same order for both.
      expect(positive.b.calls, `${groupBy}`).toEqual(negative.b.calls);
      expect(positive.a.calls, `${groupBy}`).toEqual(negative.a.calls);
      expect(positive.b.calls.length - positive.a.calls.length).toBe(negative.b.calls.length - negative.a.calls.length);
    }
  });

  it('does the same for a count with a time range and for funnels with and without a breakdown', async () => {
    const count = (city: string, extra: unknown[] = []) => recorded(() =>
      analytics.query('default', parseQuery({ from: start - 86_400_000, where: labResults(city, extra), aggregates: [{ fn: 'count' }] }), 'untrusted', 'reader'));
    expect((await count('city-0', [pro])).calls).toEqual((await count('city-1', [pro])).calls);
    for (const breakdown of [undefined, 'attributes.tier']) {
      for (const order of ['sequential', 'strict']) {
        const funnel = (city: string, extra: unknown[] = []) => recorded(() => analytics.funnel('default', parseFunnel({
          steps: [{ name: 'lab result', where: labResults(city, extra).slice(2).concat([{ field: 'attributes.city', value: city }]) }, { name: 'follow-up' }],
          order,
          ...(breakdown === undefined ? {} : { breakdown }),
        }), 'untrusted', 'reader'));
        const positive = await funnel('city-0', [pro]);
        const negative = await funnel('city-1', [pro]);
        expect(positive.calls, `${breakdown} ${order}`).toEqual(negative.calls);
        // A sequential funnel is read with and without its breakdown, and with its window and a
        // year's, at once, for every combination of parts (a strict funnel too: its order is a part,
        // relaxed to sequential; and a funnel without a breakdown: its window is a part).
        const reads = positive.calls.filter((call) => call.startsWith('["sequentialFunnelCellsAndWhole"') || call.startsWith('["funnelEvents"')).length;
        expect(reads > 0, `${breakdown} ${order}`).toBe(true);
        expect(positive.calls.filter((call) => call.startsWith('["sequentialFunnelCells"')), `${breakdown} ${order}`).toEqual([]);
        expect(positive.answer, `${breakdown} ${order}`).toEqual((await funnel('city-0')).answer);
      }
    }
  });
});
