/**
 * GDPR through the real collector and CLI: export, erase (after which no query, export or file on
 * disk holds the user) in every project or in one, the erasure audit, and retention by age and by
 * event name.
 */
import { execFile } from 'node:child_process';
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CollectorProcess, cliPath, keys, startCollector, temporaryDirectory } from './helpers/collector-process.js';
import { envelope, ingestAll } from './helpers/dataset.js';

const target = 'alice-7f3e9c';
/** In both projects: erased in one of them only. */
const both = 'bruno-41c0aa';
const day = 86_400_000;
/** A second project, with its own ingest key and a direct-access read key. */
const shop = { ingest: 'shop-ingest-key-0123456789abcdef', read: 'shop-read-key-0123456789abcdef' };
let collector: CollectorProcess;

function filesUnder(directory: string): string[] {
  return readdirSync(directory).flatMap((entry) => {
    const path = join(directory, entry);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

const cli = (...args: string[]) => promisify(execFile)(process.execPath, [cliPath, ...args, '--url', collector.url], { env: { ...process.env, LOGMILL_URL: '', LOGMILL_KEY: '' } });

beforeAll(async () => {
  const data = temporaryDirectory('gdpr');
  const config = join(data, 'config.json');
  writeFileSync(config, JSON.stringify({ retention: { days: 30, names: { '$pageview': 7 } }, keys: { ingest: [{ key: shop.ingest, project: 'shop' }], read: [{ key: shop.read, project: 'shop', access: 'direct' }] } }));
  collector = await startCollector({ data, args: ['--config', config] });
  const lines: string[] = [];
  for (let index = 0; index < 25; index++) {
    lines.push(envelope({ userId: target, template: 'viewed %s', args: [`item-${index}`], attributes: { email: 'masked anyway', note: `from ${target}` } }));
  }
  for (let index = 0; index < 200; index++) lines.push(envelope({ userId: `user-${index % 20}`, template: 'viewed %s', args: [`item-${index}`] }));
  // For retention: old events, and page views past their shorter period.
  for (let index = 0; index < 10; index++) lines.push(envelope({ userId: `old-${index}`, template: 'ancient', ts: Date.now() - 40 * day }));
  for (let index = 0; index < 10; index++) lines.push(envelope({ userId: `viewer-${index}`, name: '$pageview', ts: Date.now() - 10 * day }));
  for (let index = 0; index < 10; index++) lines.push(envelope({ userId: `viewer-${index}`, name: 'signed up', ts: Date.now() - 10 * day }));
  await ingestAll(collector.url, keys.ingest, lines);
  await ingestAll(collector.url, keys.ingest, Array.from({ length: 3 }, () => envelope({ userId: both, template: 'paid' })));
  await ingestAll(collector.url, shop.ingest, [...Array.from({ length: 5 }, () => envelope({ userId: target, template: 'shopped' })), ...Array.from({ length: 4 }, () => envelope({ userId: both, template: 'shopped' }))]);
}, 120_000);

afterAll(async () => {
  await collector.stop();
});

describe('GDPR', () => {
  it('exports everything stored about a user, to direct access only', async () => {
    const exported = JSON.parse((await cli('export', '--user', target, '--key', keys.admin)).stdout);
    expect(exported.user).toBe(target);
    // The admin key exports from every project; a project's direct read key from its own.
    expect(exported.events).toHaveLength(25 + 5);
    expect(exported.events.filter((event: { project: string }) => event.project === 'shop')).toHaveLength(5);
    expect(exported.events.find((event: { project: string }) => event.project === 'default')).toMatchObject({ user_id: target, template: 'viewed %s' });
    expect(JSON.parse((await cli('export', '--user', target, '--key', keys.admin, '--project', 'default')).stdout).events).toHaveLength(25);
    const fromShop = JSON.parse((await cli('export', '--user', target, '--key', shop.read)).stdout);
    expect(fromShop).toMatchObject({ project: 'shop', count: 5 });
    await expect(cli('export', '--user', target, '--key', keys.read)).rejects.toThrow(/403/);
    // The progress bar goes to stderr (here forced on), so stdout stays plain JSON.
    const withProgress = await promisify(execFile)(process.execPath, [cliPath, 'export', '--user', target, '--key', keys.admin, '--url', collector.url], { env: { ...process.env, LOGMILL_PROGRESS: 'always' } });
    expect(JSON.parse(withProgress.stdout).events).toHaveLength(30);
    const bytes = Buffer.byteLength(JSON.stringify(JSON.parse(withProgress.stdout)));
    expect(withProgress.stderr).toMatch(/exporting: receiving \[[█░]+\] [\d.]+ KiB of [\d.]+ KiB \| [\d.]+ s/);
    expect(withProgress.stderr).toContain(`of ${(bytes / 1024).toFixed(1)} KiB`);
  });

  it('erases a user so that no query, export or file on disk holds them', async () => {
    await expect(cli('erase', '--user', target, '--key', keys.read)).rejects.toThrow(/403/);
    // Before: the user is on disk (so the check after the erasure can fail).
    expect(filesUnder(collector.data).some((file) => readFileSync(file).includes(target))).toBe(true);
    const answer = JSON.parse((await cli('erase', '--user', target, '--key', keys.admin, '--json')).stdout);
    // In every project that holds them: a person is not erased half.
    expect(answer).toMatchObject({ erased: 30, projects: { default: 25, shop: 5 }, eraseId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    expect(JSON.parse((await cli('export', '--user', target, '--key', keys.admin)).stdout).events).toEqual([]);
    const count = JSON.parse((await cli('count', '--where', `user_id=${target}`, '--key', keys.admin, '--json')).stdout);
    expect(count).toMatchObject({ count: 0, exact: true });
    const everything = JSON.parse((await cli('count', '--key', keys.admin, '--json')).stdout);
    expect(everything.count).toBe(200 + 30 + 3);
    for (const file of filesUnder(collector.data)) {
      expect(readFileSync(file).includes(target), file).toBe(false);
    }
    const audit = readFileSync(join(collector.data, 'audit/erasures.ndjson'), 'utf8');
    expect(audit).toContain(answer.eraseId);
    expect(audit).not.toContain(target);
  });

  it('erases in one project when asked to, leaving the person in the others', async () => {
    const answer = JSON.parse((await cli('erase', '--user', both, '--project', 'shop', '--key', keys.admin, '--json')).stdout);
    expect(answer).toMatchObject({ erased: 4, projects: { shop: 4 } });
    expect(JSON.parse((await cli('export', '--user', both, '--key', keys.admin)).stdout).events.map((event: { project: string }) => event.project)).toEqual(['default', 'default', 'default']);
    const invalid = await fetch(`${collector.url}/api/users/${both}?project=`, { method: 'DELETE', headers: { authorization: `Bearer ${keys.admin}` } });
    expect(invalid.status).toBe(400);
    expect(await invalid.json()).toMatchObject({ error: 'invalid_project' });
  });

  it('removes events past their retention, per event name', async () => {
    const response = await fetch(`${collector.url}/api/retention/run`, { method: 'POST', headers: { authorization: `Bearer ${keys.admin}` } });
    expect(await response.json()).toEqual({ deleted: 20 });
    const remaining = await fetch(`${collector.url}/api/query`, {
      method: 'POST',
      headers: { authorization: `Bearer ${keys.admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ groupBy: [{ field: 'name' }], aggregates: [{ fn: 'count' }] }),
    });
    expect(((await remaining.json()) as { rows: unknown[] }).rows).toEqual([{ name: 'signed up', count: 10 }, { name: null, count: 200 + 3 }]);
  });
});
