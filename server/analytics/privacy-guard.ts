/**
 * The privacy guard (after Open Diffix "Fir", pg_diffix): answers for readers below `direct`
 * access are computed from per-entity contributions, so that no answer singles out one person.
 *
 * - Low-count filter: a group with fewer distinct entities than max(3, 3 + 2√2 + N(0,1)) is
 *   suppressed, the noise seeded by the group's entity set.
 * - Sticky layered noise: one N(0,1) layer seeded by what the query's conditions select and the
 *   group's label values (never dimension names, bin widths or labels of a dimension that splits
 *   nothing), one seeded by
 *   the entity set; both through SHA-256 with the project's secret salt. The same question gets
 *   the same answer, so asking again or rephrasing cannot average the noise away.
 * - Flattening: event counts take the 1–2 largest contributors (the number drawn from the entity
 *   seed), and any more of the six largest that stand far above the ones after them, down to the
 *   average of the next 3–4, and the noise scales with that average rounded up to 1, 2 or 5 × 10ⁿ,
 *   so a heavy user neither shows through nor hides behind a small noise, even beside another.
 * - Suppressed groups are merged into one `*` group, which is itself filtered.
 */
import * as crypto from 'node:crypto';
import { createHash } from 'node:crypto';
import type { Aggregate, EventQuery } from '../domain/query-model.js';
import { fieldName } from '../domain/query-model.js';
import { type GroupStatistics, SUPPRESSED } from '../domain/group-statistics.js';

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

// crypto.hash (Node 20.12+) hashes in one call, about twice as fast as createHash for short inputs.
const oneShot = (crypto as unknown as { hash?: (algorithm: string, data: string, encoding: 'buffer') => Buffer }).hash;

function digest(...parts: (string | Buffer)[]): Buffer {
  const text = parts.map((part) => (typeof part === 'string' ? part : part.toString('latin1'))).join('\u0000');
  return oneShot === undefined ? createHash('sha256').update(text).digest() : oneShot('sha256', text, 'buffer');
}

/**
 * A standard normal from eight bytes of a SHA-256 output. A seed's 32 bytes give four independent
 * draws (offsets 0, 8, 16, 24), so one hash serves several uses of the same seed.
 */
function normalAt(bytes: Buffer, offset: number): number {
  const u1 = (bytes.readUInt32BE(offset) + 1) / 4294967297;
  const u2 = bytes.readUInt32BE(offset + 4) / 4294967296;
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

/*
 * The entity seed's bytes: 0-7 the low-count threshold's draw, 8-15 the noise of event counts,
 * 16-23 the noise of people counts, 24-27 the number of outliers, 28-31 the top group's size.
 */
const LOW_COUNT = 0;
const NOISE_EVENTS = 8;
const NOISE_PEOPLE = 16;
const OUTLIERS = 24;
const TOP_GROUP = 28;

function integerAt(bytes: Buffer, offset: number, low: number, high: number): number {
  return low + (bytes.readUInt32BE(offset) % (high - low + 1));
}

/** The smallest of 1, 2, 5, 10, 20, 50, ... at or above `value` (value ≥ 1). */
function moneyStyleCeiling(value: number): number {
  const power = 10 ** Math.floor(Math.log10(value));
  return [1, 2, 5, 10].map((step) => step * power).find((candidate) => candidate >= value - 1e-9)!;
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

/**
 * "Designate where specificity is important": more people required before some answers show.
 * An event name or template listed here stays hidden to guarded readers until at least that many
 * distinct people produced it; a field listed here makes every group of a query that filters or
 * groups on it need that many.
 */
export interface DesignatedMinimums {
  names?: Record<string, number>;
  templates?: Record<string, number>;
  fields?: Record<string, number>;
}

export class PrivacyGuard {
  constructor(
    private readonly salt: string,
    private readonly minimums: DesignatedMinimums = {},
  ) {}

  /** The designated minimum a whole query carries (its filters and grouped fields). */
  #queryMinimum(query: EventQuery): number {
    let minimum = 0;
    const fields = this.minimums.fields ?? {};
    for (const filter of query.where) {
      minimum = Math.max(minimum, fields[fieldName(filter.field)] ?? 0, this.#valueMinimum(fieldName(filter.field), filter.value));
    }
    for (const dimension of query.groupBy) if ('field' in dimension) minimum = Math.max(minimum, fields[fieldName(dimension.field)] ?? 0);
    return minimum;
  }

  #valueMinimum(field: string, value: unknown): number {
    if (field === 'name') return this.minimums.names?.[String(value)] ?? 0;
    if (field === 'template') return this.minimums.templates?.[String(value)] ?? 0;
    return 0;
  }

  /** The designated minimum of one group: its own labels (a name or template it is grouped by). */
  #groupMinimum(query: EventQuery, labels: readonly unknown[]): number {
    let minimum = 0;
    query.groupBy.forEach((dimension, index) => {
      if ('field' in dimension) minimum = Math.max(minimum, this.#valueMinimum(fieldName(dimension.field), labels[index]));
    });
    return minimum;
  }

  /** The query's own conditions as items, made once per query (the part every group shares). */
  readonly #conditions = new WeakMap<EventQuery, string[]>();

  /**
   * The sticky layer's seed: the conditions and the group's labels as a sorted, so order-free, set.
   * A group may bring its own conditions (`GroupStatistics.conditions`): what each condition selects
   * rather than how it is spelled, without those that change nothing in the group.
   */
  #querySeed(query: EventQuery, aggregate: Aggregate, group: GroupStatistics): Buffer {
    const labels = group.labels;
    let conditions: readonly string[] | undefined = group.conditions ?? this.#conditions.get(query);
    if (conditions === undefined) {
      const written = query.where.map((filter) => JSON.stringify([fieldName(filter.field), filter.op, filter.value]));
      if (query.from !== undefined) written.push(JSON.stringify(['ts', 'gte', query.from]));
      if (query.to !== undefined) written.push(JSON.stringify(['ts', 'lt', query.to]));
      if (query.cohort !== undefined) written.push(JSON.stringify(['cohort', query.cohort.name, query.cohort.from ?? null, query.cohort.to ?? null, query.cohort.where.map((filter) => [fieldName(filter.field), filter.op, filter.value]).sort()]));
      this.#conditions.set(query, written);
      conditions = written;
    }
    const items = new Set(conditions);
    // A label is the value selected, not the dimension's name or bin width, and only the labels
    // that still select (`seedLabels`: a dimension of low effect on the group is not one), so
    // grouping by a missing or constant field, or in ever wider bins, asks nothing new.
    for (const label of group.seedLabels ?? labels) items.add(labelItem(label));
    return this.#itemsSeed(aggregate.fn, items);
  }

  #itemsSeed(fn: Aggregate['fn'], items: ReadonlySet<string>): Buffer {
    return digest(this.salt, 'query', fn, [...items].sort().join('\u0001'));
  }

  /** Whether `entities` people (their set digested as `entityDigest`) are too few to show: the low-count filter. */
  isLowCount(entities: number, entityDigest: string): boolean {
    return entities === 0 || this.#lowCount(entities, entityDigest);
  }

  /**
   * Whether a condition that excludes `entities` people (digested as `entityDigest`) from a group is
   * of low effect: fewer than a threshold drawn uniformly from (1, 11], seeded by those people and by
   * what the condition selects (`condition`: otherwise one draw would decide alike for every group
   * a victim is not in, and the groups they are in would stand out by deciding apart). So
   * one person excluded always is, and k people with probability (11 − k) / 10: whether one more
   * person is among those a condition excludes moves the chance that it goes by at most 10 points,
   * and whether an answer changed says little about that person.
   */
  isLowEffect(entities: number, entityDigest: string, condition = ''): boolean {
    if (entities === 0) return true;
    // The threshold is at most 11, so from 11 people on no draw makes the effect low.
    if (entities >= 11) return false;
    const uniform = (digest(this.salt, 'effect', condition, entityDigest).readUInt32BE(0) + 1) / 4294967296;
    return entities < 1 + 10 * uniform;
  }

  /**
   * A small count about groups rather than people (how many groups went into the `*` row): with a
   * sticky N(0,1) seeded by the people behind it and `question`, never below 0.
   */
  noisyGroupCount(question: string, value: number, entityDigest: string): number {
    return Math.max(0, Math.round(value + normalAt(digest(this.salt, 'groups', question, entityDigest), 0)));
  }

  /**
   * A duration about a group the guard shows (a funnel cell's blurred median): times a sticky
   * 1 + 0.05·(N₁ + N₂)/√2, one draw seeded by the question and the cell's labels, one by its
   * people alone. With one draw seeded by both, every other question over the same people drew
   * afresh, and six of them averaged to within 0.2% of the exact median; the people's own layer
   * stays whatever is asked.
   */
  noisyDuration(question: readonly string[], labels: readonly unknown[], entityDigest: string, value: number): number {
    const asked = digest(this.salt, 'duration', orderFree([...question, ...labels.map((label, index) => JSON.stringify(['label', index, label ?? null]))]));
    const people = digest(this.salt, 'duration-people', entityDigest);
    return Math.max(0, value * (1 + 0.05 * (normalAt(asked, 0) + normalAt(people, 0)) / Math.SQRT2));
  }

  /** Two sticky N(0,1) draws for deciding whether a column isolates, seeded by the column and its holders. */
  columnNoise(column: string, holdersDigest: string): [number, number] {
    const seed = digest(this.salt, 'column', column, holdersDigest);
    return [normalAt(seed, 0), normalAt(seed, 8)];
  }

  /** Whether a group of these entities is too small to show. */
  lowCount(entities: readonly string[]): boolean {
    return this.#lowCount(entities.length, digestOfEntities(entities));
  }

  /**
   * The entity layer's seed of a group, made once per group object: `fromStatistics` seeds the
   * groups it shows and `rowsOf` the same objects again. Kept no longer than the group itself.
   */
  #entitySeed(group: GroupStatistics): Buffer {
    const known = this.#entitySeeds.get(group);
    if (known !== undefined && known.entityDigest === group.entityDigest) return known.seed;
    const seed = digest(this.salt, 'entities', group.entityDigest);
    this.#entitySeeds.set(group, { entityDigest: group.entityDigest, seed });
    return seed;
  }

  readonly #entitySeeds = new WeakMap<GroupStatistics, { entityDigest: string; seed: Buffer }>();

  #lowCount(entities: number, entityDigest: string, seed = digest(this.salt, 'entities', entityDigest)): boolean {
    const threshold = Math.max(3, 3 + 2 * Math.SQRT2 + normalAt(seed, LOW_COUNT));
    return entities < threshold;
  }

  /** One group's guarded value for `aggregate` (count or users), with the noise's standard deviation. */
  #value(query: EventQuery, aggregate: Aggregate, group: GroupStatistics, entitySeed: Buffer): [number, number] {
    const querySeed = this.#querySeed(query, aggregate, group);
    const noise = normalAt(querySeed, 0) + normalAt(entitySeed, aggregate.fn === 'users' ? NOISE_PEOPLE : NOISE_EVENTS);
    if (aggregate.fn === 'users') return [Math.max(0, Math.round(group.entities + noise)), Math.SQRT2];
    // count: flatten the largest contributors to the average of the group just below them.
    const top = group.top;
    const topSize = integerAt(entitySeed, TOP_GROUP, 3, 4);
    let outliers = Math.min(integerAt(entitySeed, OUTLIERS, 1, 2), Math.max(0, top.length - 1));
    // More contributors go with the outliers while the next stands more than twice above the
    // average of those after it (up to all but the last two of the six largest): with one or two
    // outliers only, a single other heavy contributor (a bot, or one an attacker adds) took the
    // flattening, and the victim's own heavy count then showed in the count and in its noiseSd.
    const averageAfter = (index: number) => {
      const after = top.slice(index + 1, index + 1 + topSize);
      return after.reduce((sum, value) => sum + value, 0) / Math.max(1, after.length);
    };
    while (outliers < top.length - 2 && top[outliers]! > 2 * averageAfter(outliers)) outliers++;
    const topGroup = top.slice(outliers, outliers + topSize);
    const topAverage = topGroup.length === 0 ? top[0] ?? 0 : topGroup.reduce((sum, value) => sum + value, 0) / topGroup.length;
    let flattening = 0;
    for (let index = 0; index < outliers; index++) flattening += Math.max(0, top[index]! - topAverage);
    // The scale is shown (as noiseSd): rounded up to 1, 2 or 5 × 10ⁿ, it tells the order of the
    // heaviest contributions, not their exact average.
    const scale = moneyStyleCeiling(Math.max(1, topAverage));
    return [Math.max(0, Math.round(group.events - flattening + noise * scale)), Math.SQRT2 * scale];
  }

  /**
   * A guarded number of distinct people for one cell of a larger answer (a funnel step, an
   * experiment variant): `question` describes the query and `labels` the cell, for the sticky layer.
   */
  people(question: readonly string[], labels: readonly unknown[], entities: readonly string[]): { value: number; noiseSd: number; suppressed: boolean } {
    return this.peopleOf(question, labels, entities.length, digestOfEntities(entities));
  }

  /** As `people`, from the set's size and order-free digest (computed where the data is). */
  peopleOf(question: readonly string[], labels: readonly unknown[], entities: number, entityDigest: string): { value: number; noiseSd: number; suppressed: boolean } {
    if (entities === 0 || this.#lowCount(entities, entityDigest)) return { value: 0, noiseSd: 0, suppressed: true };
    const querySeed = digest(this.salt, 'question', orderFree([...question, ...labels.map((label, index) => JSON.stringify(['label', index, label ?? null]))]));
    const noise = normalAt(querySeed, 0) + normalAt(digest(this.salt, 'entities', entityDigest), NOISE_PEOPLE);
    return { value: Math.max(0, Math.round(entities + noise)), noiseSd: Math.SQRT2, suppressed: false };
  }

  /**
   * A guarded number of distinct people seeded as a query's `users` row is: `items` are what its
   * standing conditions select and its labels (`labelItem`), so a funnel's first step and the
   * query for the same people ("users who did A") are one question with one answer.
   */
  peopleAsQueried(items: readonly string[], entities: number, entityDigest: string): { value: number; noiseSd: number; suppressed: boolean } {
    if (entities === 0 || this.#lowCount(entities, entityDigest)) return { value: 0, noiseSd: 0, suppressed: true };
    const noise = normalAt(this.#itemsSeed('users', new Set(items)), 0) + normalAt(digest(this.salt, 'entities', entityDigest), NOISE_PEOPLE);
    return { value: Math.max(0, Math.round(entities + noise)), noiseSd: Math.SQRT2, suppressed: false };
  }

  /**
   * Guards groups given as statistics (computed where the data is): rows for the groups that pass
   * the low-count filter, and the labels of those that do not, for the caller to gather into the bin.
   */
  fromStatistics<Group extends GroupStatistics>(query: EventQuery, groups: readonly Group[]): { rows: GuardedRow[]; suppressed: Group[] } {
    const { shown, suppressed } = this.lowCountSplit(query, groups);
    return { rows: shown.map((group) => this.#row(query, group, this.#entitySeed(group))), suppressed };
  }

  /** The groups that pass the low-count filter (and designated minimums) and those that do not, with no rows made. */
  lowCountSplit<Group extends GroupStatistics>(query: EventQuery, groups: readonly Group[]): { shown: Group[]; suppressed: Group[] } {
    const shown: Group[] = [];
    const suppressed: Group[] = [];
    const queryMinimum = this.#queryMinimum(query);
    for (const group of groups) {
      const designated = Math.max(queryMinimum, this.#groupMinimum(query, group.labels));
      if (group.entities === 0 || group.entities < designated || this.#lowCount(group.entities, group.entityDigest, this.#entitySeed(group))) suppressed.push(group);
      else shown.push(group);
    }
    return { shown, suppressed };
  }

  /** The `*` row from the statistics of all suppressed groups together, if it passes the filter itself. */
  bin(query: EventQuery, merged: GroupStatistics): GuardedRow | undefined {
    if (query.groupBy.length === 0 || merged.entities === 0 || merged.entities < this.#queryMinimum(query) || this.#lowCount(merged.entities, merged.entityDigest)) return undefined;
    return this.#row(query, { ...merged, labels: query.groupBy.map(() => SUPPRESSED) }, digest(this.salt, 'entities', merged.entityDigest));
  }

  /** Rows for groups already found to pass the filters (answered from statistics of a larger set of their rows). */
  rowsOf(query: EventQuery, groups: readonly GroupStatistics[]): GuardedRow[] {
    return groups.map((group) => this.#row(query, group, this.#entitySeed(group)));
  }

  #row(query: EventQuery, group: GroupStatistics, entitySeed: Buffer): GuardedRow {
    const values: number[] = [];
    const noiseSd: number[] = [];
    for (const aggregate of query.aggregates) {
      const [value, sd] = this.#value(query, aggregate, group, entitySeed);
      values.push(value);
      noiseSd.push(sd);
    }
    return { labels: [...group.labels], values, noiseSd };
  }

  /** Guards `count` and `users` aggregates over per-entity contributions (computed in Node). */
  answer(query: EventQuery, contributions: readonly Contribution[]): GuardedAnswer {
    const groups = new Map<string, { labels: unknown[]; perEntity: Map<string, number> }>();
    for (const row of contributions) {
      const key = JSON.stringify(row.labels);
      let group = groups.get(key);
      if (group === undefined) groups.set(key, (group = { labels: [...row.labels], perEntity: new Map() }));
      group.perEntity.set(row.entity, (group.perEntity.get(row.entity) ?? 0) + row.events);
    }
    const statistics = [...groups.values()].map((group) => statisticsOf(group.labels, group.perEntity));
    const { rows, suppressed } = this.fromStatistics(query, statistics);
    const merged = new Map<string, number>();
    for (const group of suppressed) {
      for (const [entity, events] of groups.get(JSON.stringify(group.labels))!.perEntity) merged.set(entity, (merged.get(entity) ?? 0) + events);
    }
    const bin = this.bin(query, statisticsOf([], merged));
    if (bin !== undefined) rows.push(bin);
    return { rows, suppressedGroups: suppressed.length };
  }
}

/** A group's label as seed material: the value selected, whatever dimension selects it. */
export function labelItem(label: unknown): string {
  return JSON.stringify(['group', label === null || label === undefined ? null : String(label)]);
}

export function digestOfEntities(entities: readonly string[]): string {
  return orderFree(entities).toString('hex');
}

/**
 * The digest the stores compute for a set of entities (the XOR of the first 8 bytes of each one's
 * MD5, as DuckDB's and ClickHouse's statistics give it, in decimal): cells computed in Node (strict
 * and any-order funnels) must seed the noise as the same people's cells computed by the store do,
 * or the order of a funnel would draw fresh noise for its first step.
 */
export function storeDigestOfEntities(entities: readonly string[]): string {
  let combined = 0n;
  for (const entity of entities) combined ^= BigInt(`0x${createHash('md5').update(entity).digest('hex').slice(0, 16)}`);
  return combined.toString();
}

export function statisticsOf(labels: readonly unknown[], perEntity: ReadonlyMap<string, number>): GroupStatistics {
  const counts = [...perEntity.values()].sort((a, b) => b - a);
  return {
    labels,
    entities: perEntity.size,
    entityDigest: digestOfEntities([...perEntity.keys()]),
    events: counts.reduce((sum, value) => sum + value, 0),
    top: counts.slice(0, 6),
  };
}
