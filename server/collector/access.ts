/**
 * Who is calling: the key (from `Authorization: Bearer`, `X-Logmill-Key`, or, for ingest only,
 * a `key` query parameter: pages send that way, since a request with no custom header needs no
 * CORS preflight and `navigator.sendBeacon` cannot set headers) and the origin it is used from. Missing or unknown keys are 401; a key used beyond its role or origin is 403.
 */
import type { FastifyRequest } from 'fastify';
import { ClientError } from './client-error.js';
import type { KeyGrant, KeyRing, KeyRole } from './keys.js';

function presentedKey(request: FastifyRequest, role: KeyRole): string | undefined {
  const header = headerKey(request);
  if (header !== undefined) return header;
  const query = (request.query as Record<string, unknown> | undefined)?.['key'];
  if (role === 'ingest' && typeof query === 'string') return query;
  return undefined;
}

function headerKey(request: FastifyRequest): string | undefined {
  const authorization = request.headers.authorization;
  if (typeof authorization === 'string') {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (match === null) throw new ClientError(401, 'invalid_authorization', 'the Authorization header must be "Bearer KEY"');
    return match[1];
  }
  const header = request.headers['x-logmill-key'];
  if (typeof header === 'string') return header;
  return undefined;
}

/** The caller's grant, if it may act as `role` (admin keys may do anything). */
export function authorize(request: FastifyRequest, keys: KeyRing, role: KeyRole): KeyGrant {
  const key = presentedKey(request, role);
  if (key === undefined) throw new ClientError(401, 'missing_key', 'send a key as "Authorization: Bearer KEY" or "X-Logmill-Key: KEY"');
  const grant = keys.resolve(key);
  if (grant === undefined) throw new ClientError(401, 'unknown_key', 'the key is not valid');
  // URLs end up in logs, proxies and browser history: only ingest keys, which are public, may
  // travel there. A read or admin key in `?key=` is refused, even where an ingest key would do.
  if (grant.role !== 'ingest' && key !== headerKey(request)) {
    throw new ClientError(401, 'key_in_url', `${grant.role === 'admin' ? 'an admin' : 'a read'} key may not be sent in the URL; send it as "Authorization: Bearer KEY"`);
  }
  if (role === 'admin' && grant.role !== 'admin') throw new ClientError(403, 'forbidden', 'this request needs the admin key');
  if (grant.role !== role && grant.role !== 'admin') {
    throw new ClientError(403, 'forbidden', `${grant.role === 'ingest' ? 'an' : 'a'} ${grant.role} key cannot be used for this request`);
  }
  const origin = request.headers.origin;
  if (typeof origin === 'string' && grant.origins.length > 0 && !grant.origins.includes(origin)) {
    throw new ClientError(403, 'origin_not_allowed', `this key may not be used from ${origin}`);
  }
  return grant;
}
