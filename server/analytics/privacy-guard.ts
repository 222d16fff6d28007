/**
 * The privacy guard (after Open Diffix "Fir", pg_diffix): answers for readers below `direct`
 * access are computed from per-entity contributions, so that no answer singles out one person.
 *
 * - Low-count filter: a group with fewer distinct entities than max(3, 3 + 2√2 + N(0,1)) is
 *   suppressed, the noise seeded by the group's entity set.
 * - Sticky layered noise: one N(0,1) layer seeded by the query's own conditions and the group's
 *   labels (an order-free combination of hashes of column, function and constant), one seeded by
 *   the entity set; both through SHA-256 with the project's secret salt. The same question gets
 *   the same answer, so asking again or rephrasing cannot average the noise away.
 * - Flattening: event counts take the 1–2 largest contributors (the number drawn from the entity
 *   seed) down to the average of the next 3–4, and the noise scales with that average, so one
 *   heavy user neither shows through nor hides behind a small noise.
 * - Suppressed groups are merged into one `*` group, which is itself filtered.
 */
import { createHash } from 'node:crypto';
import type { Aggregate, EventQuery } from './query-model.js';
import { fieldName } from './query-model.js';

export interface Contribution {
  /** The group's labels, in `groupBy` order. */
  labels: readonly unknown[];
  entity: string;
  events: number;
}

export interface GuardedRow {
  labels: unknown[];
  /** One value per aggregate, in order. */
  values: number[];
  /** The noise's standard deviation per aggregate (for error bars). */
  noiseSd: number[];
}

export interface GuardedAnswer {
  rows: GuardedRow[];
  /** Groups that were too small to show on their own (merged into the `*` row, if it passed). */
  suppressedGroups: number;
}

export const SUPPRESSED = '*';

function digest(...parts: (string | Buffer)[]): Buffer {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part).update('\u0000');
  return hash.digest();
}

/** A standard normal draw determined by `seed` (Box–Muller over two 32-bit halves of the hash). */
export function seededNormal(seed: Buffer, purpose: string): number {
  const bytes = digest(seed, purpose);
  const u1 = (bytes.readUInt32BE(0) + 1) / 4294967297;
  const u2 = bytes.readUInt32BE(4) / 4294967296;
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

function seededInteger(seed: Buffer, purpose: string, low: number, high: number): number {
  return low + (digest(seed, purpose).readUInt32BE(0) % (high - low + 1));
}

/** XOR of per-item hashes: the same set gives the same seed in any order. */
function orderFree(items: readonly string[]): Buffer {
  const combined = Buffer.alloc(32);
  for (const item of items) {
    const hash = digest(item);
    for (let index = 0; index < 32; index++) combined[index]! ^= hash[index]!;
  }
  return combined;
}

export class PrivacyGuard {
  constructor(private readonly salt: string) {}

  /** The seed of the query's conditions: each filter as (column, function, constant). */
  #querySeed(query: EventQuery, aggregate: Aggregate, labels: readonly unknown[]): Buffer {
    const items = query.where.map((filter) => JSON.stringify([fieldName(filter.field), filter.op, filter.value]));
    query.groupBy.forEach((dimension, index) => {
      const name = 'time' in dimension ? `time:${dimension.time}` : fieldName(dimension.field);
      items.push(JSON.stringify([name, 'group', labels[index] ?? null]));
    });
    if (query.from !== undefined) items.push(JSON.stringify(['ts', 'gte', query.from]));
    if (query.to !== undefined) items.push(JSON.stringify(['ts', 'lt', query.to]));
    return digest(this.salt, 'query', aggregate.fn, orderFree(items));
  }

  #entitySeed(entities: readonly string[]): Buffer {
    return digest(this.salt, 'entities', orderFree(entities));
  }

  /** Whether a group of these entities is too small to show. */
  lowCount(entities: readonly string[]): boolean {
    const seed = this.#entitySeed(entities);
    const threshold = Math.max(3, 3 + 2 * Math.SQRT2 + seededNormal(seed, 'low count'));
    return entities.length < threshold;
  }

  /** One group's guarded value for `aggregate` (count or users), with the noise's standard deviation. */
  #value(query: EventQuery, aggregate: Aggregate, labels: readonly unknown[], perEntity: Map<string, number>): [number, number] {
    const entities = [...perEntity.keys()];
    const entitySeed = this.#entitySeed(entities);
    const querySeed = this.#querySeed(query, aggregate, labels);
    const noise = seededNormal(querySeed, 'noise') + seededNormal(entitySeed, `noise:${aggregate.fn}`);
    if (aggregate.fn === 'users') return [Math.max(0, Math.round(entities.length + noise)), Math.SQRT2];
    // count: flatten the largest contributors to the average of the group just below them.
    const contributions = [...perEntity.values()].sort((a, b) => b - a);
    const outliers = Math.min(seededInteger(entitySeed, 'outliers', 1, 2), Math.max(0, contributions.length - 1));
    const topSize = seededInteger(entitySeed, 'top group', 3, 4);
    const top = contributions.slice(outliers, outliers + topSize);
    const topAverage = top.length === 0 ? contributions[0] ?? 0 : top.reduce((sum, value) => sum + value, 0) / top.length;
    let total = 0;
    for (let index = 0; index < contributions.length; index++) {
      total += index < outliers ? Math.min(contributions[index]!, topAverage) : contributions[index]!;
    }
    const scale = Math.max(1, topAverage);
    return [Math.max(0, Math.round(total + noise * scale)), Math.SQRT2 * scale];
  }

  /**
   * A guarded number of distinct people for one cell of a larger answer (a funnel step, an
   * experiment variant): `question` describes the query and `labels` the cell, for the sticky layer.
   */
  people(question: readonly string[], labels: readonly unknown[], entities: readonly string[]): { value: number; noiseSd: number; suppressed: boolean } {
    if (entities.length === 0 || this.lowCount(entities)) return { value: 0, noiseSd: 0, suppressed: true };
    const querySeed = digest(this.salt, 'question', orderFree([...question, ...labels.map((label, index) => JSON.stringify(['label', index, label ?? null]))]));
    const noise = seededNormal(querySeed, 'noise') + seededNormal(this.#entitySeed(entities), 'noise:users');
    return { value: Math.max(0, Math.round(entities.length + noise)), noiseSd: Math.SQRT2, suppressed: false };
  }

  /** Guards `count` and `users` aggregates over per-entity contributions. */
  answer(query: EventQuery, contributions: readonly Contribution[]): GuardedAnswer {
    const groups = new Map<string, { labels: unknown[]; perEntity: Map<string, number> }>();
    for (const row of contributions) {
      const key = JSON.stringify(row.labels);
      let group = groups.get(key);
      if (group === undefined) groups.set(key, (group = { labels: [...row.labels], perEntity: new Map() }));
      group.perEntity.set(row.entity, (group.perEntity.get(row.entity) ?? 0) + row.events);
    }
    const rows: GuardedRow[] = [];
    const suppressed = new Map<string, number>();
    let suppressedGroups = 0;
    const emit = (labels: unknown[], perEntity: Map<string, number>): void => {
      const values: number[] = [];
      const noiseSd: number[] = [];
      for (const aggregate of query.aggregates) {
        const [value, sd] = this.#value(query, aggregate, labels, perEntity);
        values.push(value);
        noiseSd.push(sd);
      }
      rows.push({ labels, values, noiseSd });
    };
    for (const group of groups.values()) {
      if (this.lowCount([...group.perEntity.keys()])) {
        suppressedGroups++;
        for (const [entity, events] of group.perEntity) suppressed.set(entity, (suppressed.get(entity) ?? 0) + events);
        continue;
      }
      emit(group.labels, group.perEntity);
    }
    // The suppress bin: shown only if it passes the same filter; never when nothing was grouped.
    if (query.groupBy.length > 0 && suppressed.size > 0 && !this.lowCount([...suppressed.keys()])) {
      emit(query.groupBy.map(() => SUPPRESSED), suppressed);
    }
    return { rows, suppressedGroups };
  }
}
