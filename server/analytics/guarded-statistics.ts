/**
 * Guarded answers from the store's per-group statistics, with low-effect detection (after Open
 * Diffix "Fir"): a condition counts only where it changes who is counted.
 *
 * Each condition of the query (a filter; the `from`/`to` range; the bounds of one numeric range;
 * the cohort) is asked about turned around, one after another in the order of what they select:
 * the people, per group, who have a row that the conditions still standing keep and this one
 * excludes. In a group where those are fewer than the noisy low-effect threshold
 * (`PrivacyGuard.isLowEffect`), the condition goes for that group, which is answered as if it were
 * not there. So asking "A" and "A and not the victim" gives the same answer whether or not the
 * victim is in A, and a condition that excludes nobody adds no fresh noise.
 *
 * The sticky noise layer is seeded by what each remaining condition selects, not by its text: an
 * `eq` and a `prefix` (or `in`) matching the same values are one condition, and duplicates count
 * once, and a cohort is the set of people in it. The entity layer stays seeded by the set of
 * people in the group.
 */
import type { Store } from '../store/store.js';
import type { GroupStatisticsRow } from '../store/row-mapping.js';
import type { GroupStatistics } from '../domain/group-statistics.js';
import { type GuardedRow, type PrivacyGuard } from './privacy-guard.js';
import { type Cohort, type EventQuery, type Filter, fieldName } from '../domain/query-model.js';
import { siblingsAround } from './sibling-groups.js';

export interface Condition {
  /** Seed material: what the condition selects, not how it is written. */
  item: string;
  kind: 'filter' | 'time' | 'cohort';
  filters: Filter[];
  from?: number;
  to?: number;
  cohort?: Cohort;
}

const rangeOperators = new Set(['gte', 'gt', 'lt', 'lte']);
/** Distinct values looked up to tell which values a prefix selects; beyond, the prefix is its own text. */
const matchedValuesLimit = 1000;

/** XOR of two order-free digests (decimal 64-bit from the stores, hex from Node): the digest of the set difference of nested sets. */
export function xorDigests(a: string, b: string): string {
  const hex = (text: string) => /^[0-9a-f]{64}$/.test(text);
  const parse = (text: string) => (text === '' ? 0n : hex(text) ? BigInt(`0x${text}`) : BigInt(text));
  const value = parse(a) ^ parse(b);
  return hex(a) || hex(b) ? value.toString(16).padStart(64, '0') : value.toString();
}

const minute = 60_000;
const hour = 3_600_000;
const day = 86_400_000;

/**
 * What a time range selects: the first and last buckets (on the grid `snapTimeRange` uses for a
 * range of its span) that hold rows the whole query keeps, not the bounds as written. A `from` in
 * the empty past or a `to` in the future asks about the same rows, so it is the same condition.
 */
export async function keptTimeExtent(store: Store, project: string, query: EventQuery, where = query.where): Promise<[number, number] | []> {
  const end = query.to ?? Date.now();
  const span = end - (query.from ?? end - day);
  const grain = span >= 10 * day ? 'day' : span >= 10 * hour ? 'hour' : 'minute';
  const limit = 10_000;
  const rows = await store.runQuery(project, { from: query.from, to: query.to, cohort: query.cohort, where, groupBy: [{ time: grain }], aggregates: [{ fn: 'count' }], limit });
  const buckets = rows.map((row) => {
    const label = row['d0'];
    return label instanceof Date ? label.getTime() : Number(label);
  }).filter((value) => Number.isFinite(value));
  if (buckets.length === 0) return [];
  let first = buckets[0]!;
  let last = first;
  for (const bucket of buckets) {
    if (bucket < first) first = bucket;
    if (bucket > last) last = bucket;
  }
  return [first, last];
}

export async function conditionsOf(store: Store, project: string, query: EventQuery): Promise<Condition[]> {
  const conditions: Condition[] = [];
  if (query.from !== undefined || query.to !== undefined) {
    conditions.push({ item: JSON.stringify(['ts', ...(await keptTimeExtent(store, project, query))]), kind: 'time', filters: [], from: query.from, to: query.to });
  }
  if (query.cohort !== undefined) {
    // A cohort is the set of people who did its event: two cohorts of the same people are one.
    const cohort = query.cohort;
    const [people] = await store.groupStatistics(project, { from: cohort.from, to: cohort.to, where: [{ field: { column: 'name' }, op: 'eq', value: cohort.name }, ...cohort.where], groupBy: [], aggregates: [{ fn: 'count' }], limit: 1 }, 'user_id');
    conditions.push({ item: JSON.stringify(['cohort', people?.entities ?? 0, people?.entityDigest ?? '']), kind: 'cohort', filters: [], cohort });
  }
  const ranges = new Map<string, Filter[]>();
  for (const filter of query.where) {
    const name = fieldName(filter.field);
    if (rangeOperators.has(filter.op) && !Array.isArray(filter.value)) {
      ranges.set(name, [...(ranges.get(name) ?? []), filter]);
      continue;
    }
    const values = Array.isArray(filter.value) ? filter.value : [filter.value];
    let item: string;
    if (filter.op === 'eq' || filter.op === 'in') {
      item = JSON.stringify([name, 'in', [...new Set(values.map(String))].sort()]);
    } else if (filter.op === 'prefix') {
      // The values the prefix selects (among rows the whole query keeps): `prefix pro` matching only
      // `pro` is `eq pro`.
      const rows = await store.runQuery(project, { ...query, groupBy: [{ field: filter.field }], aggregates: [{ fn: 'count' }], limit: matchedValuesLimit + 1 });
      const matched = rows.map((row) => row['d0']).filter((value) => value !== null && value !== undefined).map(String);
      item = matched.length > matchedValuesLimit ? JSON.stringify([name, 'prefix', String(filter.value)]) : JSON.stringify([name, 'in', [...new Set(matched)].sort()]);
    } else {
      item = JSON.stringify([name, filter.op, filter.value]);
    }
    conditions.push({ item, kind: 'filter', filters: [filter] });
  }
  for (const [name, filters] of ranges) {
    // The values the range matches (their least and greatest, among rows the whole query keeps),
    // not its bounds: a wider bin over the same rows is the same condition.
    const [extent] = await store.runQuery(project, { ...query, groupBy: [], aggregates: [{ fn: 'min', field: filters[0]!.field }, { fn: 'max', field: filters[0]!.field }], limit: 1 });
    conditions.push({ item: JSON.stringify(['range', name, [extent?.['a0'], extent?.['a1']].map((value) => (value === null || value === undefined ? null : Number(value)))]), kind: 'filter', filters });
  }
  // The same selection written twice (or as eq and as a prefix matching only that value) is one condition.
  const seen = new Set<string>();
  return conditions.filter((condition) => !seen.has(condition.item) && seen.add(condition.item));
}

/** The query with only `kept` conditions (the cohort, grouping and aggregates unchanged). */
function queryWith(query: EventQuery, kept: readonly Condition[]): EventQuery {
  const time = kept.find((condition) => condition.kind === 'time');
  const cohort = kept.find((condition) => condition.kind === 'cohort');
  return { ...query, from: time?.from, to: time?.to, cohort: cohort?.cohort, where: kept.flatMap((condition) => condition.filters), unless: undefined };
}

function without(conditions: readonly Condition[], dropped: ReadonlySet<Condition>): Condition[] {
  return conditions.filter((condition) => !dropped.has(condition));
}

function byKey(rows: readonly GroupStatisticsRow[]): Map<string, GroupStatisticsRow> {
  return new Map(rows.map((row) => [row.key, row]));
}

/** Rows merged by their first `keep` labels, over the groups no `excluded` prefix (of its length) names. */
interface Merge {
  keep: number;
  excluded: { keep: number; prefixes: Set<string> }[];
}

export interface GuardedStatistics {
  rows: GuardedRow[];
  /** Groups merged into the `*` row, noisy, and 0 unless that row is shown. */
  suppressedGroups: number;
  factsOf(labels: readonly unknown[]): GroupStatisticsRow['facts'];
}

export class GuardedQuestion {
  constructor(
    private readonly store: Store,
    private readonly guard: PrivacyGuard,
    private readonly project: string,
    private readonly query: EventQuery,
    private readonly entity: string,
    private readonly facts: boolean,
  ) {}

  #statistics(query: EventQuery, options: { onlyGroups?: string[]; keep?: number } = {}): Promise<GroupStatisticsRow[]> {
    return this.store.groupStatistics(this.project, query, this.entity, { ...options, facts: this.facts });
  }

  /**
   * Per group key, the conditions that stay: each condition in turn (in the order of what they
   * select, so mutually redundant conditions do not both go) is asked turned around, given the
   * conditions still standing for that group; it goes where it excludes a low count of people.
   * `keys` are the groups asked about; with `merged`, they are the merged rows (by their first
   * `keep` labels; the `*` row for none) of every group not `excluded`, as each turned question has them.
   */
  async #settle(conditions: readonly Condition[], keys: readonly string[], merged?: Merge): Promise<{ standing: Map<string, Set<Condition>>; changed: Set<string> }> {
    const standing = new Map(keys.map((key) => [key, new Set(conditions)]));
    // Groups a dropped condition excluded someone from. In the others, every condition that went
    // excluded no row given those still standing, so their rows are the rows asked about.
    const changed = new Set<string>();
    const order = [...conditions].sort((a, b) => (a.item < b.item ? -1 : a.item > b.item ? 1 : 0));
    for (const condition of order) {
      const bySignature = new Map<string, { others: Condition[]; keys: string[] }>();
      for (const [key, set] of standing) {
        const others = conditions.filter((other) => other !== condition && set.has(other));
        const signature = others.map((other) => other.item).join('\u0001');
        const entry = bySignature.get(signature) ?? { others, keys: [] };
        entry.keys.push(key);
        bySignature.set(signature, entry);
      }
      for (const { others, keys: groupKeys } of bySignature.values()) {
        const turned: EventQuery = { ...queryWith(this.query, others), unless: { where: condition.filters, from: condition.from, to: condition.to, cohort: condition.cohort } };
        const options = groupKeys.length === standing.size ? {} : { onlyGroups: groupKeys, keep: this.query.groupBy.length };
        const rows = merged !== undefined ? await this.#mergedStatistics(turned, merged, false) : await this.store.groupStatistics(this.project, turned, this.entity, options);
        const effects = byKey(rows.filter((row) => row.entities > 0));
        for (const key of groupKeys) {
          const effect = effects.get(key);
          if (effect === undefined || this.guard.isLowEffect(effect.entities, effect.entityDigest, condition.item)) {
            standing.get(key)!.delete(condition);
            if (effect !== undefined) changed.add(key);
          }
        }
      }
    }
    return { standing, changed };
  }

  /**
   * Every group as asked and as answered: the conditions of low effect on it gone (its statistics
   * then asked again without them), with the items of those that stand.
   */
  async settledGroups(conditions: readonly Condition[]): Promise<{ asked: GroupStatisticsRow[]; standing: Map<string, Set<Condition>>; groups: (GroupStatisticsRow & { conditions: string[] })[] }> {
    const query = this.query;
    const base = queryWith(query, conditions);
    const asked = await this.#statistics(base);
    const { standing, changed } = await this.#settle(conditions, asked.map((group) => group.key));
    const itemsOf = (kept: Iterable<Condition>) => [...kept].map((condition) => condition.item);

    // Groups whose conditions all stand are answered as asked; the others are re-asked without the
    // conditions that went, together where the same ones went.
    const bySignature = new Map<string, { kept: Condition[]; keys: string[] }>();
    for (const [key, set] of standing) {
      if (!changed.has(key)) continue;
      const kept = conditions.filter((condition) => set.has(condition));
      const signature = kept.map((condition) => condition.item).join('\u0001');
      const entry = bySignature.get(signature) ?? { kept, keys: [] };
      entry.keys.push(key);
      bySignature.set(signature, entry);
    }
    const relaxed = new Map<string, GroupStatisticsRow>();
    for (const { kept, keys } of bySignature.values()) {
      const options = keys.length === asked.length ? {} : { onlyGroups: keys, keep: query.groupBy.length };
      for (const row of await this.#statistics(queryWith(query, kept), options)) relaxed.set(row.key, row);
    }
    const groups = asked.map((group) => {
      const kept = standing.get(group.key)!;
      const answered = relaxed.get(group.key) ?? group;
      return { ...answered, labels: group.labels, key: group.key, conditions: itemsOf(kept) };
    });
    return { asked, standing, groups };
  }

  async answer(): Promise<GuardedStatistics> {
    const query = this.query;
    const conditions = await conditionsOf(this.store, this.project, query);
    const { asked, groups } = await this.settledGroups(conditions);
    const itemsOf = (kept: Iterable<Condition>) => [...kept].map((condition) => condition.item);
    const { suppressed } = this.guard.fromStatistics(query, groups);
    const hidden = new Set(suppressed);
    const rows = this.guard.rowsOf(query, await this.#dimensionsSettled(conditions, groups.filter((group) => !hidden.has(group)), byKey(asked)));

    // Three or more dimensions: the low-effect merge by leading dimensions. A merged row (`a, b, *`)
    // is a group like any other, settled as the `*` row is: its conditions of low effect go, and it
    // is every group of its prefix not shown, as the question without them has its groups (a
    // group that exists only without a condition, such as the victim's alone, is in it too).
    const dimensions = query.groupBy.length;
    const shownLabels = new Set(groups.filter((group) => !hidden.has(group)).map((group) => JSON.stringify(group.labels)));
    const excluded: Merge['excluded'] = [{ keep: dimensions, prefixes: shownLabels }];
    let remaining = suppressed;
    for (let keep = dimensions - 1; dimensions >= 3 && keep >= 1 && remaining.length > 0; keep--) {
      const merged = await this.#mergedSettled(conditions, { keep, excluded: [...excluded] }, itemsOf);
      const shown = this.guard.fromStatistics(query, merged).rows;
      rows.push(...shown);
      const prefixes = new Set(shown.map((row) => JSON.stringify(row.labels.slice(0, keep))));
      excluded.push({ keep, prefixes });
      remaining = remaining.filter((group) => !prefixes.has(JSON.stringify(group.labels.slice(0, keep))));
    }
    let suppressedGroups = 0;
    if (remaining.length > 0 && dimensions > 0) {
      const [bin] = await this.#mergedSettled(conditions, { keep: 0, excluded }, itemsOf);
      const row = bin === undefined ? undefined : this.guard.bin(query, bin);
      if (row !== undefined) {
        rows.push(row);
        suppressedGroups = this.guard.noisyGroupCount(JSON.stringify(row.values), remaining.length, bin!.entityDigest);
      }
    }
    const factsByLabel = new Map(groups.map((group) => [JSON.stringify(group.labels), group.facts]));
    return { rows, suppressedGroups, factsOf: (labels) => factsByLabel.get(JSON.stringify(labels)) };
  }

  /**
   * Low-effect detection for groupings: a group's label is a condition too ("plan = pro"). Where
   * the rows of its other labels hold fewer people with another label than the low-effect threshold
   * (nobody, for a field that is missing or constant; the victim alone, for "pro" beside a one-person
   * "free"), the dimension goes for that group: it is answered from the rows of its other labels and
   * its label does not seed the noise. Only shown groups are settled, so no label of a small group
   * is ever shown through this.
   */
  async #dimensionsSettled(conditions: readonly Condition[], shown: readonly (GroupStatisticsRow & { conditions: string[] })[], asked: ReadonlyMap<string, GroupStatisticsRow>): Promise<GroupStatistics[]> {
    const query = this.query;
    const dimensions = query.groupBy.length;
    if (dimensions === 0 || shown.length === 0) return [...shown];
    const others = (labels: readonly unknown[], dropped: number) => JSON.stringify(labels.filter((_, index) => index !== dropped));
    const goes = new Map(shown.map((group) => [group, new Set<number>()]));
    for (let dimension = 0; dimension < dimensions; dimension++) {
      // The people with a row of the same other labels and another label in this dimension: at
      // most the sum over those sibling groups (all of them, small ones too), as asked with every
      // condition. Where even that sum is of low effect, so is the label.
      const around = siblingsAround(asked, (labels) => others(labels, dimension));
      for (const group of shown) {
        const [excluded, excludedDigest] = around(group);
        if (this.guard.isLowEffect(excluded, excludedDigest, JSON.stringify(['group', group.labels[dimension] ?? null]))) goes.get(group)!.add(dimension);
      }
    }
    // A group that loses dimensions is the group of the question grouped by the others, settled as
    // that question would be: its own conditions of low effect go (a condition the lost dimension
    // made redundant is judged again without it).
    const byKept = new Map<string, { kept: number[]; groups: GroupStatisticsRow[] }>();
    const settled = new Map<GroupStatisticsRow, GroupStatistics>();
    for (const group of shown) {
      const gone = goes.get(group)!;
      if (gone.size === 0) {
        settled.set(group, group);
        continue;
      }
      const kept = query.groupBy.map((_, index) => index).filter((index) => !gone.has(index));
      const entry = byKept.get(JSON.stringify(kept)) ?? { kept, groups: [] };
      entry.groups.push(group);
      byKept.set(JSON.stringify(kept), entry);
    }
    for (const { kept, groups } of byKept.values()) {
      const coarser = new GuardedQuestion(this.store, this.guard, this.project, { ...query, groupBy: kept.map((index) => query.groupBy[index]!) }, this.entity, this.facts);
      const byLabels = new Map((await coarser.settledGroups(conditions)).groups.map((row) => [JSON.stringify(row.labels), row]));
      for (const group of groups) {
        const seedLabels = kept.map((index) => group.labels[index]);
        const wider = byLabels.get(JSON.stringify(seedLabels));
        settled.set(group, wider === undefined ? group : { ...wider, labels: group.labels, seedLabels });
      }
    }
    return shown.map((group) => settled.get(group)!);
  }

  /**
   * The statistics of `query` merged by its first `merge.keep` labels, over every group it has that
   * is not excluded (shown, or under a merged row already shown).
   */
  async #mergedStatistics(query: EventQuery, merge: Merge, facts = this.facts): Promise<GroupStatisticsRow[]> {
    const all = await this.store.groupStatistics(this.project, query, this.entity);
    const keys = all
      .filter((group) => !merge.excluded.some(({ keep, prefixes }) => prefixes.has(JSON.stringify(group.labels.slice(0, keep)))))
      .map((group) => group.key);
    if (keys.length === 0) return [];
    return this.store.groupStatistics(this.project, query, this.entity, { onlyGroups: keys, keep: merge.keep, facts });
  }

  /**
   * The merged rows (the low-effect merge, or the `*` row with `keep` 0), each answered without the
   * conditions of low effect on it and seeded by those that stand for it.
   */
  async #mergedSettled(conditions: readonly Condition[], merge: Merge, itemsOf: (kept: Iterable<Condition>) => string[]): Promise<(GroupStatisticsRow & { conditions: string[] })[]> {
    const asked = (await this.#mergedStatistics(queryWith(this.query, conditions), merge)).filter((row) => row.entities > 0);
    if (asked.length === 0) return [];
    const { standing, changed } = await this.#settle(conditions, asked.map((row) => row.key), merge);
    const bySignature = new Map<string, Condition[]>();
    for (const key of changed) {
      const kept = conditions.filter((condition) => standing.get(key)!.has(condition));
      bySignature.set(kept.map((condition) => condition.item).join('\u0001'), kept);
    }
    const relaxed = new Map<string, GroupStatisticsRow>();
    for (const [signature, kept] of bySignature) {
      for (const row of await this.#mergedStatistics(queryWith(this.query, kept), merge)) relaxed.set(`${signature}\u0002${row.key}`, row);
    }
    return asked.map((row) => {
      const kept = conditions.filter((condition) => standing.get(row.key)!.has(condition));
      const answered = changed.has(row.key) ? relaxed.get(`${kept.map((condition) => condition.item).join('\u0001')}\u0002${row.key}`) ?? row : row;
      return { ...answered, labels: row.labels, key: row.key, conditions: itemsOf(kept) };
    });
  }
}
