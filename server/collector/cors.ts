/**
 * CORS via @fastify/cors, with a strict origin policy: an origin is allowed only if it is in the
 * configured allowlist or bound to some ingest key; any other origin is refused with 403 on the
 * preflight and on the request itself (a `text/plain` beacon needs no preflight, so the request
 * must be refused too). Requests from the collector's own origin (the dashboard it serves) are
 * same-origin and need no CORS at all, but the `Host` header is the client's to set: a page whose
 * name was rebound to the collector's address (DNS rebinding) sends `Origin` equal to `Host`. So
 * an origin counts as the collector's own only on a loopback name (`localhost`, 127.0.0.0/8,
 * `[::1]`); any other origin, whatever the `Host`, must be in the allowlist (a dashboard served
 * under a public name lists that name in `allowedOrigins`). Credentials are never allowed: keys
 * travel in headers, not cookies.
 */
import cors, { type FastifyCorsOptionsDelegateCallback } from '@fastify/cors';
import type { FastifyInstance } from 'fastify';
import { ClientError } from './client-error.js';

export const corsAllowedHeaders = ['Content-Type', 'Content-Encoding', 'Authorization', 'X-Logmill-Key', 'X-Logmill-Client'];

/** Whether an origin names this machine's loopback interface, which no other site can be rebound into. */
function isLoopbackOrigin(origin: string): boolean {
  let hostname: string;
  try {
    hostname = new URL(origin).hostname;
  } catch {
    return false;
  }
  return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}

/** How many refused origins are named on stderr: enough for a developer's pages, not a flood from hostile ones. */
const originsNamedAtMost = 20;
// An origin as browsers write it, in printable ASCII: anything else is not echoed to the terminal.
const printableOrigin = /^[a-z][a-z0-9+.-]*:\/\/[\x21-\x7e]{1,200}$/i;

/**
 * A page refused for its origin sees only "blocked by CORS policy" (the 403 has no
 * Access-Control-Allow-Origin, so the page cannot read why) and its sink retries: the operator
 * is told once per origin which setting lets it in.
 */
function refusedOriginReporter(): (origin: string) => void {
  const named = new Set<string>();
  return (origin) => {
    if (named.has(origin) || named.size >= originsNamedAtMost || !printableOrigin.test(origin)) return;
    named.add(origin);
    process.stderr.write(`logmill collector: refused a request from the origin ${origin}, which is not allowed (a page there sees a CORS error); `
      + 'to accept its events, add it to allowedOrigins (LOGMILL_ALLOWED_ORIGINS) or to the origins of its ingest key\n');
  };
}

export async function registerCors(app: FastifyInstance, allowedOrigins: readonly string[]): Promise<void> {
  const reportRefused = refusedOriginReporter();
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
    if (origin === undefined || (origin === own && isLoopbackOrigin(origin))) callback(null, { ...options, origin: false });
    else if (anyOrigin) callback(null, { ...options, origin: '*' });
    else if (allowed.has(origin)) callback(null, { ...options, origin: true });
    else {
      reportRefused(origin);
      callback(new ClientError(403, 'origin_not_allowed', `the origin ${origin} is not allowed`), { origin: false });
    }
  };
  await app.register(cors, () => delegate);
}
