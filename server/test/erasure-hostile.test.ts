/**
 * Erasure against people who try to keep someone on disk: a reader whose queries name the person
 * in their structure (a field `attributes.<their id>`, a funnel breakdown `vars.<their id>`), which
 * the query audit keeps as written, and a local user reading the data directory afterwards. After
 * `logmill erase`, no file under the data directory holds the person's id or strings, no file is
 * readable by anyone but the collector's user, and the audit keeps every line about other people.
 */
import { randomBytes } from 'node:crypto';
import { lstatSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CollectorProcess, cliPath, keys, startCollector } from './helpers/collector-process.js';
import { envelope, ingestAll } from './helpers/dataset.js';

const person = `fay-${randomBytes(4).toString('hex')}`;
const note = `note-${randomBytes(6).toString('hex')}`;
let collector: CollectorProcess;

function everyPath(directory: string): string[] {
  return readdirSync(directory).flatMap((entry) => {
    const path = join(directory, entry);
    return lstatSync(path).isDirectory() ? [path, ...everyPath(path)] : [path];
  });
}

function filesHolding(needle: string): string[] {
  return everyPath(collector.data).filter((path) => lstatSync(path).isFile() && readFileSync(path).includes(needle)).map((path) => path.slice(collector.data.length));
}

async function ask(path: string, body: unknown): Promise<number> {
  const response = await fetch(`${collector.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${keys.read}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return response.status;
}

beforeAll(async () => {
  collector = await startCollector({ env: { LOGMILL_READ_ACCESS: 'trusted' } });
  const lines: string[] = [];
  for (let index = 0; index < 8; index++) lines.push(envelope({ userId: person, name: index % 2 === 0 ? 'viewed' : 'paid', attributes: { note }, vars: { plan: 'gold' } }));
  for (let index = 0; index < 80; index++) lines.push(envelope({ userId: `other-${index % 40}`, name: index % 2 === 0 ? 'viewed' : 'paid', attributes: { plan: 'basic' } }));
  await ingestAll(collector.url, keys.ingest, lines);
  // Guarded questions naming the person in their structure, and one about someone else.
  expect(await ask('/api/query', { groupBy: [{ field: `attributes.${person}` }], aggregates: [{ fn: 'count' }] })).toBe(200);
  expect(await ask('/api/funnel', { steps: [{ name: 'viewed' }, { name: 'paid' }], breakdown: `vars.${person}` })).toBe(200);
  expect(await ask('/api/query', { where: [{ field: 'attributes.plan', value: 'basic' }], aggregates: [{ fn: 'count' }] })).toBe(200);
}, 60_000);

afterAll(async () => {
  await collector.stop();
});

describe('erasure against a reader and a local user', () => {
  it('leaves no file holding the person, even where a query named them as a field, and every file private', () => {
    const audit = join(collector.data, 'audit', 'queries.ndjson');
    // Before: the person is on disk, the audit among the places (so the check after can fail).
    expect(filesHolding(person)).toContain('/audit/queries.ndjson');
    expect(readFileSync(audit, 'utf8').trim().split('\n')).toHaveLength(3);
    const run = spawnSync(process.execPath, [cliPath, 'erase', '--user', person, '--json', '--url', collector.url, '--key', keys.admin], { encoding: 'utf8', timeout: 30_000 });
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toMatchObject({ erased: 8 });
    expect(filesHolding(person)).toEqual([]);
    expect(filesHolding(note)).toEqual([]);
    // The question about other people stays in the audit.
    const kept = readFileSync(audit, 'utf8').trim().split('\n');
    expect(kept).toHaveLength(1);
    expect(JSON.parse(kept[0]!).query.where[0]).toMatchObject({ field: { json: 'attributes', key: 'plan' } });
    for (const path of [collector.data, ...everyPath(collector.data)]) {
      const mode = lstatSync(path).mode & 0o777;
      expect([path.slice(collector.data.length), mode.toString(8)]).toEqual([path.slice(collector.data.length), lstatSync(path).isDirectory() ? '700' : '600']);
    }
  });
});

describe('user ids at the length bound', () => {
  it('erases and exports a person whose id is as long as ingest accepts, and refuses a longer one at ingest', async () => {
    // 1024 characters, some of them three UTF-8 bytes each, percent-encoded in the URL.
    const long = `${'ü'.repeat(24)}€${'x'.repeat(999)}`;
    expect(long).toHaveLength(1024);
    await ingestAll(collector.url, keys.ingest, [envelope({ userId: long, name: 'viewed' }), envelope({ userId: long, name: 'paid' })]);
    const exported = await fetch(`${collector.url}/api/users/${encodeURIComponent(long)}/export`, { headers: { authorization: `Bearer ${keys.admin}` } });
    expect(exported.status).toBe(200);
    expect(((await exported.json()) as { count: number }).count).toBe(2);
    const erased = await fetch(`${collector.url}/api/users/${encodeURIComponent(long)}`, { method: 'DELETE', headers: { authorization: `Bearer ${keys.admin}` } });
    expect(erased.status).toBe(200);
    expect(await erased.json()).toMatchObject({ erased: 2 });
    const tooLong = await fetch(`${collector.url}/v1/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${keys.ingest}`, 'content-type': 'application/x-ndjson' },
      body: `${envelope({ userId: `${long}y`, name: 'viewed' })}\n`,
    });
    expect(tooLong.status).toBe(400);
    const asVariable = await fetch(`${collector.url}/v1/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${keys.ingest}`, 'content-type': 'application/x-ndjson' },
      body: `${envelope({ name: 'viewed', vars: { userId: `${long}y` } })}\n`,
    });
    expect(asVariable.status).toBe(400);
  });
});

describe('ids as apps send them', () => {
  it('erases and exports a person whose id arrives as a number (context variable, OTLP intValue) or spelled in another Unicode form', async () => {
    // Fifteen digits (a safe integer): no run of a millisecond timestamp's digits can hold it.
    const numeric = 300_000_000_000_000 + Math.floor(Math.random() * 99_999_999_999_999);
    const digits = String(numeric);
    const numericNote = `numeric-note-${randomBytes(6).toString('hex')}`;
    // A client of its own sends the id as a JSON number in the context; an OpenTelemetry app as an intValue.
    await ingestAll(collector.url, keys.ingest, [envelope({ name: 'viewed', attributes: { note: numericNote }, vars: { userId: numeric } })]);
    const otlp = { resourceLogs: [{ scopeLogs: [{ logRecords: [{ body: { stringValue: `otlp ${numericNote}` }, attributes: [{ key: 'enduser.id', value: { intValue: digits } }] }] }] }] };
    expect((await fetch(`${collector.url}/v1/logs`, { method: 'POST', headers: { authorization: `Bearer ${keys.ingest}`, 'content-type': 'application/json' }, body: JSON.stringify(otlp) })).status).toBe(200);
    // The same name composed and decomposed: a macOS client sends NFD, the request to erase arrives in NFC.
    const composed = `José-${randomBytes(4).toString('hex')}`.normalize('NFC');
    const decomposed = composed.normalize('NFD');
    expect(decomposed).not.toBe(composed);
    await ingestAll(collector.url, keys.ingest, [envelope({ userId: decomposed, name: 'viewed', attributes: { note: `${numericNote}-nfd` } }), envelope({ userId: composed, name: 'paid' })]);
    const exported = async (user: string): Promise<number> => {
      const response = await fetch(`${collector.url}/api/users/${encodeURIComponent(user)}/export`, { headers: { authorization: `Bearer ${keys.admin}` } });
      return ((await response.json()) as { count: number }).count;
    };
    expect(await exported(digits)).toBe(2);
    expect(await exported(composed)).toBe(2);
    for (const [user, count] of [[digits, 2], [composed, 2]] as const) {
      const erased = await fetch(`${collector.url}/api/users/${encodeURIComponent(user)}`, { method: 'DELETE', headers: { authorization: `Bearer ${keys.admin}` } });
      expect(await erased.json()).toMatchObject({ erased: count });
    }
    expect(filesHolding(numericNote)).toEqual([]);
    expect(filesHolding(digits)).toEqual([]);
    expect(filesHolding(decomposed)).toEqual([]);
    expect(filesHolding(composed)).toEqual([]);
  });
});
