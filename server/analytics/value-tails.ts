/**
 * What a prefix, a numeric range or a grouping in numeric bins selects, for the guard: the values
 * it matches in a group's rows (or a funnel step's), each with the people who hold it there.
 *
 * Two such filters that select the same rows are one question with one answer (`prefix "posi"` and
 * `eq "positive"`; `44 ≤ age < 45` and `age = 44`). So two that select the same rows but for one
 * person's must not answer apart either: `prefix "C/routine"` against `eq "C/routine"` where only
 * the victim's note reads `C/routine/positive`, or the bins [0, 500) and [0, 1000) where only the
 * victim's value lies between 500 and 1000, answered alike exactly when the victim had no such row
 * (adversary 8 named 21 to 24 of 24 victims so, in queries, groupings and funnels).
 *
 * A prefix, or a range that is not one bin (`settleValues`): the values too few people hold to pass
 * the low-count filter are its tail. No tail: seeded by the values it matches, as a grouping's
 * labels are. A tail of low effect beside values enough people hold: the tail's rows go, and the
 * prefix is those values (so `prefix "C/routine"` is `eq "C/routine"` whether or not the victim's
 * longer note exists). Otherwise (most values rare): seeded as written.
 *
 * A money-style bin (`settleRange`), filtered or grouped: it narrows, through the bins of ever
 * narrower widths, to the one most of its people hold while the others are of low effect, and their
 * rows go; so [0, 1000) and [0, 500) narrow to the same bin with the same rows when only the
 * victim's value lies between them, even where every value is one person's.
 */
import type { PrivacyGuard } from './privacy-guard.js';

/** Distinct values looked up to tell which values a prefix selects; beyond, the prefix is its own text. */
export const matchedValuesLimit = 1000;

/** One value a filter matches in a group's rows, and who holds it there. */
export interface ValueHolders {
  value: string;
  entities: number;
  entityDigest: string;
}

/** How the guard counts a prefix or range in one group: its seed item, and the values whose rows go. */
export interface SettledValues {
  item: string;
  tail: string[];
}

/** XOR of two order-free digests (decimal 64-bit from the stores, hex from Node): the digest of the set difference of nested sets. */
export function xorDigests(a: string, b: string): string {
  const hex = (text: string) => /^[0-9a-f]{64}$/.test(text);
  const parse = (text: string) => (text === '' ? 0n : hex(text) ? BigInt(`0x${text}`) : BigInt(text));
  const value = parse(a) ^ parse(b);
  return hex(a) || hex(b) ? value.toString(16).padStart(64, '0') : value.toString();
}

/**
 * The seed item of a set of values a condition selects, as a grouping's label is seeded
 * (`labelItem`): one value as itself, several as their sorted list.
 */
export function valuesItem(values: readonly unknown[]): string {
  const distinct = [...new Set(values.map(String))].sort();
  return JSON.stringify(['group', distinct.length === 1 ? distinct[0] : distinct]);
}

/**
 * A prefix or range in one group (`holders`: the values it matches there), `written` its item as
 * written and `field` the field's name (the tail's low-effect draw is one for every filter of it).
 */
export function settleValues(guard: PrivacyGuard, field: string, written: string, holders: readonly ValueHolders[] | undefined): SettledValues {
  if (holders === undefined || holders.length === 0 || holders.length > matchedValuesLimit) return { item: written, tail: [] };
  const rare = holders.filter((holder) => guard.isLowCount(holder.entities, holder.entityDigest));
  const common = holders.filter((holder) => !rare.includes(holder)).map((holder) => holder.value);
  if (rare.length === 0) return { item: valuesItem(common), tail: [] };
  // The tail's people, counted once per value they hold (at least as many as they are).
  const people = rare.reduce((sum, holder) => sum + holder.entities, 0);
  const digest = rare.reduce((combined, holder) => xorDigests(combined, holder.entityDigest), '');
  if (common.length > 0 && guard.isLowEffect(people, digest, JSON.stringify([field, 'tail']))) return { item: valuesItem(common), tail: rare.map((holder) => holder.value) };
  return { item: written, tail: [] };
}

/** The money-style width below `width` whose bins tile it: 1000 → 500, 500 → 100, 200 → 100. */
function narrowerWidth(width: number): number {
  const power = 10 ** Math.floor(Math.log10(width) + 1e-9);
  const mantissa = Math.round(width / power);
  return mantissa === 1 ? power / 2 : power;
}

/**
 * A numeric range `low ≤ x < high` (a money-style bin) in one group, as the bin it narrows to. Two
 * bins that hold the same rows but for one person's must answer alike, and a bin whose values are
 * each one person's has no values enough people hold to be seeded by. So the bin is split into the
 * bins of the next narrower width (1000 into two of 500, 500 into five of 100): where only one holds
 * rows, or the others together hold people of low effect (one person always), the range narrows to
 * the one most people hold and the others' rows go; until the others stand, or one value is left. [0, 1000) with only the
 * victim's value above 500 and [0, 500) narrow alike, to the same bin with the same rows. The bin
 * it narrows to seeds the noise (not the field's name), one value as that value (`44 ≤ age < 45`
 * is `age = 44`).
 */
export function settleRange(guard: PrivacyGuard, field: string, written: string, low: number, high: number, holders: readonly ValueHolders[] | undefined): SettledValues {
  if (holders === undefined || holders.length === 0 || holders.length > matchedValuesLimit) return { item: written, tail: [] };
  let kept = holders.filter((holder) => Number.isFinite(Number(holder.value)));
  const tail: string[] = [];
  while (new Set(kept.map((holder) => Number(holder.value))).size > 1 && high - low > 0.01 + 1e-12) {
    const width = narrowerWidth(high - low);
    const bins = new Map<number, ValueHolders[]>();
    for (const holder of kept) {
      const index = Math.floor((Number(holder.value) - low) / width + 1e-9);
      bins.set(index, [...(bins.get(index) ?? []), holder]);
    }
    // The bin most people hold (the first of equals) stays if the others together are of low
    // effect (one draw for their people, so several small bins cannot go at once beyond the threshold).
    const people = (members: readonly ValueHolders[]) => members.reduce((sum, holder) => sum + holder.entities, 0);
    const [index, members] = [...bins].reduce((best, entry) => (people(entry[1]) > people(best[1]) || (people(entry[1]) === people(best[1]) && entry[0] < best[0]) ? entry : best));
    const others = [...bins].filter(([other]) => other !== index).flatMap(([, holders]) => holders);
    if (others.length > 0 && !guard.isLowEffect(people(others), others.reduce((combined, holder) => xorDigests(combined, holder.entityDigest), ''), JSON.stringify([field, 'bin', low, high, index]))) break;
    tail.push(...others.map((holder) => holder.value));
    kept = members;
    [low, high] = [low + index * width, low + (index + 1) * width];
  }
  const values = new Set(kept.map((holder) => holder.value));
  if (values.size === 0) return { item: written, tail: [] };
  return { item: values.size === 1 ? valuesItem([...values]) : JSON.stringify(['bin', low, high]), tail };
}

/** The bounds of a condition that is one money-style bin (`gte low` and `lt high`), if it is one. */
export function binOf(filters: readonly { op: string; value: unknown }[]): [number, number] | undefined {
  const low = filters.find((filter) => filter.op === 'gte')?.value;
  const high = filters.find((filter) => filter.op === 'lt')?.value;
  if (filters.length !== 2 || typeof low !== 'number' || typeof high !== 'number' || !(high > low)) return undefined;
  const width = high - low;
  const power = 10 ** Math.floor(Math.log10(width) + 1e-9);
  const aligned = Math.abs(low / width - Math.round(low / width)) < 1e-9;
  return aligned && [1, 2, 5].some((mantissa) => Math.abs(width / power - mantissa) < 1e-9) ? [low, high] : undefined;
}

/** A prefix or range condition in one group: a money-style bin narrows (`settleRange`), anything else by its tail (`settleValues`). */
export function settleCondition(guard: PrivacyGuard, field: string, written: string, filters: readonly { op: string; value: unknown }[], holders: readonly ValueHolders[] | undefined): SettledValues {
  const bin = binOf(filters);
  return bin === undefined ? settleValues(guard, field, written, holders) : settleRange(guard, field, written, bin[0], bin[1], holders);
}
