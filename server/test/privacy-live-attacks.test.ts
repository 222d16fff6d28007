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
 * arrives while the attacker watches.
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
});
