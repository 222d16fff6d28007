/**
 * GDPR endpoints: `DELETE /api/users/:id` (admin key) erases a user, `GET /api/users/:id/export`
 * (direct access) returns everything stored about them, `POST /api/retention/run` (admin key)
 * applies the retention policy now (it also runs hourly).
 */
import type { FastifyInstance } from 'fastify';
import type { Gdpr, RetentionPolicy } from '../analytics/gdpr.js';
import { authorize } from './access.js';
import { ClientError } from './client-error.js';
import type { KeyRing } from './keys.js';

function userOf(params: unknown): string {
  const { id } = params as { id?: string };
  if (typeof id !== 'string' || id === '' || id.length > 500) throw new ClientError(400, 'invalid_user', 'give a user id of at most 500 characters');
  return id;
}

export function registerGdprRoutes(app: FastifyInstance, keys: KeyRing, gdpr: Gdpr, retention: RetentionPolicy): void {
  app.delete('/api/users/:id', async (request) => {
    const grant = authorize(request, keys, 'admin');
    return gdpr.erase(grant.project, userOf(request.params));
  });

  app.get('/api/users/:id/export', async (request) => {
    const grant = authorize(request, keys, 'read');
    if (grant.access !== 'direct') throw new ClientError(403, 'access_level', 'exporting a user needs direct access');
    const user = userOf(request.params);
    return { user, exportedAt: new Date().toISOString(), events: await gdpr.export(grant.project, user) };
  });

  app.post('/api/retention/run', async (request) => {
    authorize(request, keys, 'admin');
    return { deleted: await gdpr.applyRetention(retention) };
  });
}
