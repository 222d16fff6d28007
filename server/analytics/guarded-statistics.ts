/**
 * Guarded answers from the store's per-group statistics, with low-effect detection (after Open
 * Diffix "Fir"): a condition counts only where it changes who is counted.
 *
 * Each condition of the query (a filter; the `from`/`to` range; the bounds of one numeric range)
 * is asked about turned around: the people, per group, who have a row that the other conditions
 * keep and this one excludes. A condition that excludes nobody anywhere is dropped from the query.
 * In a group where it excludes fewer people than the noisy low-count threshold, the group is
 * answered as if it were not there (unless the low-effect conditions together add more people than
 * that). So asking "A" and "A and not the victim" gives the same answer whether or not the victim is
 * in A, and no spelling of the same question reaches fresh noise.
 *
 * The sticky noise layer is seeded by what each remaining condition selects, not by its text: an
 * `eq` and a `prefix` (or `in`) matching the same values are one condition, and duplicates count
 * once. The entity layer stays seeded by the set of people in the group.
 */
import type { Store } from '../store/store.js';
import type { GroupStatisticsRow } from '../store/row-mapping.js';
import { type GuardedRow, type PrivacyGuard } from './privacy-guard.js';
import { type EventQuery, type Filter, fieldName } from './query-model.js';

interface Condition {
  /** Seed material: what the condition selects, not how it is written. */
  item: string;
  filters: Filter[];
  from?: number;
  to?: number;
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

async function conditionsOf(store: Store, project: string, query: EventQuery): Promise<Condition[]> {
  const conditions: Condition[] = [];
  if (query.from !== undefined || query.to !== undefined) {
    conditions.push({ item: JSON.stringify(['ts', query.from ?? null, query.to ?? null]), filters: [], from: query.from, to: query.to });
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
    conditions.push({ item, filters: [filter] });
  }
  for (const [name, filters] of ranges) {
    const bounds = filters.map((filter) => [filter.op, filter.value] as const).sort((a, b) => String(a).localeCompare(String(b)));
    conditions.push({ item: JSON.stringify(['range', name, bounds]), filters });
  }
  // The same selection written twice (or as eq and as a prefix matching only that value) is one condition.
  const seen = new Set<string>();
  return conditions.filter((condition) => !seen.has(condition.item) && seen.add(condition.item));
}

/** The query with only `kept` conditions (the cohort, grouping and aggregates unchanged). */
function queryWith(query: EventQuery, kept: readonly Condition[]): EventQuery {
  const time = kept.find((condition) => condition.filters.length === 0);
  return { ...query, from: time?.from, to: time?.to, where: kept.flatMap((condition) => condition.filters), unless: undefined };
}

function without(conditions: readonly Condition[], dropped: ReadonlySet<Condition>): Condition[] {
  return conditions.filter((condition) => !dropped.has(condition));
}

function byKey(rows: readonly GroupStatisticsRow[]): Map<string, GroupStatisticsRow> {
  return new Map(rows.map((row) => [row.key, row]));
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

  /** Per condition, the people it excludes (per group key, or merged over `onlyGroups`). */
  async #effects(conditions: readonly Condition[], onlyGroups?: string[]): Promise<Map<string, GroupStatisticsRow>[]> {
    const effects: Map<string, GroupStatisticsRow>[] = [];
    for (const condition of conditions) {
      const others = queryWith(this.query, without(conditions, new Set([condition])));
      const turned: EventQuery = { ...others, unless: { where: condition.filters, from: condition.from, to: condition.to } };
      effects.push(byKey(await this.store.groupStatistics(this.project, turned, this.entity, onlyGroups === undefined ? {} : { onlyGroups })));
    }
    return effects;
  }

  #lowEffect(effect: GroupStatisticsRow | undefined): boolean {
    return effect === undefined || this.guard.isLowCount(effect.entities, effect.entityDigest);
  }

  /**
   * The statistics a group is answered from once its low-effect conditions are left out, if those
   * together add only a low count of people; otherwise the group as asked, every condition kept.
   */
  #adjusted(asked: GroupStatisticsRow, relaxed: GroupStatisticsRow | undefined, dropped: ReadonlySet<Condition>, conditions: readonly Condition[], extra: readonly string[]): GroupStatisticsRow {
    const allItems = [...conditions.map((condition) => condition.item), ...extra];
    if (dropped.size === 0 || relaxed === undefined) return { ...asked, conditions: allItems };
    const added = relaxed.entities - asked.entities;
    if (added > 0 && !this.guard.isLowCount(added, xorDigests(relaxed.entityDigest, asked.entityDigest))) return { ...asked, conditions: allItems };
    return { ...relaxed, labels: asked.labels, key: asked.key, conditions: [...without(conditions, dropped).map((condition) => condition.item), ...extra] };
  }

  async answer(): Promise<GuardedStatistics> {
    const query = this.query;
    const extra = query.cohort === undefined ? [] : [JSON.stringify(['cohort', query.cohort])];
    const all = await conditionsOf(this.store, this.project, query);
    const allEffects = await this.#effects(all);
    // A condition that excludes nobody anywhere is not a condition.
    const conditions = all.filter((_, index) => allEffects[index]!.size > 0);
    const effects = allEffects.filter((effect) => effect.size > 0);
    const base = queryWith(query, conditions);
    const asked = await this.#statistics(base);

    // Per group, the conditions of low effect there; groups sharing a set are re-asked together.
    const droppedOf = new Map<string, Set<Condition>>();
    const bySignature = new Map<string, { dropped: Set<Condition>; groups: GroupStatisticsRow[] }>();
    for (const group of asked) {
      const dropped = new Set(conditions.filter((_, index) => this.#lowEffect(effects[index]!.get(group.key))));
      droppedOf.set(group.key, dropped);
      if (dropped.size === 0) continue;
      const signature = conditions.map((condition) => (dropped.has(condition) ? '1' : '0')).join('');
      const entry = bySignature.get(signature) ?? { dropped, groups: [] };
      entry.groups.push(group);
      bySignature.set(signature, entry);
    }
    const adjusted = new Map<string, GroupStatisticsRow>();
    for (const { dropped, groups } of bySignature.values()) {
      const relaxed = byKey(await this.#statistics(queryWith(query, without(conditions, dropped)), { onlyGroups: groups.map((group) => group.key), keep: query.groupBy.length }));
      for (const group of groups) adjusted.set(group.key, this.#adjusted(group, relaxed.get(group.key), dropped, conditions, extra));
    }
    const groups = asked.map((group) => adjusted.get(group.key) ?? { ...group, conditions: [...conditions.map((condition) => condition.item), ...extra] });
    const { rows, suppressed } = this.guard.fromStatistics(query, groups);

    // Three or more dimensions: the low-effect merge by leading dimensions (conditions as asked).
    const allItems = [...conditions.map((condition) => condition.item), ...extra];
    let remaining = suppressed;
    const dimensions = query.groupBy.length;
    for (let keep = dimensions - 1; dimensions >= 3 && keep >= 1 && remaining.length > 0; keep--) {
      const merged = await this.#statistics(base, { onlyGroups: remaining.map((group) => group.key), keep });
      const shown = this.guard.fromStatistics(query, merged.map((group) => ({ ...group, conditions: allItems }))).rows;
      rows.push(...shown);
      const prefixes = new Set(shown.map((row) => JSON.stringify(row.labels.slice(0, keep))));
      remaining = remaining.filter((group) => !prefixes.has(JSON.stringify(group.labels.slice(0, keep))));
    }
    let suppressedGroups = 0;
    if (remaining.length > 0 && dimensions > 0) {
      const bin = await this.#bin(base, conditions, remaining.map((group) => group.key), extra);
      const row = bin === undefined ? undefined : this.guard.bin(query, bin);
      if (row !== undefined) {
        rows.push(row);
        suppressedGroups = this.guard.noisyGroupCount(JSON.stringify(row.values), remaining.length, bin!.entityDigest);
      }
    }
    const factsByLabel = new Map(groups.map((group) => [JSON.stringify(group.labels), group.facts]));
    return { rows, suppressedGroups, factsOf: (labels) => factsByLabel.get(JSON.stringify(labels)) };
  }

  /** The `*` group: the suppressed groups merged, with the conditions of low effect on it left out. */
  async #bin(base: EventQuery, conditions: readonly Condition[], keys: string[], extra: readonly string[]): Promise<GroupStatisticsRow | undefined> {
    const [asked] = await this.#statistics(base, { onlyGroups: keys });
    if (asked === undefined) return undefined;
    const effects = await this.#effects(conditions, keys);
    const dropped = new Set(conditions.filter((_, index) => this.#lowEffect(effects[index]!.get(asked.key))));
    if (dropped.size === 0) return this.#adjusted(asked, undefined, dropped, conditions, extra);
    const [relaxed] = await this.#statistics(queryWith(this.query, without(conditions, dropped)), { onlyGroups: keys });
    return this.#adjusted(asked, relaxed, dropped, conditions, extra);
  }
}
