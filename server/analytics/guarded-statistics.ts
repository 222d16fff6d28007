/**
 * Guarded answers from the store's per-group statistics, with low-effect detection (after Open
 * Diffix "Fir"): a condition counts only where it changes who is counted.
 *
 * Each condition of the query (a filter; the `from`/`to` range; the bounds of one numeric range;
 * the cohort) is asked about turned around: the people, per group, who have a row that the other
 * standing conditions keep and this one excludes. Where those are fewer than the noisy low-effect
 * threshold (`PrivacyGuard.isLowEffect`), the condition may go for that group, which is answered as
 * if it were not there; of several, the one that excludes the fewest people goes first, and the
 * rest are asked again without it. So asking "A" and "A and not the victim" gives the same answer whether or not the
 * victim is in A, and a condition that excludes nobody adds no fresh noise.
 *
 * The sticky noise layer is seeded by what each remaining condition selects, not by its text: an
 * `eq` and a `prefix` (or `in`) matching the same values are one condition, and duplicates count
 * once, and a cohort is the set of people in it. The entity layer stays seeded by the set of
 * people in the group.
 */
import type { Store } from '../store/store.js';
import type { GroupStatisticsRow, RowCondition, VariantCase, VariantSelection } from '../store/row-mapping.js';
import type { GroupStatistics } from '../domain/group-statistics.js';
import { type GuardedRow, type PrivacyGuard } from './privacy-guard.js';
import { type Cohort, type EventQuery, type Filter, type TimeGrain, fieldName, grainMilliseconds } from '../domain/query-model.js';
import { siblingsAround } from './sibling-groups.js';

export interface Condition {
  /** Seed material: what the condition selects, not how it is written. */
  item: string;
  /** `filter`: an `eq`, `in` or `prefix` filter, seeded by what it selects; `range`: the bounds of one numeric field. */
  kind: 'filter' | 'range' | 'time' | 'cohort';
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
 * What a time range selects: the first and last minutes that hold rows of the project, not the
 * bounds as written (nor the grid `snapTimeRange` widens them to). A `from` in the
 * empty past or a `to` in the future asks about the same rows, so it is the same condition.
 * It takes no other condition: an extent over the rows the whole question keeps would move
 * with a condition that excludes only one person (their row the first or last of the range) even
 * when low-effect detection drops that condition, and so tell whether the person was there.
 */
export async function keptTimeExtent(store: Store, project: string, from: number | undefined, to: number | undefined): Promise<[number, number] | []> {
  const end = to ?? Date.now();
  const span = end - (from ?? end - day);
  const grain = span >= 10 * day ? 'day' : span >= 10 * hour ? 'hour' : 'minute';
  const bucketsOf = async (after: number | undefined, before: number | undefined, time: 'minute' | 'hour' | 'day'): Promise<number[]> => {
    const rows = await store.runQuery(project, { from: after, to: before, where: [], groupBy: [{ time }], aggregates: [{ fn: 'count' }], limit: 10_000 });
    return rows.map((row) => {
      const label = row['d0'];
      return label instanceof Date ? label.getTime() : Number(label);
    }).filter((value) => Number.isFinite(value));
  };
  const buckets = await bucketsOf(from, to, grain);
  if (buckets.length === 0) return [];
  let first = buckets[0]!;
  let last = first;
  for (const bucket of buckets) {
    if (bucket < first) first = bucket;
    if (bucket > last) last = bucket;
  }
  if (grain === 'minute') return [first, last];
  // Stated to the minute whatever the span: a range of 9 h 59 min and one of 10 h over the same
  // rows are one condition, not a minute extent and an hour extent. The first and last hour or day
  // are read again by minute (at most 1,440 buckets each).
  const width = grain === 'day' ? day : hour;
  const within = (bucket: number) => [Math.max(from ?? bucket, bucket), Math.min(to ?? bucket + width, bucket + width)] as const;
  const [firstFrom, firstTo] = within(first);
  const [lastFrom, lastTo] = within(last);
  const [firstMinutes, lastMinutes] = [await bucketsOf(firstFrom, firstTo, 'minute'), await bucketsOf(lastFrom, lastTo, 'minute')];
  return [firstMinutes.length > 0 ? Math.min(...firstMinutes) : first, lastMinutes.length > 0 ? Math.max(...lastMinutes) : last];
}

/**
 * The distinct values `filters` (on one field) select among the project's rows, as sorted text, or
 * undefined beyond `matchedValuesLimit` of them.
 */
async function selectedValues(store: Store, project: string, filters: Filter[]): Promise<string[] | undefined> {
  const rows = await store.runQuery(project, { where: filters, groupBy: [{ field: filters[0]!.field }], aggregates: [{ fn: 'count' }], limit: matchedValuesLimit + 1 });
  const matched = rows.map((row) => row['d0']).filter((value) => value !== null && value !== undefined).map(String);
  return matched.length > matchedValuesLimit ? undefined : [...new Set(matched)].sort();
}

export async function conditionsOf(store: Store, project: string, query: EventQuery): Promise<Condition[]> {
  const conditions: Condition[] = [];
  if (query.from !== undefined || query.to !== undefined) {
    conditions.push({ item: JSON.stringify(['ts', ...(await keptTimeExtent(store, project, query.from, query.to))]), kind: 'time', filters: [], from: query.from, to: query.to });
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
      // The values the prefix selects in the project (never only among the rows the whole question
      // keeps, which one person's row can change): `prefix pro` matching only `pro` is `eq pro`.
      const matched = await selectedValues(store, project, [filter]);
      item = matched === undefined ? JSON.stringify([name, 'prefix', String(filter.value)]) : JSON.stringify([name, 'in', matched]);
    } else {
      item = JSON.stringify([name, filter.op, filter.value]);
    }
    conditions.push({ item, kind: 'filter', filters: [filter] });
  }
  for (const [name, filters] of ranges) {
    // The values the range matches in the project, not its bounds: a wider bin over the same values
    // is the same condition, and `44 ≤ x < 45` over whole numbers is `eq 44` (one value filter,
    // seeded as its values). Not among the rows the whole question keeps: there the one person a
    // dropped condition excludes can be the least or the greatest. A range over more distinct
    // values than the lookup takes is its least and greatest.
    const matched = await selectedValues(store, project, filters);
    if (matched !== undefined) {
      conditions.push({ item: JSON.stringify([name, 'in', matched]), kind: 'filter', filters });
      continue;
    }
    const [extent] = await store.runQuery(project, { where: filters, groupBy: [], aggregates: [{ fn: 'min', field: filters[0]!.field }, { fn: 'max', field: filters[0]!.field }], limit: 1 });
    conditions.push({ item: JSON.stringify(['range', name, [extent?.['a0'], extent?.['a1']].map((value) => (value === null || value === undefined ? null : Number(value)))]), kind: 'range', filters });
  }
  // The same selection written twice (or as eq and as a prefix matching only that value) is one condition.
  const seen = new Set<string>();
  return conditions.filter((condition) => !seen.has(condition.item) && seen.add(condition.item));
}

/**
 * What a condition adds to the noise's seed. A value filter adds the values it selects, as a
 * grouping adds its label: not the field's name, so `vars.city = C` and `attributes.city = C`, a
 * prefix matching only `C`, the `C` row of a grouping by city, and the same question grouped by
 * both city and result or filtered on both, are one question with one answer. Other conditions
 * add their item (what they select in the project).
 */
export function seedItem(condition: Condition): string {
  if (condition.kind !== 'filter') return condition.item;
  const [, operator, values] = JSON.parse(condition.item) as [string, string, unknown];
  if (operator !== 'in' || !Array.isArray(values)) return condition.item;
  return JSON.stringify(['group', values.length === 1 ? String(values[0]) : values.map(String)]);
}

/** The query with only `kept` conditions (the cohort, grouping and aggregates unchanged). */
function queryWith(query: EventQuery, kept: readonly Condition[]): EventQuery {
  const time = kept.find((condition) => condition.kind === 'time');
  const cohort = kept.find((condition) => condition.kind === 'cohort');
  return { ...query, from: time?.from, to: time?.to, cohort: cohort?.cohort, where: kept.flatMap((condition) => condition.filters), unless: undefined };
}

function byKey(rows: readonly GroupStatisticsRow[]): Map<string, GroupStatisticsRow> {
  return new Map(rows.map((row) => [row.key, row]));
}

/** Rows merged by their first `keep` labels, over the groups no `excluded` key (of the first labels, as many as its `keep`) names. */
interface Merge {
  keep: number;
  excluded: { keep: number; keys: string[] }[];
}

/** Keys grouped by the set of conditions standing for them, in a fixed order. */
function bySignature(standing: ReadonlyMap<string, ReadonlySet<Condition>>, conditions: readonly Condition[], leaving?: Condition): { kept: number[]; keys: string[] }[] {
  const groups = new Map<string, { kept: number[]; keys: string[] }>();
  for (const [key, set] of standing) {
    const kept = conditions.flatMap((condition, index) => (condition !== leaving && set.has(condition) ? [index] : []));
    const signature = kept.join(',');
    const entry = groups.get(signature) ?? { kept, keys: [] };
    entry.keys.push(key);
    groups.set(signature, entry);
  }
  return [...groups.keys()].sort().map((signature) => groups.get(signature)!);
}

/**
 * Per-signature selections for one store call: the one most keys share goes without its keys (it
 * covers every group no other selection names, and groups nobody asked about come back unread), so
 * the lists of keys the store tests each row against stay short.
 */
function selectionsOf(entries: { keys: string[]; cases: VariantCase[] }[]): VariantSelection[] {
  let widest = -1;
  entries.forEach((entry, index) => {
    if (widest < 0 || entry.keys.length > entries[widest]!.keys.length) widest = index;
  });
  return entries.map((entry, index) => (index === widest ? { cases: entry.cases } : entry));
}

/** A shown group as it is answered, and the dimensions whose labels still select for it. */
interface SettledGroup {
  group: GroupStatistics;
  dimensions: number[];
}

/** Minutes holding rows looked up to state time buckets as ranges; beyond, buckets seed by their labels. */
const bucketMinutesLimit = 100_000;


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

  /**
   * Statistics of every group, or of merged groups, for several questions at once over the same
   * rows (`Variants`): the project's rows are read whole and each is tagged with the conditions it
   * meets. Every step of the guard is one such call whatever the data holds, so the time an answer
   * takes does not tell what low-effect detection found.
   */
  #variants(conditions: readonly Condition[], selections: VariantSelection[], options: { merge?: Merge; facts?: boolean } = {}): Promise<GroupStatisticsRow[]> {
    const bare: EventQuery = { ...this.query, from: undefined, to: undefined, cohort: undefined, where: [], unless: undefined };
    const rowConditions: RowCondition[] = conditions.map((condition) => ({ where: condition.filters, from: condition.from, to: condition.to, cohort: condition.cohort }));
    const merge = options.merge;
    return this.store.groupStatistics(this.project, bare, this.entity, {
      facts: options.facts ?? false,
      variants: { conditions: rowConditions, selections, keyDimensions: merge?.keep },
      ...(merge === undefined ? {} : { keep: merge.keep, exceptGroups: merge.excluded }),
    });
  }

  /**
   * Per group key, the conditions that stay. Round after round, every standing condition is asked
   * turned around at once (the people with a row that all the other standing conditions keep and
   * this one excludes), and of those of low effect the one that excludes the fewest people goes
   * (ties in the order of what they select), until none is of low effect. So a condition that
   * excludes only the victim (at most one person) goes before any other is judged, and every other
   * decision is then made as if it had never been written: judged in a fixed order instead, a
   * time range judged while "plan = pro" still stood excluded the victim or not, and its draw
   * told which. `keys` are the groups asked about; with `merge`, they are the merged rows (by their
   * first `keep` labels; the `*` row for none) of every group not excluded. One store call per
   * round and as many rounds as conditions, for every group together, whatever goes.
   */
  async #settle(conditions: readonly Condition[], keys: readonly string[], merge?: Merge): Promise<Map<string, Set<Condition>>> {
    const standing = new Map(keys.map((key) => [key, new Set(conditions)]));
    const rank = new Map([...conditions].sort((a, b) => (a.item < b.item ? -1 : a.item > b.item ? 1 : 0)).map((condition, index) => [condition, index]));
    for (let round = 0; round < conditions.length; round++) {
      // Variant 1 + i: the rows that fail condition i alone among the standing ones (a row failing
      // two fails no single one, so the cases do not overlap).
      const selections = selectionsOf(bySignature(standing, conditions).map(({ kept, keys: groupKeys }) => ({
        keys: groupKeys,
        cases: kept.map((index) => ({ variant: 1 + index, meets: kept.filter((other) => other !== index), fails: [index] })),
      })));
      const effects = new Map((await this.#variants(conditions, selections, { merge })).filter((row) => row.entities > 0).map((row) => [`${row.variant}\u0002${row.key}`, row]));
      for (const [key, set] of standing) {
        let least: { condition: Condition; entities: number } | undefined;
        for (const condition of set) {
          const effect = effects.get(`${1 + conditions.indexOf(condition)}\u0002${key}`);
          const entities = effect?.entities ?? 0;
          if (effect !== undefined && !this.guard.isLowEffect(entities, effect.entityDigest, seedItem(condition))) continue;
          if (least === undefined || entities < least.entities || (entities === least.entities && rank.get(condition)! < rank.get(least.condition)!)) least = { condition, entities };
        }
        if (least !== undefined) set.delete(least.condition);
      }
    }
    return standing;
  }

  /**
   * The groups `standing` names, each answered with the conditions that stand for it (one store
   * call), and seeded by what each of those selects: a value filter by its values (`seedItem`), a
   * range, time range or cohort by its item.
   */
  async #answered(conditions: readonly Condition[], standing: ReadonlyMap<string, ReadonlySet<Condition>>, merge?: Merge): Promise<Map<string, GroupStatisticsRow & { conditions: string[] }>> {
    const selections = selectionsOf(bySignature(standing, conditions).map(({ kept, keys }) => ({ keys, cases: [{ variant: 0, meets: kept, fails: [] }] })));
    const rows = await this.#variants(conditions, selections, { merge, facts: this.facts });
    const answered = new Map<string, GroupStatisticsRow & { conditions: string[] }>();
    for (const row of rows) {
      if (row.variant !== 0) continue;
      const items = conditions.filter((condition) => standing.get(row.key)?.has(condition)).map(seedItem);
      answered.set(row.key, { ...row, conditions: items });
    }
    return answered;
  }

  /**
   * Every group as asked and as answered: the conditions of low effect on it gone, its statistics
   * those of the rows the standing conditions keep, seeded by what they select.
   */
  async settledGroups(conditions: readonly Condition[]): Promise<{ asked: GroupStatisticsRow[]; groups: (GroupStatisticsRow & { conditions: string[] })[] }> {
    const asked = await this.store.groupStatistics(this.project, queryWith(this.query, conditions), this.entity);
    const standing = await this.#settle(conditions, asked.map((group) => group.key));
    const answered = await this.#answered(conditions, standing);
    const groups = asked.flatMap((group) => {
      const row = answered.get(group.key);
      return row === undefined ? [] : [{ ...row, labels: group.labels, key: group.key }];
    });
    return { asked, groups };
  }

  async answer(): Promise<GuardedStatistics> {
    const query = this.query;
    const conditions = await conditionsOf(this.store, this.project, query);
    const { asked, groups } = await this.settledGroups(conditions);
    const { suppressed } = this.guard.fromStatistics(query, groups);
    const hidden = new Set(suppressed);
    const shownGroups = groups.filter((group) => !hidden.has(group));
    const rows = this.guard.rowsOf(query, await this.#timeBucketsAsRanges(conditions, await this.#dimensionsSettled(conditions, shownGroups, byKey(asked))));

    // Three or more dimensions: the low-effect merge by leading dimensions. A merged row (`a, b, *`)
    // is a group like any other, settled as the `*` row is: its conditions of low effect go, and it
    // is every group of its prefix not shown, as the question without them has its groups (a
    // group that exists only without a condition, such as the victim's alone, is in it too).
    // Every level is asked, and the `*` row too, whether or not any group is left for them: the
    // guard's work must not depend on what it found.
    const dimensions = query.groupBy.length;
    const excluded: Merge['excluded'] = [{ keep: dimensions, keys: shownGroups.map((group) => group.key) }];
    const shownKeys = new Set(excluded[0]!.keys);
    const shownPrefixes: { keep: number; prefixes: Set<string> }[] = [];
    for (let keep = dimensions - 1; dimensions >= 3 && keep >= 1; keep--) {
      const merged = await this.#mergedSettled(conditions, { keep, excluded: [...excluded] });
      const { rows: shown, suppressed: small } = this.guard.fromStatistics(query, merged);
      rows.push(...shown);
      const hiddenMerged = new Set(small);
      const shownMerged = merged.filter((row) => !hiddenMerged.has(row));
      const prefixes = new Set(shownMerged.map((row) => JSON.stringify(row.labels.slice(0, keep))));
      excluded.push({ keep, keys: shownMerged.map((row) => row.key) });
      shownPrefixes.push({ keep, prefixes });
    }
    let suppressedGroups = 0;
    if (dimensions > 0) {
      const [bin] = await this.#mergedSettled(conditions, { keep: 0, excluded });
      // The groups in the `*` row as it is answered (with the conditions that stand for it), not as
      // asked: a condition of low effect on the row must not change how many groups it holds.
      const binConditions = conditions.flatMap((condition, index) => (bin === undefined || bin.standing.has(condition) ? [index] : []));
      const inBin = (await this.#variants(conditions, [{ cases: [{ variant: 0, meets: binConditions, fails: [] }] }]))
        .filter((group) => group.entities > 0 && !shownKeys.has(group.key) && !shownPrefixes.some(({ keep, prefixes }) => prefixes.has(JSON.stringify(group.labels.slice(0, keep)))));
      const row = bin === undefined || inBin.length === 0 ? undefined : this.guard.bin(query, bin);
      if (row !== undefined) {
        rows.push(row);
        suppressedGroups = this.guard.noisyGroupCount(JSON.stringify(row.values), inBin.length, bin!.entityDigest);
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
   * is ever shown through this. The question grouped by each proper subset of the dimensions is
   * settled whether or not a group needs it, so the work is the same whatever goes.
   */
  async #dimensionsSettled(conditions: readonly Condition[], shown: readonly (GroupStatisticsRow & { conditions: string[] })[], asked: ReadonlyMap<string, GroupStatisticsRow>): Promise<SettledGroup[]> {
    const query = this.query;
    const dimensions = query.groupBy.length;
    const every = query.groupBy.map((_, index) => index);
    if (dimensions === 0) return shown.map((group) => ({ group, dimensions: every }));
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
    const settled = new Map<GroupStatisticsRow, SettledGroup>();
    for (const group of shown) if (goes.get(group)!.size === 0) settled.set(group, { group, dimensions: every });
    for (let subset = 0; subset < (1 << dimensions) - 1; subset++) {
      const kept = query.groupBy.map((_, index) => index).filter((index) => (subset & (1 << index)) !== 0);
      const coarser = new GuardedQuestion(this.store, this.guard, this.project, { ...query, groupBy: kept.map((index) => query.groupBy[index]!) }, this.entity, this.facts);
      const byLabels = new Map((await coarser.settledGroups(conditions)).groups.map((row) => [JSON.stringify(row.labels), row]));
      for (const group of shown) {
        const gone = goes.get(group)!;
        if (gone.size === 0 || kept.length !== dimensions - gone.size || kept.some((index) => gone.has(index))) continue;
        const seedLabels = kept.map((index) => group.labels[index]);
        const wider = byLabels.get(JSON.stringify(seedLabels));
        settled.set(group, wider === undefined ? { group, dimensions: every } : { group: { ...wider, labels: group.labels, seedLabels }, dimensions: kept });
      }
    }
    return shown.map((group) => settled.get(group)!);
  }

  /**
   * A time bucket seeds the noise as the time range it is: the first and last minutes that hold
   * rows of the project in the bucket (within `from`/`to` where that range stands for the group),
   * in place of its label and of the question's own range. So the 10:00 row of an hourly series and
   * the same question asked from 10:00 to 11:00 are one question with one answer. One store call
   * (the minutes holding rows in the question's range), whatever is shown; beyond
   * `bucketMinutesLimit` such minutes, buckets keep seeding by their labels.
   */
  async #timeBucketsAsRanges(conditions: readonly Condition[], settled: readonly SettledGroup[]): Promise<GroupStatistics[]> {
    const query = this.query;
    const timeIndex = query.groupBy.findIndex((dimension) => 'time' in dimension);
    if (timeIndex < 0) return settled.map(({ group }) => group);
    const width = grainMilliseconds[(query.groupBy[timeIndex] as { time: TimeGrain }).time];
    const startOf = (group: GroupStatistics) => {
      const label = group.labels[timeIndex];
      return label instanceof Date ? label.getTime() : Number(label);
    };
    // Over the question's range widened by a bucket each way (a bucket the range cuts is read
    // whole), not over the shown buckets: which buckets show depends on the data.
    const from = query.from === undefined ? undefined : query.from - width;
    const to = query.to === undefined ? undefined : query.to + width;
    const minuteRows = await this.store.runQuery(this.project, { from, to, where: [], groupBy: [{ time: 'minute' }], aggregates: [{ fn: 'count' }], limit: bucketMinutesLimit + 1 });
    if (minuteRows.length > bucketMinutesLimit) return settled.map(({ group }) => group);
    const minutes = minuteRows.map((row) => {
      const label = row['d0'];
      return label instanceof Date ? label.getTime() : Number(label);
    }).filter((value) => Number.isFinite(value)).sort((a, b) => a - b);
    const time = conditions.find((condition) => condition.kind === 'time');
    return settled.map(({ group, dimensions }) => {
      const start = startOf(group);
      if (!dimensions.includes(timeIndex) || group.conditions === undefined || !Number.isFinite(start)) return group;
      const rangeStands = time !== undefined && group.conditions.includes(time.item);
      const low = rangeStands && query.from !== undefined ? Math.max(start, query.from) : start;
      const high = rangeStands && query.to !== undefined ? Math.min(start + width, query.to) : start + width;
      const inside = minutes.filter((minute) => minute >= low && minute < high);
      const extent = inside.length === 0 ? [] : [inside[0]!, inside.at(-1)!];
      return {
        ...group,
        conditions: [...group.conditions.filter((item) => item !== time?.item), JSON.stringify(['ts', ...extent])],
        seedLabels: dimensions.filter((index) => index !== timeIndex).map((index) => group.labels[index]),
      };
    });
  }

  /**
   * The merged rows (the low-effect merge, or the `*` row with `keep` 0) over every group not
   * excluded, each answered without the conditions of low effect on it and seeded by those that
   * stand for it (`standing`): two store calls and one per condition, whatever is merged.
   */
  async #mergedSettled(conditions: readonly Condition[], merge: Merge): Promise<(GroupStatisticsRow & { conditions: string[]; standing: ReadonlySet<Condition> })[]> {
    const every = conditions.map((_, index) => index);
    const asked = (await this.#variants(conditions, [{ cases: [{ variant: 0, meets: every, fails: [] }] }], { merge })).filter((row) => row.entities > 0);
    const standing = await this.#settle(conditions, asked.map((row) => row.key), merge);
    const answered = await this.#answered(conditions, standing, merge);
    return asked.flatMap((row) => {
      const settled = answered.get(row.key);
      return settled === undefined ? [] : [{ ...settled, labels: row.labels, key: row.key, standing: standing.get(row.key)! }];
    });
  }
}
