/**
 * CORS via @fastify/cors, with a strict origin policy: an origin is allowed only if it is in the
 * configured allowlist or bound to some ingest key; any other origin is refused with 403 on the
 * preflight and on the request itself (a `text/plain` beacon needs no preflight, so the request
 * must be refused too). Requests from the collector's own origin (the dashboard it serves) are
 * same-origin and need no CORS at all. Credentials are never allowed: keys travel in headers, not
 * cookies.
 */
import cors, { type FastifyCorsOptionsDelegateCallback } from '@fastify/cors';
import type { FastifyInstance } from 'fastify';
import { ClientError } from './client-error.js';

export const corsAllowedHeaders = ['Content-Type', 'Content-Encoding', 'Authorization', 'X-Logmill-Key', 'X-Logmill-Client'];

export async function registerCors(app: FastifyInstance, allowedOrigins: readonly string[]): Promise<void> {
  const anyOrigin = allowedOrigins.includes('*');
  const allowed = new Set(allowedOrigins);
  const options = {
    methods: ['GET', 'POST', 'OPTIONS'],
    allowedHeaders: corsAllowedHeaders,
    // Not a CORS-safelisted response header: without this a page cannot read how long to back off.
    exposedHeaders: ['Retry-After'],
    credentials: false,
    maxAge: 600,
    strictPreflight: true,
  };
  const delegate: FastifyCorsOptionsDelegateCallback = (request, callback) => {
    const origin = request.headers.origin;
    const own = `${request.protocol}://${request.headers.host ?? ''}`;
    if (origin === undefined || origin === own) callback(null, { ...options, origin: false });
    else if (anyOrigin) callback(null, { ...options, origin: '*' });
    else if (allowed.has(origin)) callback(null, { ...options, origin: true });
    else callback(new ClientError(403, 'origin_not_allowed', `the origin ${origin} is not allowed`), { origin: false });
  };
  await app.register(cors, () => delegate);
}
