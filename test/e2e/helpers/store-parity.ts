/**
 * One dataset and one set of questions for comparing a ClickHouse layout with the embedded DuckDB
 * store: a small shop (60 users with page views, a three-step funnel, an experiment and some
 * errors), the query model's shapes, guarded inputs and funnels, and one normalization so both
 * stores' answers compare with toEqual.
 */
import { type Envelope, eventToRow } from '../../../server/collector/event-to-row.js';
import { Scrubber } from '../../../server/collector/scrub.js';
import type { EventRow } from '../../../server/domain/event-row.js';
import { type EventSpec, envelope } from '../../../server/test/helpers/dataset.js';

export const hour = 3_600_000;
export const start = Date.UTC(2026, 10, 20, 8);

export function shopDataset(): EventRow[] {
  let seed = 7;
  const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648);
  const specs: EventSpec[] = [];
  const countries = ['de', 'fr', 'it', 'es', 'nl'];
  for (let user = 0; user < 60; user++) {
    const userId = `user-${user}`;
    const country = countries[user % countries.length]!;
    const variant = user % 2 === 0 ? 'control' : 'B';
    let ts = start + Math.floor(random() * 6 * hour);
    const vars = { country, experiments: { 'checkout-v2': variant } };
    specs.push({ userId, ts, name: '$exposure', attributes: { experiment: 'checkout-v2', variant }, vars });
    for (let view = 0; view < 1 + (user % 4); view++) {
      ts += Math.floor(random() * 600_000);
      specs.push({ userId, ts, template: 'page %s viewed', args: [`/p/${view}`], attributes: { path: `/p/${view}`, ms: Math.floor(random() * 900) }, vars });
    }
    const steps = ['cart viewed', 'checkout started', 'order placed'];
    const reach = user % 5 === 0 ? 0 : user % 3 === 0 ? 1 : 2 + (variant === 'B' ? 0 : user % 2);
    for (let step = 0; step <= Math.min(reach, 2); step++) {
      ts += Math.floor(random() * 900_000);
      specs.push({ userId, ts, name: steps[step], attributes: { amount: 10 + (user % 7) * 5.5 }, vars });
    }
    if (user % 6 === 0) specs.push({ userId, ts: ts + 1000, template: 'card declined for %s', args: [userId], severity: 'ERROR', vars });
    // Server-side events without a user (spread over the shards by their id).
    if (user % 10 === 0) specs.push({ ts: ts + 2000, template: 'stock synced in %d ms', args: [user * 3], severity: 'WARN' });
  }
  const scrubber = new Scrubber();
  // Received as they happen: retention goes by the earlier of the two times.
  return specs.map((spec) => eventToRow('default', JSON.parse(envelope(spec)) as Envelope, spec.ts ?? start, scrubber));
}

/** Numbers as numbers, floats to 9 significant digits: both stores' answers in one shape. */
export function normalized(value: unknown): unknown {
  if (typeof value === 'number') return Number.isInteger(value) ? value : Number(value.toPrecision(9));
  if (typeof value === 'string' && /^-?\d+(\.\d+)?(e[+-]?\d+)?$/.test(value)) return normalized(Number(value));
  if (Array.isArray(value)) return value.map(normalized);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, normalized(inner)]));
  return value;
}

const f = (field: string) => ({ field });

/** The query model's shapes: dimensions, bins, percentiles, filters, a cohort. */
export const directQueries = [
  { groupBy: [f('severity')], aggregates: [{ fn: 'count' }, { fn: 'users' }] },
  { groupBy: [{ time: 'hour' }], aggregates: [{ fn: 'count' }] },
  { groupBy: [{ time: 'week' }, f('name')], aggregates: [{ fn: 'count' }, { fn: 'users' }] },
  {
    groupBy: [f('vars.country')],
    aggregates: [{ fn: 'count' }, { fn: 'users' }, { fn: 'sum', field: 'attributes.amount' }, { fn: 'avg', field: 'attributes.amount' }, { fn: 'p50', field: 'attributes.ms' }, { fn: 'p90', field: 'attributes.ms' }, { fn: 'max', field: 'attributes.ms' }],
  },
  { groupBy: [{ field: 'attributes.amount', bin: 10 }], where: [{ field: 'name', op: 'eq', value: 'order placed' }] },
  { groupBy: [f('template')], where: [{ field: 'template', op: 'prefix', value: 'page' }, { field: 'severity', op: 'ne', value: 'ERROR' }] },
  { where: [{ field: 'message', op: 'contains', value: 'CARD' }] },
  { groupBy: [f('experiments.checkout-v2')], aggregates: [{ fn: 'users' }], where: [{ field: 'vars.country', op: 'in', value: ['de', 'fr'] }] },
  { aggregates: [{ fn: 'count' }, { fn: 'users' }], where: [{ field: 'attributes.ms', op: 'gte', value: 450 }] },
  { groupBy: [f('name')], cohort: { name: 'order placed' } },
  { groupBy: [f('severity')], cohort: { name: 'checkout started', where: [{ field: 'vars.country', op: 'eq', value: 'it' }] } },
];

/** What untrusted readers ask (noise, suppression and the low-effect merge all come into play). */
export const guardedQueries = [
  { groupBy: [f('vars.country')], aggregates: [{ fn: 'count' }, { fn: 'users' }] },
  { groupBy: [f('name'), f('vars.country'), { time: 'hour' }], aggregates: [{ fn: 'users' }] },
  { groupBy: [f('template')] },
  { aggregates: [{ fn: 'count' }], cohort: { name: 'order placed' } },
];

/** Funnels: every order with a breakdown, exclusions, windows, a time range, a step filter. */
export const funnels = [
  ...['sequential', 'strict', 'any'].map((order) => ({ steps: [{ name: 'cart viewed' }, { name: 'checkout started' }, { name: 'order placed' }], order, breakdown: 'experiments.checkout-v2' })),
  { steps: [{ name: '$exposure' }, { name: 'cart viewed' }, { name: 'order placed' }], exclusions: [{ name: 'checkout started', fromStep: 1, toStep: 2 }] },
  { steps: [{ name: '$exposure' }, { name: 'checkout started' }], window: 600_000, breakdown: 'vars.country' },
  { steps: [{ name: 'cart viewed' }, { name: 'checkout started' }, { name: 'order placed' }], from: start + hour, to: start + 4 * hour, window: 1_800_000 },
  { steps: [{ name: 'cart viewed', where: [{ field: 'vars.country', op: 'eq', value: 'de' }] }, { name: 'order placed' }], exclusions: [{ name: '$exposure', fromStep: 0, toStep: 1 }] },
];
