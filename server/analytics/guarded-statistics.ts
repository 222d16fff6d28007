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
 * The sticky noise layer is seeded by what each remaining condition selects in the group's own
 * rows, not by its text: an `eq` and a `prefix` (or a numeric range) holding the same values
 * there are one condition, a time range is the first and last minutes of those rows, and
 * duplicates count once. Never by what it selects in the rest of the project, where one person
 * outside the group would move it. A cohort counts as written. The entity layer stays seeded by
 * the set of people in the group.
 */
import type { StatisticsSession, Store } from '../store/store.js';
import type { GroupStatisticsOptions, GroupStatisticsRow, RowCondition, VariantCase, VariantSelection } from '../store/row-mapping.js';
import type { GroupStatistics } from '../domain/group-statistics.js';
import { type GuardedRow, type PrivacyGuard } from './privacy-guard.js';
import { type Cohort, type Dimension, type EventQuery, type Filter, fieldName } from '../domain/query-model.js';
import { siblingsAround } from './sibling-groups.js';

export interface Condition {
  /**
   * The condition as written, normalized (equal items are one condition), and the seed of its
   * low-effect draw. Never what it selects in the project: a row of one person outside the
   * question (a longer value a prefix also matches, a value in a wider bin, a row in a minute
   * only they fill) would change it for a group they are not in.
   */
  item: string;
  /**
   * The field whose values in a group's own rows seed the sticky layer in place of `item` (a
   * prefix or a numeric range: so `prefix "posi"`, `eq "positive"` and the `positive` row of a
   * grouping are one question wherever they select the same rows of the group).
   */
  valuesOf?: Filter['field'];
  /** The seed of the low-effect draw, where not `seedItem` (every prefix or range of one field draws alike). */
  draw?: string;
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

function minuteOf(time: number): number {
  return Math.floor(time / minute) * minute;
}

/**
 * The seed item of a set of values a condition selects, as a grouping's label is seeded
 * (`labelItem`): one value as itself, several as their sorted list.
 */
export function valuesItem(values: readonly unknown[]): string {
  const distinct = [...new Set(values.map(String))].sort();
  return JSON.stringify(['group', distinct.length === 1 ? distinct[0] : distinct]);
}

/** The query's conditions as written and normalized (no store call: see `Condition.item`). */
export function conditionsOf(query: EventQuery): Condition[] {
  const conditions: Condition[] = [];
  // One time condition, however its bounds are written: its seed comes from the group's rows.
  if (query.from !== undefined || query.to !== undefined) conditions.push({ item: JSON.stringify(['ts']), kind: 'time', filters: [], from: query.from, to: query.to });
  if (query.cohort !== undefined) {
    const cohort = query.cohort;
    // As written (its range snapped for untrusted readers): the set of people in it would change
    // with one person outside the group. Every cohort of one event draws alike for low effect.
    conditions.push({ item: JSON.stringify(['cohort', cohort.name, cohort.from ?? null, cohort.to ?? null, cohort.where.map((filter) => JSON.stringify([fieldName(filter.field), filter.op, filter.value])).sort()]), kind: 'cohort', filters: [], cohort, draw: JSON.stringify(['cohort', cohort.name]) });
  }
  const ranges = new Map<string, Filter[]>();
  for (const filter of query.where) {
    const name = fieldName(filter.field);
    if (rangeOperators.has(filter.op) && !Array.isArray(filter.value)) {
      ranges.set(name, [...(ranges.get(name) ?? []), filter]);
      continue;
    }
    const values = Array.isArray(filter.value) ? filter.value : [filter.value];
    if (filter.op === 'eq' || filter.op === 'in') {
      conditions.push({ item: JSON.stringify([name, 'in', [...new Set(values.map(String))].sort()]), kind: 'filter', filters: [filter] });
    } else if (filter.op === 'prefix') {
      // One low-effect draw for every prefix or range of the field: spelled longer or shorter, one
      // that excludes the same people is judged alike (the draw also takes the people it excludes).
      conditions.push({ item: JSON.stringify([name, 'prefix', String(filter.value)]), kind: 'filter', filters: [filter], valuesOf: filter.field, draw: JSON.stringify([name, 'values']) });
    } else {
      conditions.push({ item: JSON.stringify([name, filter.op, filter.value]), kind: 'filter', filters: [filter] });
    }
  }
  for (const [name, filters] of ranges) {
    conditions.push({ item: JSON.stringify([name, 'range', filters.map((filter) => JSON.stringify([filter.op, filter.value])).sort()]), kind: 'range', filters, valuesOf: filters[0]!.field, draw: JSON.stringify([name, 'values']) });
  }
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
  return valuesItem(values);
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
    session?: StatisticsSession,
  ) {
    // One session for the answer and the coarser questions settled for it: what the store reads
    // for it is read once, whatever the guard then asks (for every answer of this shape alike).
    this.#session = session ?? store.statisticsSession?.(project, query, entity);
  }

  readonly #session: StatisticsSession | undefined;

  async #statistics(query: EventQuery, options: GroupStatisticsOptions = {}): Promise<GroupStatisticsRow[]> {
    return (await this.#session?.groupStatistics(query, options)) ?? this.store.groupStatistics(this.project, query, this.entity, options);
  }

  /**
   * Statistics of every group, or of merged groups, for several questions at once over the same
   * rows (`Variants`): the project's rows are read whole and each is tagged with the conditions it
   * meets. Every step of the guard is one such call whatever the data holds, so the time an answer
   * takes does not tell what low-effect detection found.
   */
  #variants(conditions: readonly Condition[], selections: VariantSelection[], options: { merge?: Merge; facts?: boolean; groupBy?: Dimension[] } = {}): Promise<GroupStatisticsRow[]> {
    const bare: EventQuery = { ...this.query, from: undefined, to: undefined, cohort: undefined, where: [], unless: undefined, groupBy: options.groupBy ?? this.query.groupBy };
    const rowConditions: RowCondition[] = conditions.map((condition) => ({ where: condition.filters, from: condition.from, to: condition.to, cohort: condition.cohort }));
    const merge = options.merge;
    return this.#statistics(bare, {
      facts: options.facts ?? false,
      variants: { conditions: rowConditions, selections, keyDimensions: merge?.keep ?? (options.groupBy === undefined ? undefined : this.query.groupBy.length) },
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
          if (effect !== undefined && !this.guard.isLowEffect(entities, effect.entityDigest, condition.draw ?? seedItem(condition))) continue;
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
    const query = this.query;
    const selections = selectionsOf(bySignature(standing, conditions).map(({ kept, keys }) => ({ keys, cases: [{ variant: 0, meets: kept, fails: [] }] })));
    const dimensions = merge === undefined ? query.groupBy.length : merge.keep;
    const timeIndex = query.groupBy.findIndex((dimension) => 'time' in dimension);
    const bucketed = timeIndex >= 0 && timeIndex < dimensions;
    // The first and last time of each group's rows (`facts`), for the time condition and buckets.
    const timed = bucketed || conditions.some((condition) => condition.kind === 'time');
    const rows = await this.#variants(conditions, selections, { merge, facts: this.facts || timed });
    // Per prefix or range, the values each group's rows hold (one more call each, whatever stands
    // where). Merged rows seed these by their items.
    const valuesOf = new Map<Condition, Map<string, string[]>>();
    for (const condition of merge === undefined ? conditions : []) {
      if (condition.valuesOf === undefined) continue;
      const byGroup = new Map<string, string[]>();
      for (const row of await this.#variants(conditions, selections, { groupBy: [...query.groupBy, { field: condition.valuesOf }] })) {
        const value = row.labels[dimensions];
        if (row.variant !== 0 || row.entities === 0 || value === null || value === undefined) continue;
        const group = JSON.stringify(row.labels.slice(0, dimensions));
        byGroup.set(group, [...(byGroup.get(group) ?? []), String(value)]);
      }
      valuesOf.set(condition, byGroup);
    }
    const answered = new Map<string, GroupStatisticsRow & { conditions: string[] }>();
    for (const row of rows) {
      if (row.variant !== 0) continue;
      const timeItem = JSON.stringify(['ts', ...(row.facts === undefined ? [] : [minuteOf(row.facts.firstSeen), minuteOf(row.facts.lastSeen)])]);
      const items = conditions.filter((condition) => standing.get(row.key)?.has(condition)).map((condition) => {
        if (condition.kind === 'time') return timeItem;
        const values = valuesOf.get(condition)?.get(JSON.stringify(row.labels));
        if (values === undefined || values.length > matchedValuesLimit) return seedItem(condition);
        return valuesItem(values);
      });
      if (!bucketed) {
        answered.set(row.key, { ...row, conditions: items });
        continue;
      }
      // A bucket is the time range of its rows: its label leaves the seed and the time item is
      // theirs, so an hour of a series and that hour asked as a range are one question.
      if (!items.includes(timeItem)) items.push(timeItem);
      answered.set(row.key, { ...row, conditions: items, seedLabels: row.labels.filter((_, index) => index !== timeIndex) });
    }
    return answered;
  }

  /**
   * Every group as asked and as answered: the conditions of low effect on it gone, its statistics
   * those of the rows the standing conditions keep, seeded by what they select.
   */
  async settledGroups(conditions: readonly Condition[]): Promise<{ asked: GroupStatisticsRow[]; groups: (GroupStatisticsRow & { conditions: string[] })[] }> {
    const asked = await this.#statistics(queryWith(this.query, conditions));
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
    const conditions = conditionsOf(query);
    const { asked, groups } = await this.settledGroups(conditions);
    // Which groups show: their rows are made once their dimensions are settled.
    const { shown: shownGroups } = this.guard.lowCountSplit(query, groups);
    const rows = this.guard.rowsOf(query, await this.#dimensionsSettled(conditions, shownGroups, byKey(asked)));

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
  async #dimensionsSettled(conditions: readonly Condition[], shown: readonly (GroupStatisticsRow & { conditions: string[] })[], asked: ReadonlyMap<string, GroupStatisticsRow>): Promise<GroupStatistics[]> {
    const query = this.query;
    const dimensions = query.groupBy.length;
    if (dimensions === 0) return [...shown];
    const others = (labels: readonly unknown[], dropped: number) => JSON.stringify(labels.filter((_, index) => index !== dropped));
    const goes = new Map(shown.map((group) => [group, new Set<number>()]));
    for (let dimension = 0; dimension < dimensions; dimension++) {
      // The people with a row of the same other labels and another label in this dimension: at
      // most the sum over those sibling groups (all of them, small ones too), as asked with every
      // condition. Where even that sum is of low effect, so is the label.
      const around = siblingsAround(asked, (labels) => others(labels, dimension));
      for (const group of shown) {
        const [excluded, excludedDigest] = around(group);
        // A time bucket draws as a time range does: the hour of a series and that hour asked as a
        // range exclude the same people, and must decide alike.
        const draw = 'time' in query.groupBy[dimension]! ? JSON.stringify(['ts']) : JSON.stringify(['group', group.labels[dimension] ?? null]);
        if (this.guard.isLowEffect(excluded, excludedDigest, draw)) goes.get(group)!.add(dimension);
      }
    }
    // A group that loses dimensions is the group of the question grouped by the others, settled as
    // that question would be: its own conditions of low effect go (a condition the lost dimension
    // made redundant is judged again without it).
    const settled = new Map<GroupStatisticsRow, GroupStatistics>();
    for (const group of shown) if (goes.get(group)!.size === 0) settled.set(group, group);
    for (let subset = 0; subset < (1 << dimensions) - 1; subset++) {
      const kept = query.groupBy.map((_, index) => index).filter((index) => (subset & (1 << index)) !== 0);
      const coarser = new GuardedQuestion(this.store, this.guard, this.project, { ...query, groupBy: kept.map((index) => query.groupBy[index]!) }, this.entity, this.facts, this.#session);
      const byLabels = new Map((await coarser.settledGroups(conditions)).groups.map((row) => [JSON.stringify(row.labels), row]));
      for (const group of shown) {
        const gone = goes.get(group)!;
        if (gone.size === 0 || kept.length !== dimensions - gone.size || kept.some((index) => gone.has(index))) continue;
        // A time bucket that stays seeds as its rows' minutes (among the wider group's conditions).
        const seedLabels = kept.filter((index) => !('time' in query.groupBy[index]!)).map((index) => group.labels[index]);
        const wider = byLabels.get(JSON.stringify(seedLabels));
        settled.set(group, wider === undefined ? group : { ...wider, labels: group.labels, seedLabels });
      }
    }
    return shown.map((group) => settled.get(group)!);
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
