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
 * with it the victim's result (promise 1). A numeric range, seeded by the least and greatest value
 * it matches in the project, tells the same way whether one person's value lies in a wider bin.
 * Population: helpers/window-population.ts.
 */
import { describe, expect, it, vi } from 'vitest';
import { type Json, accuracy, ask, direct, useWindowPopulation } from './helpers/window-population.js';

// Each test asks hundreds of guarded questions, each settled in rounds over every combination
// of its parts: minutes on a busy 2-core machine.
vi.setConfig({ testTimeout: 300_000 });

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
  }, 240_000);

  it('does not tell whether a value held by one person outside the group lies in a wider bin', async () => {
    // A numeric range is seeded by the least and greatest value it matches in the project: the bins
    // [1000k, 1000k + 500) and [1000k, 1000k + 1000) hold the same 13 people of ward A, and match
    // the same extent of values unless the victim's 1000k + 900 lies in the wider one.
    const question = (city: string, width: number) => {
      const low = 1000 * Number(city.slice(5));
      return {
        where: [{ field: 'attributes.ward', value: 'A' }, { field: 'attributes.level', op: 'gte', value: low }, { field: 'attributes.level', op: 'lt', value: low + width }],
        aggregates: [{ fn: 'count' }, { fn: 'users' }],
      };
    };
    for (const city of ['city-0', 'city-1', 'city-2']) {
      const [narrow, wide] = [await ask('/api/query', question(city, 500), direct), await ask('/api/query', question(city, 1000), direct)];
      expect(narrow['rows']).toEqual(wide['rows']);
      expect(wide['rows'][0]['users']).toBe(13);
    }
    const score = await accuracy(async (city) => {
      for (const extra of [[], [{ field: 'name', value: 'lab result' }], [{ field: 'attributes.result', op: 'prefix', value: '' }]]) {
        const [narrow, wide] = [question(city, 500), question(city, 1000)].map((body) => ({ ...body, where: [...body.where, ...extra] }));
        if (JSON.stringify((await ask('/api/query', narrow))['rows']) !== JSON.stringify((await ask('/api/query', wide))['rows'])) return 'positive';
      }
      return 'negative';
    });
    expect(score).toBeLessThanOrEqual(0.7);
  }, 240_000);
});
