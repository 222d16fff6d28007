/**
 * Adversary 7: watching an ungrouped answer while one person's event arrives.
 *
 * Untrusted readers see time buckets only once they are closed, "so no one can watch single events
 * arrive"; but a question with no time grouping (and no `to`, or a `to` in the future, which is the
 * same question) is answered over every event stored so far. Its sticky noise is seeded by the
 * people in the group, so asked again after one more person joined the group it is redrawn, and
 * asked again after that person joined another group it is the identical answer. An attacker who
 * knows when the victim's lab result is recorded (they saw them at the clinic) asks "positive
 * results in the victim's city" just before and just after: the answer that changes names the result.
 *
 * Each city: 26 pro people with their lab results stored long before; the victim's result
 * arrives while the attacker watches. A positive victim also had a retest logged in the minute
 * after their city's results, which the second attack below reads through a time range's seed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../analytics/seeded-random.js';
import { type CollectorProcess, keys, startCollector } from './helpers/collector-process.js';
import { envelope, ingestAll } from './helpers/dataset.js';

const cities = Array.from({ length: 24 }, (_, index) => `city-${index}`);
const secrets = new Map<string, string>();
const untrusted = { authorization: `Bearer ${keys.read}` };
const direct = { authorization: `Bearer ${keys.admin}` };
const start = Date.UTC(2026, 10, 2, 8);
let collector: CollectorProcess;

beforeAll(async () => {
  collector = await startCollector({ env: { LOGMILL_SALT: 'attack-suite' } });
  const random = seededRandom(20261209);
  const lines: string[] = [];
  for (const [cityIndex, city] of cities.entries()) {
    secrets.set(city, random() < 0.5 ? 'positive' : 'negative');
    for (let index = 0; index < 26; index++) {
      const attributes = { city, plan: 'pro', result: index < 13 ? 'positive' : 'negative' };
      lines.push(envelope({ userId: `${city}-p${index}`, name: 'lab result', ts: start + (cityIndex * 27 + index) * 60_000, attributes }));
    }
    // A positive victim is called back for a retest, logged in the minute after their city's
    // results (a minute no other row of the project is in).
    if (secrets.get(city) === 'positive') lines.push(envelope({ userId: `${city}-victim`, name: 'retest', ts: start + (cityIndex * 27 + 26) * 60_000 + 5_000, attributes: { city } }));
  }
  await ingestAll(collector.url, keys.ingest, lines);
}, 120_000);

afterAll(async () => {
  await collector.stop();
});

async function users(city: string, result: string, headers: Record<string, string>): Promise<string> {
  const response = await fetch(`${collector.url}/api/query`, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json' },
    body: JSON.stringify({ where: [{ field: 'name', value: 'lab result' }, { field: 'attributes.city', value: city }, { field: 'attributes.result', value: result }], aggregates: [{ fn: 'count' }, { fn: 'users' }] }),
  });
  expect(response.status).toBe(200);
  return JSON.stringify(((await response.json()) as { rows: unknown[] }).rows);
}

describe('watching answers change with a read key', () => {
  it('does not tell the result of one person whose event arrives between two identical questions', async () => {
    let right = 0;
    let exactRight = 0;
    for (const city of cities) {
      const before = { positive: await users(city, 'positive', untrusted), negative: await users(city, 'negative', untrusted) };
      const exactBefore = { positive: await users(city, 'positive', direct), negative: await users(city, 'negative', direct) };
      // The victim's lab result is recorded now.
      await ingestAll(collector.url, keys.ingest, [envelope({ userId: `${city}-victim`, name: 'lab result', ts: Date.now(), attributes: { city, plan: 'free', result: secrets.get(city)! } })]);
      const after = { positive: await users(city, 'positive', untrusted), negative: await users(city, 'negative', untrusted) };
      const exactAfter = { positive: await users(city, 'positive', direct), negative: await users(city, 'negative', direct) };
      const guess = (was: typeof before, is: typeof before) =>
        was.positive !== is.positive && was.negative === is.negative ? 'positive'
          : was.negative !== is.negative && was.positive === is.positive ? 'negative'
            : seededRandom(Number(city.slice(5)) * 7919 + 13)() < 0.5 ? 'positive' : 'negative';
      if (guess(before, after) === secrets.get(city)) right++;
      if (guess(exactBefore, exactAfter) === secrets.get(city)) exactRight++;
    }
    // The exact answers tell every result: the watch does see the victim's event.
    expect(exactRight / cities.length).toBe(1);
    // Today: 24 of 24 (the answer of the victim's group is redrawn; the other group's is identical).
    expect(right / cities.length).toBeLessThanOrEqual(0.7);
  }, 240_000);

  it('does not tell whether one person has a row in a minute outside the group, through a time range\'s seed', async () => {
    // A time range is seeded by the first and last minutes that hold rows of the project: two ranges
    // over the same 13 positive results of a city, ending before or after the minute of the
    // victim's retest, are one question when there is no retest and two when there is.
    const positives = async (city: string, minutes: number, headers: Record<string, string>) => {
      const first = start + Number(city.slice(5)) * 27 * 60_000;
      const response = await fetch(`${collector.url}/api/query`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: JSON.stringify({ from: first, to: first + minutes * 60_000, where: [{ field: 'name', value: 'lab result' }, { field: 'attributes.result', value: 'positive' }], aggregates: [{ fn: 'count' }, { fn: 'users' }] }),
      });
      expect(response.status).toBe(200);
      return JSON.stringify(((await response.json()) as { rows: unknown[] }).rows);
    };
    let right = 0;
    for (const city of cities) {
      // The same people either way: the 13 positive pro people of the city.
      expect(await positives(city, 27, direct)).toBe(await positives(city, 26, direct));
      const guess = (await positives(city, 26, untrusted)) !== (await positives(city, 27, untrusted)) ? 'positive' : 'negative';
      if (guess === secrets.get(city)) right++;
    }
    expect(right / cities.length).toBeLessThanOrEqual(0.7);
  }, 240_000);
});
