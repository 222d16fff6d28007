/**
 * Adversary 7: a prefix filter's seed is the set of values it matches in the whole project, so a
 * value held by one person (anywhere, even outside the group asked about) changes the noise of a
 * group that does not contain them.
 *
 * `prefix "CITY/routine"` is answered as `eq "CITY/routine"` (one question, one answer) exactly when
 * no other value starting with it exists in the project. Asked of ward A, where only pro people are
 * and every one of them holds `CITY/routine`, the two questions select the very same people; they
 * get one answer when the victim (in ward B) holds `CITY/routine` too, and two different answers
 * when the victim's note is `CITY/routine/positive`. So the equality of two answers about 13 pro
 * people tells a value held by one person outside them (a label of a group of one, promise 2), and
 * with it the victim's result (promise 1). Population: helpers/window-population.ts.
 */
import { describe, expect, it } from 'vitest';
import { type Json, accuracy, ask, direct, useWindowPopulation } from './helpers/window-population.js';

useWindowPopulation();

describe('prefix filters with a read key', () => {
  it('does not tell whether a value held by one person outside the group exists', async () => {
    const question = (code: Json, extra: Json[]) => ({
      where: [{ field: 'attributes.ward', value: 'A' }, { field: 'attributes.code', ...code }, ...extra],
      aggregates: [{ fn: 'count' }, { fn: 'users' }],
    });
    const asked = async (city: string, extra: Json[] = [], headers?: Record<string, string>) => [
      await ask('/api/query', question({ op: 'prefix', value: `${city}/routine` }, extra), headers),
      await ask('/api/query', question({ value: `${city}/routine` }, extra), headers),
    ] as const;
    // The two questions select the same people whatever the victim's note: 13 pro people of ward A.
    for (const city of ['city-0', 'city-1', 'city-2']) {
      const [prefix, eq] = await asked(city, [], direct);
      expect(prefix['rows']).toEqual(eq['rows']);
      expect(eq['rows'][0]['users']).toBe(13);
    }
    // Three forms of the pair (as asked, narrowed to the lab result, and with an empty prefix on
    // the result, both of which exclude nobody in ward A): the answers to a pair are equal exactly when no other value
    // matches the prefix.
    const score = await accuracy(async (city) => {
      for (const extra of [[], [{ field: 'name', value: 'lab result' }], [{ field: 'attributes.result', op: 'prefix', value: '' }]]) {
        const [prefix, eq] = await asked(city, extra);
        if (JSON.stringify(prefix['rows']) !== JSON.stringify(eq['rows'])) return 'positive';
      }
      // One answer: as far as the guard tells, nothing else starts with the prefix.
      return 'negative';
    });
    // Today: every victim's result (24 of 24).
    expect(score).toBeLessThanOrEqual(0.7);
  });
});
