/**
 * The attack suites' population and the reader's tools: in each of 24 cities, 26 people on the pro
 * plan and one victim, the city's only person on the free plan, whose lab result is the secret; a
 * real collector process (fixed salt, so each attacker's score is the same on every run) per test
 * file that calls `usePopulation()`.
 */
import { afterAll, beforeAll } from 'vitest';
import { seededRandom } from '../../analytics/seeded-random.js';
import { attackReader, cities, coin, direct, type Json, type Secret } from './attack-reader.js';
import { type CollectorProcess, keys, startCollector } from './collector-process.js';
import { envelope, ingestAll } from './dataset.js';

export { cities, coin, direct, type Json, untrusted } from './attack-reader.js';

export const secrets = new Map<string, Secret>();
export const hour = 3_600_000;
export const start = Date.UTC(2026, 10, 2, 8);
export const rareColumns = Array.from({ length: 8 }, (_, index) => (seededRandom(4242 + index)() < 0.5 ? 'north' : 'south'));
let collector: CollectorProcess;
export const { call, ask, accuracy } = attackReader(() => collector, secrets);

export function better(positive: number, negative: number, city: string): 'positive' | 'negative' {
  return positive > negative ? 'positive' : negative > positive ? 'negative' : coin(city);
}

export const labResult = (city: string, result: string, extra: Json[] = []) => ({
  where: [{ field: 'attributes.city', value: city }, { field: 'name', value: 'lab result' }, { field: 'attributes.result', value: result }, ...extra],
  aggregates: [{ fn: 'count' }, { fn: 'users' }],
});

/** Ways of writing `labResult(city, result)` that select the same rows. */
export function rephrasings(city: string, result: string): Json[] {
  const base = labResult(city, result);
  const far = Date.UTC(2100, 0, 1);
  return [
    base,
    ...[1, 2, 3].map((k) => ({ ...base, from: k })),
    ...[1, 2].map((k) => ({ ...base, to: far + k })),
    { ...base, where: [base.where[0], base.where[1], { field: 'attributes.result', op: 'prefix', value: result.slice(0, 4) }] },
    { ...base, where: [...base.where, { field: 'kind', value: 'event' }] },
    { ...base, where: [base.where[2], base.where[0], base.where[1]] },
    { ...base, where: [...base.where, base.where[0]] },
    { ...base, from: 4, where: [{ field: 'kind', value: 'event' }, base.where[0], base.where[1], { field: 'attributes.result', op: 'prefix', value: result.slice(0, 3) }] },
  ];
}

/** Every label an untrusted answer shows, with its exact number of people from the admin key. */
export async function exactUsers(body: Json, labels: Json): Promise<number> {
  const where = Object.entries(labels).map(([field, value]) => ({ field, value }));
  const answer = await ask('/api/query', { ...body, where: [...(body.where ?? []), ...where], groupBy: [], aggregates: [{ fn: 'users' }] }, direct);
  return Number(answer['rows'][0]?.['users'] ?? 0);
}

/** Starts a collector holding the population for the calling test file, and stops it after. */
export function usePopulation(): void {
beforeAll(async () => {
  // A fixed salt: the noise, and so each attacker's score, is the same on every run.
  collector = await startCollector({ env: { LOGMILL_SALT: 'attack-suite' } });
  const random = seededRandom(20261207);
  const lines: string[] = [];
  for (const [cityIndex, city] of cities.entries()) {
    const secret = random() < 0.5 ? 'positive' : 'negative';
    secrets.set(city, secret);
    const people = [
      // Five of each result on the silver tier, like the victim; the other eight of each on gold.
      ...Array.from({ length: 26 }, (_, index) => ({ id: `${city}-p${index}`, plan: 'pro', result: index < 13 ? 'positive' : 'negative', tier: index % 13 < 5 ? 'silver' : 'gold' })),
      { id: `${city}-victim`, plan: 'free', result: secret, tier: 'silver' },
    ];
    for (const [personIndex, person] of people.entries()) {
      const ts = start + (cityIndex * 27 + personIndex) * 60_000;
      // A band per pair of pro people (one of each result) and one of the victim's own.
      const attributes = { city, plan: person.plan, tier: person.tier, account: `acct-${person.id}`, band: person.plan === 'free' ? 'v' : `b${personIndex % 13}`, age: 20 + (personIndex % 13) };
      for (let view = 0; view < 3; view++) {
        lines.push(envelope({ userId: person.id, name: 'page view', ts: ts + view, attributes, vars: { requestId: `r-${person.id}-${view}`, city, plan: person.plan } }));
      }
      // The city twice, as apps often write it: a context variable and an attribute of the event.
      lines.push(envelope({ userId: person.id, name: 'lab result', ts: ts + 10, attributes: { ...attributes, result: person.result }, vars: { requestId: `r-${person.id}-lab`, city, plan: person.plan } }));
      lines.push(envelope({ userId: person.id, name: '$exposure', ts: ts + 20, attributes: { experiment: 'triage', variant: person.plan === 'free' ? `solo-${city}` : person.result } }));
      if (person.plan === 'free') {
        lines.push(envelope({ userId: person.id, template: `victim in ${city} saw %s`, args: [person.result], ts: ts + 30, attributes }));
      }
      // A report everyone in the first city reads a day later, the victim five hours before the rest.
      if (cityIndex === 0) lines.push(envelope({ userId: person.id, template: 'report read', ts: start + (person.plan === 'free' ? 19 : 24) * hour + personIndex * 1000, attributes }));
      // The same reading as an event, an experiment's goal a day after the exposure.
      if (cityIndex === 0) lines.push(envelope({ userId: person.id, name: 'report opened', ts: start + 24 * hour + personIndex * 1000, attributes }));
    }
  }
  // Rare columns, each held by two people: the attacker (north) and one other, whose value is the
  // secret the isolating check must not tell.
  for (const [index, other] of rareColumns.entries()) {
    lines.push(envelope({ userId: 'rare-attacker', name: 'clinic visit', ts: start + index, attributes: { [`clinic${index}`]: 'north' } }));
    lines.push(envelope({ userId: `rare-other-${index}`, name: 'clinic visit', ts: start + index, attributes: { [`clinic${index}`]: other } }));
  }
  await ingestAll(collector.url, keys.ingest, lines);
}, 120_000);

afterAll(async () => {
  await collector.stop();
});
}
