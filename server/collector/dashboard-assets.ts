/**
 * The dashboard at `/`: the static files Vite built into `dist/dashboard`, served as they are.
 * Hashed assets are cached for a year; `index.html` is revalidated so a new build shows at once.
 * The page holds no data: everything it shows comes from the key-checked API.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

/** Where the build puts the dashboard: next to this file's compiled directory. */
export const dashboardDirectory = join(dirname(fileURLToPath(import.meta.url)), '../dashboard');

export async function registerDashboard(app: FastifyInstance, directory = dashboardDirectory): Promise<void> {
  if (!existsSync(join(directory, 'index.html'))) {
    app.get('/', async (_request, reply) =>
      reply.code(503).type('text/plain').send('The dashboard is not built: run `npm run build` in the logmill checkout.\n'));
    return;
  }
  await app.register(fastifyStatic, {
    root: directory,
    prefix: '/',
    // Only the files that exist: unknown paths fall through to the JSON 404.
    wildcard: false,
    setHeaders: (response, path) => {
      response.header('cache-control', /[/\\]assets[/\\]/.test(path) ? 'public, max-age=31536000, immutable' : 'no-cache');
      response.header('x-content-type-options', 'nosniff');
      // The page talks to its own origin only and runs only its own scripts.
      response.header('content-security-policy', "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'");
    },
  });
}
