/**
 * The guard's group statistics (`Store.groupStatistics`, with its variants and merges) computed in
 * Node from parts read once per guarded answer, rather than one store query per question asked.
 *
 * A part is some rows that meet or fail every condition of the answer alike: a whole group of an
 * hourly series by severity (its row of the rollups), an hour over every severity, the people of
 * one severity whose events all fall between the same two time bounds, or one person's rows. So
 * tagging a part with the conditions it meets tags each of its rows, and every question the guard
 * asks about those rows (which rows fail one condition alone, which meet those still standing,
 * merged or not) is a sum over parts. Parts without a `person` are people counted whole (their
 * number, the XOR of their digests, their events, the six largest counts); within one group and
 * variant those never share a person with each other or with the parts of one person, which the
 * reader of the parts guarantees, so their statistics add up as those of one set of people do.
 *
 * The statistics given are those `groupStatisticsOf` makes of the rows the store's SQL gives (same
 * values, labels, keys and order).
 */
import type { EventQuery, Filter } from '../domain/query-model.js';
import { SUPPRESSED } from '../domain/group-statistics.js';
import { type GroupStatisticsOptions, type GroupStatisticsRow, type RowCondition, type VariantCase, merging } from './row-mapping.js';

export interface StatisticsPart {
  /**
   * The hour (ms) of the part's rows: its group's label when grouped by hour, else one hour on
   * the same side of every time bound of the answer as each of its rows.
   */
  hour: number;
  /** The rows' severity, if they all have one. */
  severity?: string;
  /** Whose rows these are, if one person's (their statistics are summed with the rest of that person's). */
  person?: string;
  entities: number;
  /** The XOR of the people's digests (a 64-bit number in decimal, as the store gives it). */
  digest: string;
  events: number;
  /** The largest per-person counts, descending: six suffice. For one person, their events. */
  top: readonly number[];
  firstMs: number;
  lastMs: number;
}

interface Totals {
  variant: number;
  labels: unknown[];
  entities: number;
  digest: bigint;
  events: number;
  top: number[];
  first: number;
  last: number;
  people: Map<string, { digest: bigint; events: number; first: number; last: number }> | undefined;
}

function severityMeets(filter: Filter, severity: string | undefined): boolean {
  const values = (Array.isArray(filter.value) ? filter.value : [filter.value]).map(String);
  if (filter.op === 'eq') return severity === values[0];
  if (filter.op === 'ne') return severity !== values[0];
  if (filter.op === 'in') return severity !== undefined && values.includes(severity);
  throw new Error(`not a condition on severity the parts can tell: ${filter.op}`);
}

/** Whether a part's rows meet a condition (filters on severity, whole-hour bounds), as the SQL's COALESCE(..., FALSE). */
function meets(part: StatisticsPart, condition: RowCondition): boolean {
  if (condition.from !== undefined && !(part.hour >= condition.from)) return false;
  if (condition.to !== undefined && !(part.hour < condition.to)) return false;
  for (const filter of condition.where) if (!severityMeets(filter, part.severity)) return false;
  return true;
}

function variantOf(cases: readonly VariantCase[], met: readonly boolean[]): number {
  const chosen = cases.find((entry) => entry.meets.every((index) => met[index]) && entry.fails.every((index) => !met[index]));
  return chosen === undefined ? -1 : Math.trunc(chosen.variant);
}

function compareLabels(a: readonly unknown[], b: readonly unknown[]): number {
  for (let index = 0; index < a.length; index++) {
    const left = a[index];
    const right = b[index];
    if (left === right) continue;
    if (typeof left === 'number' && typeof right === 'number') return left - right;
    return String(left) < String(right) ? -1 : 1;
  }
  return 0;
}

/** The largest six of `values`, descending. */
function largest(values: number[]): number[] {
  return values.sort((a, b) => b - a).slice(0, 6);
}

/**
 * The statistics `groupStatistics(project, query, entity, options)` gives, from `parts`: each part's
 * labels are its hour (a time dimension, by hour) and severity; the caller sends only questions
 * whose dimensions and conditions the parts can tell. With `oneGroupEach`, no two parts have the
 * same labels and none is one person's: unmerged, each part that counts is a group of its own.
 */
export function statisticsFromParts(query: EventQuery, options: GroupStatisticsOptions, parts: readonly StatisticsPart[], oneGroupEach = false): GroupStatisticsRow[] {
  const variants = options.variants ?? { conditions: [], selections: [{ cases: [{ variant: 0, meets: [], fails: [] }] }] };
  const dimensions = query.groupBy.length;
  const merged = merging(options);
  const kept = merged ? Math.max(0, Math.min(dimensions, options.keep ?? 0)) : dimensions;
  const keyDimensions = variants.keyDimensions ?? dimensions;
  const own: RowCondition = { where: query.where, from: query.from, to: query.to };
  // `unless` with no part of its own is no condition (the SQL adds none).
  const unless = query.unless === undefined || (query.unless.from === undefined && query.unless.to === undefined && query.unless.where.length === 0)
    ? undefined : { where: query.unless.where, from: query.unless.from, to: query.unless.to };
  const selectionOf = new Map<string, VariantCase[]>();
  for (const selection of variants.selections) {
    for (const key of selection.keys ?? []) if (!selectionOf.has(key)) selectionOf.set(key, selection.cases);
  }
  const rest = variants.selections.find((selection) => selection.keys === undefined)?.cases;
  const only = options.onlyGroups === undefined ? undefined : new Set(options.onlyGroups);
  const excepted = (options.exceptGroups ?? []).map((entry) => ({ keep: entry.keep, keys: new Set(entry.keys) }));
  const facts = options.facts === true;
  const suppressed = query.groupBy.slice(kept).map(() => SUPPRESSED);
  const totals = new Map<string, Totals>();
  const ownRows: GroupStatisticsRow[] = [];
  for (const part of parts) {
    if (!meets(part, own) || (unless !== undefined && meets(part, unless))) continue;
    const labels = query.groupBy.map((dimension) => ('time' in dimension ? part.hour : part.severity));
    const key = JSON.stringify(labels);
    const cases = (selectionOf.size === 0 ? undefined : selectionOf.get(keyDimensions === dimensions ? key : JSON.stringify(labels.slice(0, keyDimensions)))) ?? rest;
    if (cases === undefined) continue;
    const variant = variantOf(cases, variants.conditions.map((condition) => meets(part, condition)));
    if (variant < 0) continue;
    if (only !== undefined && !only.has(key)) continue;
    if (excepted.some((entry) => entry.keys.has(entry.keep === dimensions ? key : JSON.stringify(labels.slice(0, entry.keep))))) continue;
    if (oneGroupEach && !merged) {
      const row: GroupStatisticsRow = { labels, key, entities: part.entities, entityDigest: part.digest, events: part.events, top: part.top as number[] };
      if (options.variants !== undefined) row.variant = variant;
      // The rollups keep no severity number (SQL NULL, which `groupStatisticsOf` reads as 0).
      if (facts) row.facts = { firstSeen: part.firstMs, lastSeen: part.lastMs, severityNumber: 0 };
      ownRows.push(row);
      continue;
    }
    const shown = kept === dimensions ? labels : labels.slice(0, kept);
    const totalKey = `${variant}\u0000${kept === dimensions ? key : JSON.stringify(shown)}`;
    let total = totals.get(totalKey);
    if (total === undefined) {
      total = { variant, labels: shown, entities: 0, digest: 0n, events: 0, top: [], first: Infinity, last: -Infinity, people: undefined };
      totals.set(totalKey, total);
    }
    if (part.person === undefined) {
      total.entities += part.entities;
      total.digest ^= BigInt(part.digest);
      total.events += part.events;
      total.top = total.top.length === 0 ? [...part.top] : largest([...total.top, ...part.top]);
      total.first = Math.min(total.first, part.firstMs);
      total.last = Math.max(total.last, part.lastMs);
      continue;
    }
    total.people ??= new Map();
    const person = total.people.get(part.person);
    if (person === undefined) total.people.set(part.person, { digest: BigInt(part.digest), events: part.events, first: part.firstMs, last: part.lastMs });
    else {
      person.events += part.events;
      person.first = Math.min(person.first, part.firstMs);
      person.last = Math.max(person.last, part.lastMs);
    }
  }
  const rows = [...ownRows];
  for (const total of totals.values()) {
    let { entities, digest, events, top, first, last } = total;
    if (total.people !== undefined) {
      top = [...top];
      for (const person of total.people.values()) {
        entities++;
        digest ^= person.digest;
        events += person.events;
        top.push(person.events);
        first = Math.min(first, person.first);
        last = Math.max(last, person.last);
      }
    }
    rows.push({
      labels: suppressed.length === 0 ? total.labels : [...total.labels, ...suppressed],
      key: JSON.stringify(total.labels),
      ...(options.variants === undefined ? {} : { variant: total.variant }),
      entities,
      entityDigest: digest.toString(),
      events,
      top: largest(top),
      ...(facts ? { facts: { firstSeen: first, lastSeen: last, severityNumber: 0 } } : {}),
    });
  }
  const order = (a: GroupStatisticsRow, b: GroupStatisticsRow) => (a.variant ?? 0) - (b.variant ?? 0) || compareLabels(a.labels, b.labels);
  // Parts read in order give their rows in order: sorted only when they are not.
  if (rows.some((row, index) => index > 0 && order(rows[index - 1]!, row) > 0)) rows.sort(order);
  // One question with no dimension left is one row even over no rows, as SQL's ungrouped aggregate.
  if (rows.length === 0 && options.variants === undefined && kept === 0) return [{ labels: suppressed, key: '[]', entities: 0, entityDigest: '', events: 0, top: [] }];
  return rows;
}
