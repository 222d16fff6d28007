/**
 * A data-protection officer's reading of the disk: after erasing one person, no file under the
 * data directory holds their id or any string only their events carried (events, journal, dead
 * letters, the query audit), exactly their events are gone (counted before and after), and the
 * export before it held all of them, including the OTLP record that named them only by
 * `enduser.id`, a row waiting in a segment an older version set aside, their dead letter, and what
 * they did in their session before signing in. Retention leaves the same nothing of what it
 * removed, and goes by when an event arrived as well as by the client's clock.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDBInstance } from '@duckdb/node-api';
import { type Envelope, eventToRow } from '../collector/event-to-row.js';
import { Scrubber } from '../collector/scrub.js';
import { DuckDBStore } from '../store/duckdb/duckdb-store.js';
import { type CollectorProcess, keys, post, startCollector, temporaryDirectory } from './helpers/collector-process.js';
import { envelope, ingestAll } from './helpers/dataset.js';

const person = `erin-${randomBytes(4).toString('hex')}`;
const lookalike = person.slice(0, -2);
const other = `olaf-${randomBytes(4).toString('hex')}`;
const unique = (label: string) => `${label}-${randomBytes(6).toString('hex')}`;
/** Strings only the person's events carry, one per place they can be stored. */
const personal = { arg: unique('arg'), attribute: unique('attribute'), variable: unique('variable'), otlpBody: unique('otlp'), waiting: unique('waiting'), dead: unique('dead'), beforeSignIn: unique('before') };
/** The person's browser session, and someone else's: what was logged there before `identify()` has only the session id. */
const session = unique('session');
const otherSession = unique('session');
const old = { id: `old-${randomBytes(4).toString('hex')}`, text: unique('ancient') };
const day = 86_400_000;
let collector: CollectorProcess;

function filesUnder(directory: string): string[] {
  return readdirSync(directory).flatMap((entry) => {
    const path = join(directory, entry);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

function filesHolding(directory: string, needles: readonly string[]): string[] {
  return filesUnder(directory).flatMap((file) => {
    const bytes = readFileSync(file);
    return needles.filter((needle) => bytes.includes(needle)).map((needle) => `${file.slice(directory.length)}: ${needle}`);
  });
}

const admin = { authorization: `Bearer ${keys.admin}` };

async function count(where: string[] = []): Promise<number> {
  const search = where.map((condition) => `where=${encodeURIComponent(condition)}`).join('&');
  const response = await fetch(`${collector.url}/api/count?${search}`, { headers: admin });
  return ((await response.json()) as { count: number }).count;
}

beforeAll(async () => {
  const data = temporaryDirectory('erasure-on-disk');
  // Left by an older version: a whole segment set aside for one bad row, holding an acknowledged
  // event of the person; and a dead letter of theirs.
  const waiting = JSON.parse(envelope({ userId: person, template: 'waiting %s', args: [personal.waiting] }));
  const row = { project: 'default', id: waiting.id, ts: waiting.ts, received_at: waiting.ts, kind: 'log', name: null, severity: 'INFO', severity_number: 9, template: 'waiting %s', message: `waiting ${personal.waiting}`, args: [personal.waiting], attributes: {}, context_vars: { userId: person }, stack: [], experiments: {}, user_id: person, session_id: null, module: null, file: null, line: null, function_name: null, error_type: null, error: null, service: null, trace_id: null, span_id: null };
  mkdirSync(join(data, 'journal', 'quarantine'), { recursive: true });
  writeFileSync(join(data, 'journal', 'quarantine', '1700000000000-000000000007.ndjson'), `${JSON.stringify(row)}\n${JSON.stringify({ ...row, id: '01890000-0000-7000-8000-00000000dead', line: 2 ** 40 })}\n`);
  writeFileSync(join(data, 'dead-letters.ndjson'), `${JSON.stringify({ at: new Date().toISOString(), error: 'older bug', line: JSON.stringify({ ...row, id: '01890000-0000-7000-8000-00000000beef', message: personal.dead, line: 2 ** 35 }) })}\n`);
  const config = join(data, 'config.json');
  writeFileSync(config, JSON.stringify({ retention: { days: 30 } }));
  collector = await startCollector({ data, args: ['--config', config] });
  const lines: string[] = [];
  for (let index = 0; index < 12; index++) lines.push(envelope({ userId: person, template: 'bought %s', args: [personal.arg], attributes: { note: personal.attribute }, vars: { plan: personal.variable, sessionId: session } }));
  // Before signing in: anonymous, in the person's session (theirs) and in someone else's (not theirs).
  for (let index = 0; index < 4; index++) lines.push(envelope({ template: 'browsed %s', args: [personal.beforeSignIn], vars: { sessionId: session } }));
  for (let index = 0; index < 3; index++) lines.push(envelope({ template: 'browsed %s', args: ['a stranger'], vars: { sessionId: otherSession } }));
  // Others' events, which erasing the person must keep. They hold no note, so the person alone does
  // and the refusal below does not rest on the noise: with five holders it was answered whenever the
  // sticky draw came out 2.5 standard deviations high.
  for (let index = 0; index < 40; index++) lines.push(envelope({ userId: `${other}-${index % 4}`, template: 'bought %s', args: [`thing-${index}`] }));
  // No user at all: a NULL must never match an erasure.
  for (let index = 0; index < 30; index++) lines.push(envelope({ template: 'anonymous %d', args: [index] }));
  // Someone whose id is a prefix of the person's is someone else.
  for (let index = 0; index < 3; index++) lines.push(envelope({ userId: lookalike, template: 'lookalike' }));
  for (let index = 0; index < 5; index++) lines.push(envelope({ userId: old.id, template: 'ancient %s', args: [old.text], ts: Date.now() - 40 * day }));
  await ingestAll(collector.url, keys.ingest, lines);
  // An OTLP record that names the person only by the semantic-convention attribute.
  const otlp = { resourceLogs: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'shop' } }] }, scopeLogs: [{ logRecords: [{ timeUnixNano: `${Date.now() - 3_600_000}000000`, body: { stringValue: `paid ${personal.otlpBody}` }, attributes: [{ key: 'enduser.id', value: { stringValue: person } }] }] }] }] };
  expect((await post(`${collector.url}/v1/logs`, JSON.stringify(otlp), { authorization: `Bearer ${keys.ingest}` })).status).toBe(200);
  // Guarded queries naming the person's strings are audited, the refused one too (only the person
  // has a note, so the guard refuses it as an isolating column).
  for (const [where, status] of [[`attributes.customer=${person}`, 200], [`attributes.note=${personal.attribute}`, 403]] as const) {
    const answer = await fetch(`${collector.url}/api/count?where=${encodeURIComponent(where)}`, { headers: { authorization: `Bearer ${keys.read}` } });
    expect(answer.status, await answer.text()).toBe(status);
  }
}, 120_000);

afterAll(async () => {
  await collector.stop();
});

describe('erasure on disk', () => {
  it('exports everything about the person: stored, waiting from an older version, from OTLP, and dead letters', async () => {
    const exported = (await (await fetch(`${collector.url}/api/users/${person}/export`, { headers: admin })).json()) as { events: Record<string, unknown>[] };
    const text = JSON.stringify(exported);
    // 12 sent, 4 anonymous in their session, 1 waiting in the set-aside segment, 1 from OTLP, and 2
    // dead letters (the bad row of that segment, and the one an older version wrote).
    expect(exported.events).toHaveLength(12 + 4 + 1 + 1 + 2);
    expect(text).not.toContain('a stranger');
    for (const needle of Object.values(personal)) expect(text, needle).toContain(needle);
    expect(exported.events.filter((event) => event['deadLetter'] !== undefined)).toHaveLength(2);
  });

  it('erases exactly the person, and no file under the data directory holds them afterwards', async () => {
    const needles = [person, ...Object.values(personal)];
    // The person is on disk before (so the check after can fail); the query audit holds no value.
    expect(filesHolding(collector.data, needles).length).toBeGreaterThan(0);
    const audit = join(collector.data, 'audit', 'queries.ndjson');
    expect(statSync(audit).mode & 0o777).toBe(0o600);
    expect(readFileSync(audit, 'utf8')).not.toContain(person);
    expect(readFileSync(audit, 'utf8')).not.toContain(personal.attribute);
    expect(readFileSync(audit, 'utf8')).toMatch(/"value":"hash:[0-9a-f]{16}"/);
    expect(readFileSync(audit, 'utf8').trim().split('\n')).toHaveLength(2);

    const total = await count();
    const theirs = await count([`user_id=${person}`]);
    const anonymous = await count(['template=anonymous %d']);
    expect(theirs).toBe(12 + 1 + 1);
    const response = await fetch(`${collector.url}/api/users/${person}`, { method: 'DELETE', headers: admin });
    expect(await response.json()).toMatchObject({ erased: theirs + 4 });
    expect(await count()).toBe(total - theirs - 4);
    expect(await count(['template=browsed %s'])).toBe(3);
    expect(await count([`user_id=${person}`])).toBe(0);
    expect(await count([`user_id=${lookalike}`])).toBe(3);
    expect(await count(['template=anonymous %d'])).toBe(anonymous);

    expect(filesHolding(collector.data, needles)).toEqual([]);
    // The audit lines about the person went; the erasure record names no one.
    expect(readFileSync(audit, 'utf8').trim().split('\n').filter((line) => line !== '')).toHaveLength(0);
    expect(statSync(join(collector.data, 'audit', 'erasures.ndjson')).mode & 0o777).toBe(0o600);
    // The events themselves are the collector's user's alone too.
    expect(statSync(join(collector.data, 'events.duckdb')).mode & 0o777).toBe(0o600);
    expect(statSync(join(collector.data, 'dead-letters.ndjson')).mode & 0o777).toBe(0o600);
    // Both dead letters were the person's: none is left to replay.
    const dead = (await (await fetch(`${collector.url}/api/dead-letters`, { headers: admin })).json()) as { count: number };
    expect(dead.count).toBe(0);
  });

  it('leaves nothing on disk of what retention removed', async () => {
    expect(filesHolding(collector.data, [old.id, old.text]).length).toBeGreaterThan(0);
    const response = await fetch(`${collector.url}/api/retention/run`, { method: 'POST', headers: admin });
    expect(await response.json()).toEqual({ deleted: 5 });
    expect(await count([`user_id=${old.id}`])).toBe(0);
    expect(filesHolding(collector.data, [old.id, old.text])).toEqual([]);
  });
});

describe('retention against a clock set ahead', () => {
  it('removes an event received longer ago than the period even when its own time is in the future', async () => {
    const directory = temporaryDirectory('retention-future');
    const store = await DuckDBStore.open(directory, { loadInterval: 3_600_000 });
    const future = Date.UTC(2100, 0, 1);
    const kept = unique('kept');
    const expired = unique('expired');
    const scrubber = new Scrubber();
    const rowOf = (text: string, receivedAt: number) => eventToRow('default', JSON.parse(envelope({ userId: 'clock-ahead', template: 'noted %s', args: [text], ts: future })) as Envelope, receivedAt, scrubber);
    try {
      await store.insert([rowOf(expired, Date.now() - 40 * day), rowOf(kept, Date.now())]);
      expect(filesHolding(directory, [expired, kept])).toHaveLength(2);
      expect(await store.deleteExpired([{ cutoff: Date.now() - 30 * day }])).toBe(1);
      expect(filesHolding(directory, [expired])).toEqual([]);
      expect(filesHolding(directory, [kept])).toHaveLength(1);
    } finally {
      await store.close();
    }
  });
});

describe('what DuckDB keeps', () => {
  it('keeps deleted strings in the file after DELETE, CHECKPOINT and VACUUM, which is why the store rewrites it', async () => {
    const file = join(temporaryDirectory('duckdb-bytes'), 'probe.duckdb');
    const needle = unique('needle');
    const instance = await DuckDBInstance.create(file);
    const connection = await instance.connect();
    await connection.run('CREATE TABLE t (id INTEGER, s VARCHAR)');
    await connection.run(`INSERT INTO t SELECT i, md5(i::VARCHAR) || CASE WHEN i < 10 THEN '${needle}' ELSE '' END FROM range(1000) r(i)`);
    await connection.run('CHECKPOINT');
    expect(readFileSync(file).includes(needle)).toBe(true);
    await connection.run('DELETE FROM t WHERE id < 10');
    await connection.run('CHECKPOINT');
    await connection.run('VACUUM');
    await connection.run('CHECKPOINT');
    const [row] = (await connection.runAndReadAll('SELECT count(*) AS n FROM t')).getRowObjectsJson();
    connection.closeSync();
    instance.closeSync();
    expect(Number(row!['n'])).toBe(990);
    expect(readFileSync(file).includes(needle)).toBe(true);
  });
});
