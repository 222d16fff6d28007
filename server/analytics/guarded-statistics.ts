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
import { type GuardedRow, type PrivacyGuard } from './privacy-guard.js';
import { type Cohort, type EventQuery, type Filter, fieldName } from './query-model.js';

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

export async function conditionsOf(store: Store, project: string, query: EventQuery): Promise<Condition[]> {
  const conditions: Condition[] = [];
  if (query.from !== undefined || query.to !== undefined) {
    conditions.push({ item: JSON.stringify(['ts', query.from ?? null, query.to ?? null]), kind: 'time', filters: [], from: query.from, to: query.to });
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
    const bounds = filters.map((filter) => [filter.op, filter.value] as const).sort((a, b) => String(a).localeCompare(String(b)));
    conditions.push({ item: JSON.stringify(['range', name, bounds]), kind: 'filter', filters });
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
   * `keys` are the groups asked about; with `merged`, those groups (their keys) are asked about as
   * one group, the `*` row, kept under the key `*`.
   */
  async #settle(conditions: readonly Condition[], keys: readonly string[], merged?: string[]): Promise<{ standing: Map<string, Set<Condition>>; changed: Set<string> }> {
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
        const options = merged !== undefined ? { onlyGroups: merged } : groupKeys.length === standing.size ? {} : { onlyGroups: groupKeys, keep: this.query.groupBy.length };
        const effects = byKey((await this.store.groupStatistics(this.project, turned, this.entity, options)).filter((row) => row.entities > 0));
        for (const key of groupKeys) {
          const effect = merged !== undefined ? effects.values().next().value : effects.get(key);
          if (effect === undefined || this.guard.isLowEffect(effect.entities, effect.entityDigest, condition.item)) {
            standing.get(key)!.delete(condition);
            if (effect !== undefined) changed.add(key);
          }
        }
      }
    }
    return { standing, changed };
  }

  async answer(): Promise<GuardedStatistics> {
    const query = this.query;
    const conditions = await conditionsOf(this.store, this.project, query);
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
    const { rows, suppressed } = this.guard.fromStatistics(query, groups);

    // Three or more dimensions: the low-effect merge by leading dimensions, seeded by the
    // conditions that stand in some group.
    const mergedItems = itemsOf(conditions.filter((condition) => [...standing.values()].some((set) => set.has(condition))));
    let remaining = suppressed;
    const dimensions = query.groupBy.length;
    for (let keep = dimensions - 1; dimensions >= 3 && keep >= 1 && remaining.length > 0; keep--) {
      const merged = await this.#statistics(base, { onlyGroups: remaining.map((group) => group.key), keep });
      const shown = this.guard.fromStatistics(query, merged.map((group) => ({ ...group, conditions: mergedItems }))).rows;
      rows.push(...shown);
      const prefixes = new Set(shown.map((row) => JSON.stringify(row.labels.slice(0, keep))));
      remaining = remaining.filter((group) => !prefixes.has(JSON.stringify(group.labels.slice(0, keep))));
    }
    let suppressedGroups = 0;
    if (remaining.length > 0 && dimensions > 0) {
      const bin = await this.#bin(conditions, remaining.map((group) => group.key), itemsOf);
      const row = bin === undefined ? undefined : this.guard.bin(query, bin);
      if (row !== undefined) {
        rows.push(row);
        suppressedGroups = this.guard.noisyGroupCount(JSON.stringify(row.values), remaining.length, bin!.entityDigest);
      }
    }
    const factsByLabel = new Map(groups.map((group) => [JSON.stringify(group.labels), group.facts]));
    return { rows, suppressedGroups, factsOf: (labels) => factsByLabel.get(JSON.stringify(labels)) };
  }

  /** The `*` group: the suppressed groups merged, answered without the conditions of low effect on it. */
  async #bin(conditions: readonly Condition[], keys: string[], itemsOf: (kept: Iterable<Condition>) => string[]): Promise<GroupStatisticsRow | undefined> {
    const { standing, changed } = await this.#settle(conditions, ['*'], keys);
    const kept = standing.get('*')!;
    if (!changed.has('*')) {
      const [asked] = await this.#statistics(queryWith(this.query, conditions), { onlyGroups: keys });
      return asked === undefined || asked.entities === 0 ? undefined : { ...asked, conditions: itemsOf(kept) };
    }
    const [merged] = await this.#statistics(queryWith(this.query, conditions.filter((condition) => kept.has(condition))), { onlyGroups: keys });
    return merged === undefined || merged.entities === 0 ? undefined : { ...merged, conditions: itemsOf(kept) };
  }
}
