/**
 * GDPR endpoints: `DELETE /api/users/:id` (admin key) erases a user in every project (or in
 * `?project=`), `GET /api/users/:id/export` (direct access: a read key's project, the admin key's
 * `?project=` or every project) returns everything stored about them as portable JSON (user-export.ts), `POST /api/retention/run` (admin key)
 * applies the retention policy now (it also runs hourly). Dead letters (acknowledged rows the store
 * could not load; admin key): `GET /api/dead-letters` lists them, `GET /api/dead-letters/export`
 * returns them whole (each with its journal line), `POST /api/dead-letters/replay` loads them again.
 */
import type { FastifyInstance } from 'fastify';
import type { Gdpr, RetentionPolicy } from '../analytics/gdpr.js';
import { authorize } from './access.js';
import { ClientError } from './client-error.js';
import type { KeyRing } from './keys.js';
import type { Store } from '../store/store.js';
import { summaryOf } from '../store/dead-letters.js';
import { userExport } from './user-export.js';

function userOf(params: unknown): string {
  const { id } = params as { id?: string };
  if (typeof id !== 'string' || id === '' || id.length > 1024) throw new ClientError(400, 'invalid_user', 'give a user id of at most 1024 characters (the longest ingest accepts)');
  return id;
}

/** `?project=NAME` narrows an admin's erasure or export to one project; without it, every project. */
function projectOf(query: unknown): string | undefined {
  const { project } = (query ?? {}) as { project?: unknown };
  if (project === undefined) return undefined;
  if (typeof project !== 'string' || project === '' || project.length > 200) throw new ClientError(400, 'invalid_project', 'give ?project= a project name (at most 200 characters), or leave it out for every project');
  return project;
}

/** An export of every project names the project when the collector holds one, else `*` (each event names its own). */
async function exportedProjectName(gdpr: Gdpr): Promise<string> {
  const projects = await gdpr.projects();
  return projects.length === 1 ? projects[0]! : '*';
}

export function registerGdprRoutes(app: FastifyInstance, keys: KeyRing, gdpr: Gdpr, retention: RetentionPolicy, store: Store): void {
  app.delete('/api/users/:id', async (request) => {
    authorize(request, keys, 'admin');
    return gdpr.erase(projectOf(request.query), userOf(request.params));
  });

  app.get('/api/users/:id/export', async (request) => {
    const grant = authorize(request, keys, 'read');
    if (grant.access !== 'direct') throw new ClientError(403, 'access_level', 'exporting a user needs direct access');
    const user = userOf(request.params);
    // A read key sees its own project; the admin key any one project, or all of them.
    const project = grant.role === 'admin' ? projectOf(request.query) : grant.project;
    return userExport(project ?? (await exportedProjectName(gdpr)), user, await gdpr.export(project, user));
  });

  app.post('/api/retention/run', async (request) => {
    authorize(request, keys, 'admin');
    return { deleted: await gdpr.applyRetention(retention) };
  });

  app.get('/api/dead-letters', async (request) => {
    authorize(request, keys, 'admin');
    const entries = await store.listDeadLetters();
    return { count: entries.length, deadLetters: entries.map(summaryOf) };
  });

  app.get('/api/dead-letters/export', async (request) => {
    authorize(request, keys, 'admin');
    const entries = await store.listDeadLetters();
    return { count: entries.length, deadLetters: entries };
  });

  app.post('/api/dead-letters/replay', async (request) => {
    authorize(request, keys, 'admin');
    return store.replayDeadLetters();
  });
}
