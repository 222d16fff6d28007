/**
 * CORS via @fastify/cors, with a strict origin policy: an origin is allowed only if it is in the
 * configured allowlist or bound to some ingest key; any other origin is refused with 403 on the
 * preflight and on the request itself (a `text/plain` beacon needs no preflight, so the request
 * must be refused too). Credentials are never allowed: keys travel in headers, not cookies.
 */
import cors from '@fastify/cors';
import type { FastifyInstance } from 'fastify';
import { ClientError } from './client-error.js';

export const corsAllowedHeaders = ['Content-Type', 'Content-Encoding', 'Authorization', 'X-Logmill-Key', 'X-Logmill-Client'];

export async function registerCors(app: FastifyInstance, allowedOrigins: readonly string[]): Promise<void> {
  const anyOrigin = allowedOrigins.includes('*');
  const allowed = new Set(allowedOrigins);
  await app.register(cors, {
    origin: (origin, callback) => {
      if (origin === undefined) callback(null, false);
      else if (anyOrigin) callback(null, '*');
      else if (allowed.has(origin)) callback(null, true);
      else callback(new ClientError(403, 'origin_not_allowed', `the origin ${origin} is not allowed`), false);
    },
    methods: ['GET', 'POST', 'OPTIONS'],
    allowedHeaders: corsAllowedHeaders,
    credentials: false,
    maxAge: 600,
    strictPreflight: true,
  });
}
