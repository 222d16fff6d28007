/**
 * A URL's query parameters, each given once. `?q=a&q=b` parses as an array, which routes that take
 * one value would hand on as if it were a string: the live tail then failed after answering 200,
 * leaving its client waiting on an open stream, and other routes answered 503 for the client's
 * mistake. A parameter given twice is a 400 naming it.
 */
import { ClientError } from './client-error.js';

export function singleParameters(query: unknown, names: readonly string[]): Record<string, string | undefined> {
  const given = (query ?? {}) as Record<string, unknown>;
  const parameters: Record<string, string | undefined> = {};
  for (const name of names) {
    const value = given[name];
    if (value !== undefined && typeof value !== 'string') throw new ClientError(400, 'invalid_query', `?${name}= is given more than once; give it once`);
    parameters[name] = value;
  }
  return parameters;
}
