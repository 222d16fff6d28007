/**
 * What every attack population gives its attacker: the reader's requests to the population's
 * collector, the victims' cities, a tie-breaking coin and the score. Each population keeps its own
 * collector and secrets and binds them here.
 */
import { expect } from 'vitest';
import { seededRandom } from '../../analytics/seeded-random.js';
import { type CollectorProcess, keys } from './collector-process.js';

export type Json = Record<string, any>;
export type Secret = 'positive' | 'negative';

export const cities = Array.from({ length: 24 }, (_, index) => `city-${index}`);
export const untrusted = { authorization: `Bearer ${keys.read}` };
export const direct = { authorization: `Bearer ${keys.admin}` };

/** A coin per city for ties, so an attacker who learns nothing scores about half. */
export function coin(city: string): Secret {
  return seededRandom(Number(city.slice(5)) * 7919 + 13)() < 0.5 ? 'positive' : 'negative';
}

/** The attacker's requests and score against one population's collector and secrets. */
export function attackReader(collector: () => CollectorProcess, secrets: ReadonlyMap<string, Secret>) {
  async function call(method: 'GET' | 'POST', path: string, headers: Record<string, string>, body?: unknown): Promise<{ status: number; body: Json; headers: Headers }> {
    const response = await fetch(`${collector().url}${path}`, {
      method,
      headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Json, headers: response.headers };
  }

  async function ask(path: string, body: unknown, headers: Record<string, string> = untrusted): Promise<Json> {
    const answer = await call('POST', path, headers, body);
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    return answer.body;
  }

  /** The fraction of victims whose secret `guess` names. */
  async function accuracy(guess: (city: string) => Promise<Secret>, over = cities): Promise<number> {
    let right = 0;
    for (const city of over) if ((await guess(city)) === secrets.get(city)) right++;
    return right / over.length;
  }

  return { call, ask, accuracy };
}
