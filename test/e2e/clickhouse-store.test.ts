/**
 * The ClickHouse store against Debian's clickhouse-server 18.16, side by side with the embedded
 * DuckDB store on the same generated events: the query model, guarded answers (same salt), the
 * template view, funnels and experiments must come out identical; duplicates are stored once,
 * erasure and retention are verified by reading back.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Analytics } from '../../server/analytics/analytics.js';
import { AuditLog } from '../../server/analytics/audit-log.js';
import { parseExperiment } from '../../server/domain/experiment-model.js';
import { parseFunnel } from '../../server/domain/funnel-model.js';
import { parseQuery } from '../../server/domain/query-model.js';
import { type Envelope, eventToRow } from '../../server/collector/event-to-row.js';
import { Scrubber } from '../../server/collector/scrub.js';
import { ClickHouseStore } from '../../server/store/clickhouse/clickhouse-store.js';
import { DuckDBStore } from '../../server/store/duckdb/duckdb-store.js';
import type { EventRow } from '../../server/domain/event-row.js';
import type { Store } from '../../server/store/store.js';
import { keys, post, startCollector, storedEvent, temporaryDirectory } from '../../server/test/helpers/collector-process.js';
import { envelopeLines } from '../../server/test/helpers/envelopes.js';
import { type EventSpec, envelope } from '../../server/test/helpers/dataset.js';
import { type ClickHouseServer, startClickHouse } from './helpers/clickhouse.js';

const hour = 3_600_000;
const start = Date.UTC(2026, 10, 20, 8);

/** A small shop: 60 users, each with page views, a funnel, an experiment, and some errors. */
function dataset(): EventRow[] {
  let seed = 7;
  const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648);
  const specs: EventSpec[] = [];
  const countries = ['de', 'fr', 'it', 'es', 'nl'];
  for (let user = 0; user < 60; user++) {
    const userId = `user-${user}`;
    const country = countries[user % countries.length]!;
    const variant = user % 2 === 0 ? 'control' : 'B';
    let ts = start + Math.floor(random() * 6 * hour);
    const vars = { country, experiments: { 'checkout-v2': variant } };
    specs.push({ userId, ts, name: '$exposure', attributes: { experiment: 'checkout-v2', variant }, vars });
    for (let view = 0; view < 1 + (user % 4); view++) {
      ts += Math.floor(random() * 600_000);
      specs.push({ userId, ts, template: 'page %s viewed', args: [`/p/${view}`], attributes: { path: `/p/${view}`, ms: Math.floor(random() * 900) }, vars });
    }
    const steps = ['cart viewed', 'checkout started', 'order placed'];
    const reach = user % 5 === 0 ? 0 : user % 3 === 0 ? 1 : 2 + (variant === 'B' ? 0 : user % 2);
    for (let step = 0; step <= Math.min(reach, 2); step++) {
      ts += Math.floor(random() * 900_000);
      specs.push({ userId, ts, name: steps[step], attributes: { amount: 10 + (user % 7) * 5.5 }, vars });
    }
    if (user % 6 === 0) specs.push({ userId, ts: ts + 1000, template: 'card declined for %s', args: [userId], severity: 'ERROR', vars });
  }
  const scrubber = new Scrubber();
  // Received as they happen: retention goes by the earlier of the two times.
  return specs.map((spec) => eventToRow('default', JSON.parse(envelope(spec)) as Envelope, spec.ts ?? start, scrubber));
}

const rows = dataset();
let server: ClickHouseServer;
let clickhouse: ClickHouseStore;
let duckdb: DuckDBStore;
const stores = () => [duckdb, clickhouse] as const;

beforeAll(async () => {
  server = await startClickHouse();
  clickhouse = await ClickHouseStore.open(`${server.address}logmill_test`);
  duckdb = await DuckDBStore.open(temporaryDirectory('duckdb-parity'), { loadInterval: 60_000 });
  for (const store of stores()) await store.insert(rows);
});

afterAll(async () => {
  await clickhouse?.close();
  await duckdb?.close();
  await server?.stop();
});

/** Numbers as numbers, floats to 9 significant digits: both stores' answers in one shape. */
function normalized(value: unknown): unknown {
  if (typeof value === 'number') return Number.isInteger(value) ? value : Number(value.toPrecision(9));
  if (typeof value === 'string' && /^-?\d+(\.\d+)?(e[+-]?\d+)?$/.test(value)) return normalized(Number(value));
  if (Array.isArray(value)) return value.map(normalized);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, normalized(inner)]));
  return value;
}

async function both<T>(ask: (store: Store) => Promise<T>): Promise<[unknown, unknown]> {
  const [fromDuckDB, fromClickHouse] = await Promise.all(stores().map((store) => ask(store)));
  return [normalized(fromDuckDB), normalized(fromClickHouse)];
}

describe('the ClickHouse store beside DuckDB', () => {
  it('answers the query model exactly alike', async () => {
    const f = (field: string) => ({ field });
    const queries = [
      { groupBy: [f('severity')], aggregates: [{ fn: 'count' }, { fn: 'users' }] },
      { groupBy: [{ time: 'hour' }], aggregates: [{ fn: 'count' }] },
      { groupBy: [{ time: 'week' }, f('name')], aggregates: [{ fn: 'count' }, { fn: 'users' }] },
      {
        groupBy: [f('vars.country')],
        aggregates: [{ fn: 'count' }, { fn: 'users' }, { fn: 'sum', field: 'attributes.amount' }, { fn: 'avg', field: 'attributes.amount' }, { fn: 'p50', field: 'attributes.ms' }, { fn: 'p90', field: 'attributes.ms' }, { fn: 'max', field: 'attributes.ms' }],
      },
      { groupBy: [{ field: 'attributes.amount', bin: 10 }], where: [{ field: 'name', op: 'eq', value: 'order placed' }] },
      { groupBy: [f('template')], where: [{ field: 'template', op: 'prefix', value: 'page' }, { field: 'severity', op: 'ne', value: 'ERROR' }] },
      { where: [{ field: 'message', op: 'contains', value: 'CARD' }] },
      { groupBy: [f('experiments.checkout-v2')], aggregates: [{ fn: 'users' }], where: [{ field: 'vars.country', op: 'in', value: ['de', 'fr'] }] },
      { aggregates: [{ fn: 'count' }, { fn: 'users' }], where: [{ field: 'attributes.ms', op: 'gte', value: 450 }] },
      { groupBy: [f('name')], cohort: { name: 'order placed' } },
    ];
    for (const input of queries) {
      const query = parseQuery(input);
      const [fromDuckDB, fromClickHouse] = await both((store) => store.runQuery('default', query));
      expect(fromClickHouse, JSON.stringify(input)).toEqual(fromDuckDB);
      expect((fromDuckDB as unknown[]).length).toBeGreaterThan(0);
    }
  });

  it('gives untrusted readers the same guarded answers, noise and suppression included', async () => {
    const inputs = [
      { groupBy: [{ field: 'vars.country' }], aggregates: [{ fn: 'count' }, { fn: 'users' }] },
      { groupBy: [{ field: 'name' }, { field: 'vars.country' }, { time: 'hour' }], aggregates: [{ fn: 'users' }] },
      { groupBy: [{ field: 'template' }] },
      // Conditions: each is asked turned around (low-effect detection), the prefix for the values it selects.
      { where: [{ field: 'name', value: 'order placed' }, { field: 'vars.country', op: 'prefix', value: 'd' }, { field: 'kind', value: 'event' }], groupBy: [{ field: 'template' }], aggregates: [{ fn: 'count' }, { fn: 'users' }], from: 1 },
      { groupBy: [{ field: 'name' }], aggregates: [{ fn: 'users' }], cohort: { name: 'order placed' } },
    ];
    for (const input of inputs) {
      const [fromDuckDB, fromClickHouse] = await both((store) => new Analytics(store, 'same-salt', new AuditLog(temporaryDirectory('audit'))).query('default', parseQuery(input), 'untrusted', 'reader'));
      expect(fromClickHouse, JSON.stringify(input)).toEqual(fromDuckDB);
    }
  });

  it('gives the same template view, funnels (each order, guarded too) and experiment results', async () => {
    const analytics = (store: Store) => new Analytics(store, 'same-salt', new AuditLog(temporaryDirectory('audit')));
    const [templatesD, templatesC] = await both((store) => analytics(store).templates('default', { limit: 20 }, 'direct', 'admin'));
    expect(templatesC).toEqual(templatesD);
    for (const order of ['sequential', 'strict', 'any']) {
      const funnel = parseFunnel({ steps: [{ name: 'cart viewed' }, { name: 'checkout started' }, { name: 'order placed' }], order, breakdown: 'experiments.checkout-v2' });
      for (const access of ['direct', 'untrusted'] as const) {
        const [fromDuckDB, fromClickHouse] = await both((store) => analytics(store).funnel('default', funnel, access, 'reader'));
        expect(fromClickHouse, `${order} ${access}`).toEqual(fromDuckDB);
      }
    }
    const more = [
      { steps: [{ name: '$exposure' }, { name: 'cart viewed' }, { name: 'order placed' }], exclusions: [{ name: 'checkout started', fromStep: 1, toStep: 2 }] },
      { steps: [{ name: '$exposure' }, { name: 'checkout started' }], window: 600_000, breakdown: 'vars.country' },
      { steps: [{ name: 'cart viewed' }, { name: 'checkout started' }, { name: 'order placed' }], from: start + hour, to: start + 4 * hour, window: 1_800_000 },
      { steps: [{ name: 'cart viewed', where: [{ field: 'vars.country', op: 'eq', value: 'de' }] }, { name: 'order placed' }], exclusions: [{ name: '$exposure', fromStep: 0, toStep: 1 }] },
    ];
    for (const input of more) {
      const funnel = parseFunnel(input);
      for (const access of ['direct', 'untrusted'] as const) {
        const [fromDuckDB, fromClickHouse] = await both((store) => analytics(store).funnel('default', funnel, access, 'reader'));
        expect(fromClickHouse, `${JSON.stringify(input)} ${access}`).toEqual(fromDuckDB);
      }
      const [cellsD, cellsC] = await both(async (store) => (await store.sequentialFunnelCells('default', funnel, 'user_id')).sort((a, b) => `${a.breakdown}/${a.step}`.localeCompare(`${b.breakdown}/${b.step}`)));
      expect(cellsC, JSON.stringify(input)).toEqual(cellsD);
      expect((cellsD as unknown[]).length).toBeGreaterThan(0);
    }
    const experiment = parseExperiment({ experiment: 'checkout-v2', goal: 'order placed' });
    for (const access of ['direct', 'untrusted'] as const) {
      const [fromDuckDB, fromClickHouse] = await both((store) => analytics(store).experiment('default', experiment, access, 'reader'));
      expect(fromClickHouse).toEqual(fromDuckDB);
    }
  });

  it('stores a batch retried through another collector once', async () => {
    const other = await ClickHouseStore.open(`${server.address}logmill_test`);
    const reported: [number, number][] = [];
    other.onLoad = (stored, duplicates) => reported.push([stored, duplicates]);
    try {
      await other.insert(rows.slice(0, 50));
      expect(reported).toEqual([[0, 50]]);
      // Two collectors racing with the same new batch: both insert, reads still count it once.
      const fresh = dataset().slice(0, 20).map((row, index) => ({ ...row, project: 'race', id: `0190a000-0000-7000-8000-${String(index).padStart(12, '0')}` }));
      await Promise.all([other.insert(fresh), clickhouse.insert(fresh)]);
      const [counted] = await clickhouse.read("SELECT count() AS n FROM events FINAL WHERE project = 'race'");
      expect(Number(counted!['n'])).toBe(20);
      expect((await clickhouse.statistics()).rows).toBe(rows.length + 20);
      // Every row is in its day's partition and keyed by its user's hash, as the table's order expects.
      const [layout] = await clickhouse.read("SELECT count() AS n, countIf(date = toDate(intDiv(ts, 1000)) AND user_hash = halfMD5(ifNull(user_id, ''))) AS placed FROM events");
      expect(layout).toMatchObject({ placed: Number(layout!['n']) });
    } finally {
      await other.close();
    }
  });

  it('reads single events, journeys and exports alike', async () => {
    const id = rows.find((row) => row.user_id === 'user-12' && row.name === 'checkout started')!.id;
    const [eventD, eventC] = await both((store) => store.event('default', id));
    expect(eventC).toEqual(eventD);
    expect(eventC).toMatchObject({ id, name: 'checkout started', user_id: 'user-12' });
    const [journeyD, journeyC] = await both((store) => store.journey('default', id, hour, 'user_id'));
    expect(journeyC).toEqual(journeyD);
    const [exportD, exportC] = await both((store) => store.entityEvents('default', 'user_id', 'user-12'));
    expect(exportC).toEqual(exportD);
    expect((exportC as unknown[]).length).toBeGreaterThan(3);
    // Placeholders take escaped values; a question mark inside a quoted string stays text.
    expect(await clickhouse.read("SELECT ? AS a, 'why?' AS b, ? AS n", ["o'brien?", 3])).toEqual([{ a: "o'brien?", b: 'why?', n: 3 }]);
    await expect(clickhouse.read('SELECT 1 AS a', ['unused'])).rejects.toThrow(/0 placeholders for 1 values/);
  });

  it('takes events through two stateless collectors on one ClickHouse, a batch retried across them stored once', async () => {
    const env = { LOGMILL_STORE: `${server.address}logmill_collectors`, LOGMILL_SALT: 'shared-salt' };
    const collectors = await Promise.all([startCollector({ env }), startCollector({ env })]);
    try {
      const lines = envelopeLines(40, 'two-collectors');
      const body = `${lines.join('\n')}\n`;
      const headers = { authorization: `Bearer ${keys.ingest}`, 'content-type': 'application/x-ndjson' };
      // The client's first try reached collector A; its retry (no answer seen) goes to B, twice at once.
      const answers = [await post(`${collectors[0]!.url}/v1/events`, body, headers), ...(await Promise.all([0, 1].map(() => post(`${collectors[1]!.url}/v1/events`, body, headers))))];
      for (const answer of answers) expect(answer).toMatchObject({ status: 200, body: { accepted: 40 } });
      const direct = await ClickHouseStore.open(`${server.address}logmill_collectors`);
      try {
        expect((await direct.statistics()).rows).toBe(40);
      } finally {
        await direct.close();
      }
      const first = JSON.parse(lines[0]!) as { id: string };
      for (const collector of collectors) expect(await storedEvent(collector.url, first.id)).toMatchObject({ id: first.id });
    } finally {
      await Promise.all(collectors.map((collector) => collector.stop()));
    }
  });

  it('erases a user and deletes by age, verified by reading back', async () => {
    const [erasedD, erasedC] = await both((store) => store.eraseEntity('default', 'user_id', 'user-6'));
    expect(erasedC).toEqual(erasedD);
    expect(erasedC).toBeGreaterThan(3);
    expect(await clickhouse.read("SELECT count() AS n FROM events WHERE user_id = 'user-6'")).toEqual([{ n: 0 }]);
    const cutoff = start + 2 * hour;
    const [deletedD, deletedC] = await both((store) => store.deleteOlderThan(cutoff, 'cart viewed'));
    expect(deletedC).toEqual(deletedD);
    const [left] = await clickhouse.read(`SELECT count() AS n FROM events FINAL WHERE ts < ${cutoff} AND name = 'cart viewed'`);
    expect(Number(left!['n'])).toBe(0);
    const [countD, countC] = await both((store) => store.runQuery('default', parseQuery({ aggregates: [{ fn: 'count' }, { fn: 'users' }] })));
    expect(countC).toEqual(countD);
  });

  it('erases a person without writing their id or sessions into what ClickHouse keeps of its mutations', async () => {
    const person = 'zoe.lind@example.org';
    const session = 'sess-zoe-4417';
    const scrubber = new Scrubber();
    const theirs = [
      ...Array.from({ length: 3 }, (_, index) => ({ ...(JSON.parse(envelope({ userId: person, ts: start + index * 1000, name: 'cart viewed' })) as Envelope), sessionId: session })),
      { ...(JSON.parse(envelope({ ts: start + 5000, template: 'anonymous view' })) as Envelope), sessionId: session },
    ].map((event) => eventToRow('default', event, start, scrubber));
    for (const store of stores()) await store.insert(theirs);
    const [exportD, exportC] = await both((store) => store.entityEvents('default', 'user_id', person));
    expect((exportC as unknown[]).length).toBe(4);
    expect((exportD as unknown[]).length).toBe(4);
    const [erasedD, erasedC] = await both((store) => store.eraseEntity('default', 'user_id', person));
    expect([erasedD, erasedC]).toEqual([4, 4]);
    expect(await clickhouse.read(`SELECT count() AS n FROM events WHERE user_id = '${person}' OR session_id = '${session}'`)).toEqual([{ n: 0 }]);
    const commands = (await clickhouse.read("SELECT command FROM system.mutations WHERE table = 'events'")).map((row) => String(row['command']));
    const mutationFiles: string[] = [];
    const walk = (directory: string): void => {
      for (const entry of readdirSync(directory, { withFileTypes: true })) {
        if (entry.isDirectory()) walk(join(directory, entry.name));
        else if (/^mutation_\d+\.txt$/.test(entry.name)) mutationFiles.push(readFileSync(join(directory, entry.name), 'utf8'));
      }
    };
    walk(join(server.directory, 'data'));
    expect(mutationFiles.length).toBeGreaterThan(0);
    for (const text of [...commands, ...mutationFiles]) {
      expect(text).not.toContain('zoe.lind');
      expect(text).not.toContain(session);
    }
    expect(commands.some((command) => command.includes('SHA256'))).toBe(true);
  });

  it('stores no copy of an erased event that a client sends again, through any collector, and still stores new ones', async () => {
    const address = `${server.address}logmill_erased_retries`;
    const first = await ClickHouseStore.open(address);
    // Another collector on the same database, which has seen no erasure.
    const second = await ClickHouseStore.open(address);
    try {
      const person = 'rita-5581';
      const scrubber = new Scrubber();
      const theirs = [
        ...Array.from({ length: 2 }, (_, index) => ({ ...(JSON.parse(envelope({ userId: person, ts: start + index, name: 'cart viewed' })) as Envelope), sessionId: 'sess-rita' })),
        { ...(JSON.parse(envelope({ ts: start + 10, template: 'anonymous view' })) as Envelope), sessionId: 'sess-rita' },
      ].map((event) => eventToRow('default', event, start, scrubber));
      await second.insert(theirs);
      expect(await first.eraseEntity('default', 'user_id', person)).toBe(3);
      // The client never saw the answer to its batch, and sends it again, to either collector.
      await second.insert(theirs);
      await first.insert(theirs);
      expect(await first.entityEvents('default', 'user_id', person)).toEqual([]);
      // What the person does afterwards is stored, and so is another client's event that reuses an erased id.
      const later = eventToRow('default', JSON.parse(envelope({ userId: person, ts: start + 20, name: 'cart viewed' })) as Envelope, start, scrubber);
      await second.insert([later, { ...theirs[0]!, user_id: 'someone-else', message: 'a reused id' }]);
      expect((await first.entityEvents('default', 'user_id', person)).map((row) => row['id'])).toEqual([later.id]);
      expect(await first.entityEvents('default', 'user_id', 'someone-else')).toHaveLength(1);
    } finally {
      await first.close();
      await second.close();
    }
  });

  it("keeps a person's id and sessions out of ClickHouse's query log, from ingest to erasure", async () => {
    // Query logging on, as it is by default from ClickHouse 19: every query's text is kept.
    const logging = await startClickHouse(undefined, { profile: '<log_queries>1</log_queries>' });
    const store = await ClickHouseStore.open(`${logging.address}logmill_query_log`);
    try {
      const person = 'quinn.doe@example.org';
      const session = 'sess-quinn-9120';
      const scrubber = new Scrubber();
      const theirs = [
        ...Array.from({ length: 2 }, (_, index) => ({ ...(JSON.parse(envelope({ userId: person, ts: start + index, name: 'cart viewed' })) as Envelope), sessionId: session })),
        { ...(JSON.parse(envelope({ ts: start + 10, template: 'anonymous view' })) as Envelope), sessionId: session },
      ].map((event) => eventToRow('default', event, start, scrubber));
      await store.insert(theirs);
      // A retry: the dedup look-up names the batch's users by their hash.
      await store.insert(theirs);
      expect(await store.entityEvents('default', 'user_id', person)).toHaveLength(3);
      expect(await store.eraseEntity('default', 'user_id', person)).toBe(3);
      await store.execute('SYSTEM FLUSH LOGS');
      const logged = (await store.read('SELECT query FROM system.query_log')).map((row) => String(row['query']));
      expect(logged.some((query) => query.includes('user_hash IN'))).toBe(true);
      for (const query of logged) {
        expect(query).not.toContain('quinn.doe');
        expect(query).not.toContain(session);
      }
    } finally {
      await store.close();
      await logging.stop();
    }
  });

  it('migrates an embedded store into ClickHouse: in runs, resumably, never twice, verified by checksum', async () => {
    const directory = temporaryDirectory('migrate-source');
    const source = await DuckDBStore.open(directory, { loadInterval: 60_000 });
    const scrubber = new Scrubber();
    const generated = envelopeLines(12_000, 'migrate').map((line, index) => eventToRow(index % 3 === 0 ? 'shop' : 'default', JSON.parse(line) as Envelope, start, scrubber));
    await source.insert(generated);
    await source.close();
    const cli = join(__dirname, '../../server/dist/cli/main.js');
    const migrate = (...extra: string[]) => spawnSync(process.execPath, [cli, 'migrate', '--from', `duckdb:${directory}`, '--to', `${server.address}logmill_migrated`, '--batch-size', '1000', ...extra], {
      encoding: 'utf8', env: { ...process.env, LOGMILL_PROGRESS: 'always' },
    });
    const first = migrate('--max-batches', '4');
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout).toContain('read 4000 events, inserted 4000');
    expect(first.stdout).toContain('run the same command again');
    expect(first.stderr).toMatch(/migrating \[.*\] \d+\/12000 events/);
    const rest = migrate();
    expect(rest.status, rest.stderr).toBe(0);
    expect(rest.stdout).toContain('read 8000 events, inserted 8000');
    expect(rest.stdout).toMatch(/source: 12000 events, checksum (\d+); ClickHouse: 12000 events, checksum \1: identical/);
    // A crash after inserting but before the cursor was written: the next run repeats batches, inserting nothing twice.
    for (const file of readdirSync(directory).filter((name) => name.startsWith('migrate-'))) rmSync(join(directory, file));
    const again = migrate();
    expect(again.stdout).toContain('read 12000 events, inserted 0');
    expect(again.stdout).toContain(': identical');
    const target = await ClickHouseStore.open(`${server.address}logmill_migrated`);
    try {
      const [fromTarget] = await target.read("SELECT count() AS n, uniqExact(id) AS ids, countIf(project = 'shop') AS shop FROM events");
      expect(fromTarget).toEqual({ n: 12_000, ids: 12_000, shop: 4000 });
    } finally {
      await target.close();
    }
  });

  it('logmill serve names a login ClickHouse refuses in one line, with the form of the address to fix', () => {
    const cli = join(__dirname, '../../server/dist/cli/main.js');
    const address = server.address.replace('clickhouse://', 'clickhouse://nobody:secret@');
    const serve = spawnSync(process.execPath, [cli, 'serve', '--data', temporaryDirectory('clickhouse-login'), '--port', '0', '--store', `${address}logmill`], { encoding: 'utf8', timeout: 30_000 });
    expect(serve.status).toBe(1);
    expect(serve.stdout).toBe('');
    expect(serve.stderr).toBe(
      `logmill: ClickHouse at ${server.httpUrl} refused the login: DB::Exception: Unknown user nobody; `
      + 'give its user and password in --store (LOGMILL_STORE) as clickhouse://USER:PASSWORD@host:port/database\n',
    );
  });
});
