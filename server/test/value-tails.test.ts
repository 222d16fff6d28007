/**
 * How the guard counts a prefix or a numeric range in one group (analytics/value-tails.ts): by the
 * values enough people hold, less a tail of low effect, or, for a money-style bin, as the bin it
 * narrows to; two spellings whose rows differ by one person's must come out alike.
 */
import { describe, expect, it } from 'vitest';
import { PrivacyGuard, digestOfEntities } from '../analytics/privacy-guard.js';
import { type ValueHolders, settleCondition, settleRange, settleValues, valuesItem } from '../analytics/value-tails.js';

const guard = new PrivacyGuard('value-tails-salt');
const holders = (value: string | number, people: string[]): ValueHolders => ({ value: String(value), entities: people.length, entityDigest: digestOfEntities(people) });
const crowd = (prefix: string, count: number) => Array.from({ length: count }, (_, index) => `${prefix}-${index}`);

describe('a prefix or range in one group', () => {
  it('is the values it matches when enough people hold each, and drops a one-person tail beside them', () => {
    const routine = holders('C/routine', crowd('p', 26));
    expect(settleValues(guard, 'attributes.code', 'written', [routine])).toEqual({ item: valuesItem(['C/routine']), tail: [] });
    // The victim's longer note: a tail of one person goes, and the prefix is the eq again.
    expect(settleValues(guard, 'attributes.code', 'written', [routine, holders('C/routine/positive', ['victim'])])).toEqual({ item: valuesItem(['C/routine']), tail: ['C/routine/positive'] });
    // Every value one person's: nothing to be seeded by, so the filter counts as written.
    expect(settleValues(guard, 'attributes.code', 'written', crowd('v', 20).map((value, index) => holders(value, [`q-${index}`])))).toEqual({ item: 'written', tail: [] });
  });

  it('narrows two bins whose rows differ by one person\'s value to the same bin with the same rows', () => {
    // 26 people with levels 100 to 125, each their own; the victim's 900 only in the wider bin.
    const levels = Array.from({ length: 26 }, (_, index) => holders(100 + index, [`p-${index}`]));
    const narrow = settleRange(guard, 'attributes.level', 'narrow', 0, 500, levels);
    const wide = settleRange(guard, 'attributes.level', 'wide', 0, 1000, [...levels, holders(900, ['victim'])]);
    expect(wide.item).toBe(narrow.item);
    expect(wide.tail.filter((value) => value !== '900')).toEqual(narrow.tail);
    expect(wide.tail).toContain('900');
    expect(JSON.parse(narrow.item)[0]).toBe('bin');
    // One whole number in a one-wide bin is that number, as `eq` is.
    expect(settleRange(guard, 'attributes.age', 'written', 44, 45, [holders(44, crowd('a', 9))]).item).toBe(valuesItem([44]));
    // A range that is not one money-style bin (a trusted reader's) goes by its tail instead.
    expect(settleCondition(guard, 'attributes.level', 'written', [{ op: 'gte', value: 3 }, { op: 'lt', value: 10 }], levels).item).toBe('written');
  });
});
