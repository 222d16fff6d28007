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
 * duplicates count once. A prefix's values too few people hold, and the parts of a bin few people
 * hold, go with their rows where they are of low effect (value-tails.ts), so two spellings whose
 * rows differ by one person's value are one question too. Never by what it selects in the rest of the project, where one person
 * outside the group would move it. A cohort counts as written. The entity layer stays seeded by
 * the set of people in the group.
 */
import type { StatisticsSession, Store } from '../store/store.js';
import type { GroupStatisticsOptions, GroupStatisticsRow, RowCondition, VariantCase, VariantSelection } from '../store/row-mapping.js';
import type { GroupStatistics } from '../domain/group-statistics.js';
import { type GuardedRow, type PrivacyGuard, labelItem } from './privacy-guard.js';
import { type Dimension, type EventQuery, type Field, fieldName } from '../domain/query-model.js';
import { siblingsAround } from './sibling-groups.js';
import { type SettledValues, type ValueHolders, settleCondition, settleRange, xorDigests } from './value-tails.js';
import { type Condition, conditionsOf, seedItem } from './question-conditions.js';

// Where tests and callers have always found it.
export { xorDigests };

const minute = 60_000;

function minuteOf(time: number): number {
  return Math.floor(time / minute) * minute;
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

/** A prefix or range condition, or a grouping in numeric bins: counted by the values its rows hold (value-tails.ts). */
interface ValuePart {
  field: Field;
  condition?: Condition;
  /** The grouping's index and bin width, for a grouping in bins. */
  dimension?: number;
  bin?: number;
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
   * The groups `standing` names, each answered with the conditions that stand for it, and seeded
   * by what each of those selects: a value filter by its values (`seedItem`), a prefix or range by
   * the values its group's rows hold, less a tail of values too few people hold whose rows then go
   * (`settleValues`), a time range by the first and last minutes of the group's rows, a cohort by
   * its item. `keyOf` gives a group's key from its labels (the groups asked about); merged rows
   * (`merge`) seed prefixes and ranges as written. The same store calls whatever the data holds:
   * one per prefix or range for its values, one for their combinations when there are several
   * fields, and one for the answer.
   */
  async #answered(conditions: readonly Condition[], standing: ReadonlyMap<string, ReadonlySet<Condition>>, merge?: Merge, keyOf?: ReadonlyMap<string, string>): Promise<Map<string, GroupStatisticsRow & { conditions: string[] }>> {
    const query = this.query;
    const selections = selectionsOf(bySignature(standing, conditions).map(({ kept, keys }) => ({ keys, cases: [{ variant: 0, meets: kept, fails: [] }] })));
    const dimensions = merge === undefined ? query.groupBy.length : merge.keep;
    const timeIndex = query.groupBy.findIndex((dimension) => 'time' in dimension);
    const bucketed = timeIndex >= 0 && timeIndex < dimensions;
    // The first and last time of each group's rows (`facts`), for the time condition and buckets.
    const timed = bucketed || conditions.some((condition) => condition.kind === 'time');
    const groupOf = (labels: readonly unknown[]) => JSON.stringify(labels.slice(0, dimensions));
    const stands = (labels: readonly unknown[], condition: Condition) => standing.get(keyOf?.get(groupOf(labels)) ?? '')?.has(condition) === true;
    // Per prefix, range or grouping in numeric bins, the values each group's rows hold and who
    // holds them (one call each): a bin is the range it spans (so the `0` row of bins of 1000 and
    // `0 ≤ x < 1000` are one question, and bins of 500 and 1000 over the same rows but one
    // person's answer alike).
    const parts: ValuePart[] = merge !== undefined ? [] : [
      ...conditions.filter((condition) => condition.valuesOf !== undefined).map((condition) => ({ field: condition.valuesOf!, condition })),
      ...query.groupBy.flatMap((dimension, index) => ('field' in dimension && dimension.bin !== undefined ? [{ field: dimension.field, dimension: index, bin: dimension.bin }] : [])),
    ];
    const fields = [...new Map(parts.map((part) => [fieldName(part.field), part.field])).values()];
    const settled = new Map<ValuePart, Map<string, SettledValues>>();
    let combinations: GroupStatisticsRow[] = [];
    for (const part of parts) {
      const byGroup = new Map<string, { labels: unknown[]; holders: ValueHolders[] }>();
      const rows = await this.#variants(conditions, selections, { groupBy: [...query.groupBy, { field: part.field }] });
      if (fields.length === 1) combinations = rows;
      for (const row of rows) {
        const value = row.labels[dimensions];
        if (row.variant !== 0 || row.entities === 0 || value === null || value === undefined) continue;
        const group = groupOf(row.labels);
        const entry = byGroup.get(group) ?? { labels: row.labels.slice(0, dimensions), holders: [] };
        entry.holders.push({ value: String(value), entities: row.entities, entityDigest: row.entityDigest });
        byGroup.set(group, entry);
      }
      const name = fieldName(part.field);
      settled.set(part, new Map([...byGroup].flatMap(([group, { labels, holders }]) => {
        if (part.condition !== undefined) return [[group, settleCondition(this.guard, name, seedItem(part.condition), part.condition.filters, holders)]];
        const low = Number(labels[part.dimension!]);
        return labels[part.dimension!] === null || !Number.isFinite(low) ? [] : [[group, settleRange(this.guard, name, labelItem(labels[part.dimension!]), low, low + part.bin!, holders)]];
      })));
    }
    let rows: GroupStatisticsRow[];
    if (fields.length === 0) {
      rows = await this.#variants(conditions, selections, { merge, facts: this.facts || timed });
    } else {
      // The answer without each group's tails: its rows by every value field, the combinations
      // that hold a value of a tail (of a standing condition, or of a bin) left out, merged back
      // into the group.
      const byFields: Dimension[] = [...query.groupBy, ...fields.map((field) => ({ field }))];
      if (fields.length > 1) combinations = await this.#variants(conditions, selections, { groupBy: byFields });
      const dropped = combinations.filter((row) => row.variant === 0 && parts.some((part) => {
        const tail = settled.get(part)?.get(groupOf(row.labels))?.tail ?? [];
        const value = row.labels[dimensions + fields.findIndex((field) => fieldName(field) === fieldName(part.field))];
        return tail.length > 0 && value !== null && value !== undefined && tail.includes(String(value)) && (part.condition === undefined || stands(row.labels, part.condition));
      })).map((row) => row.key);
      rows = await this.#variants(conditions, selections, { merge: { keep: dimensions, excluded: [{ keep: byFields.length, keys: dropped }] }, facts: this.facts || timed, groupBy: byFields });
      rows = rows.map((row) => ({ ...row, labels: row.labels.slice(0, dimensions) }));
    }
    const answered = new Map<string, GroupStatisticsRow & { conditions: string[] }>();
    for (const row of rows) {
      if (row.variant !== 0) continue;
      const timeItem = JSON.stringify(['ts', ...(row.facts === undefined ? [] : [minuteOf(row.facts.firstSeen), minuteOf(row.facts.lastSeen)])]);
      const group = groupOf(row.labels);
      const items = conditions.filter((condition) => standing.get(row.key)?.has(condition)).map((condition) => {
        if (condition.kind === 'time') return timeItem;
        const part = parts.find((candidate) => candidate.condition === condition);
        return (part === undefined ? undefined : settled.get(part)?.get(group)?.item) ?? seedItem(condition);
      });
      // A bin that narrowed seeds as the bin it narrowed to, in place of its label.
      const unlabelled = new Set<number>();
      for (const part of parts) {
        const bin = part.dimension === undefined ? undefined : settled.get(part)?.get(group);
        if (bin === undefined || bin.item === labelItem(row.labels[part.dimension!])) continue;
        items.push(bin.item);
        unlabelled.add(part.dimension!);
      }
      // A bucket is the time range of its rows: its label leaves the seed and the time item is
      // theirs, so an hour of a series and that hour asked as a range are one question.
      if (bucketed) {
        if (!items.includes(timeItem)) items.push(timeItem);
        unlabelled.add(timeIndex);
      }
      answered.set(row.key, { ...row, conditions: items, ...(unlabelled.size === 0 ? {} : { seedLabels: row.labels.filter((_, index) => !unlabelled.has(index)) }) });
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
    const answered = await this.#answered(conditions, standing, undefined, new Map(asked.map((group) => [JSON.stringify(group.labels), group.key])));
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
        settled.set(group, wider === undefined ? group : { ...wider, labels: group.labels, seedLabels: wider.seedLabels ?? seedLabels });
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
