/**
 * What there is to pick from: product event names and experiment names, busiest first, from the
 * query API (so an untrusted reader only sees names enough people produced).
 */
import type { Api } from './api.js';

export async function eventNames(api: Api): Promise<string[]> {
  const answer = await api.query({ where: [{ field: 'kind', value: 'event' }], groupBy: [{ field: 'name' }], aggregates: [{ fn: 'users' }], limit: 500 });
  return answer.rows
    .filter((row) => row['name'] !== null && row['name'] !== '*' && !String(row['name']).startsWith('$'))
    .sort((a, b) => Number(b['users']) - Number(a['users']))
    .map((row) => String(row['name']));
}

export async function experimentNames(api: Api): Promise<string[]> {
  const answer = await api.query({ where: [{ field: 'name', value: '$exposure' }], groupBy: [{ field: 'attributes.experiment' }], aggregates: [{ fn: 'users' }], limit: 200 });
  return answer.rows
    .filter((row) => row['attributes.experiment'] !== null && row['attributes.experiment'] !== '*')
    .sort((a, b) => Number(b['users']) - Number(a['users']))
    .map((row) => String(row['attributes.experiment']));
}
