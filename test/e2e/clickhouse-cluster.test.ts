/**
 * Logmill on a sharded ClickHouse cluster, proven on one machine: two clickhouse-server 18.16
 * processes declared as two shards of cluster `logmill`, the tables created by the store's own
 * schema step (`?cluster=logmill`), two `logmill serve` collectors in front, and a client that
 * spreads and retries batches across both while one collector is killed with SIGKILL. Then the same
 * events in DuckDB and on the cluster must give identical answers, direct and guarded; erasure and
 * retention are read back on every shard; and with a shard down, reads fail with a clear error
 * while ingest answers 2xx only for what it stored.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, rmSync } from 'node:fs';
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
import { ShardUnavailableError } from '../../server/store/clickhouse/cluster.js';
import { DuckDBStore } from '../../server/store/duckdb/duckdb-store.js';
import type { Store } from '../../server/store/store.js';
import { type CollectorProcess, cliPath, keys, post, startCollector, temporaryDirectory } from '../../server/test/helpers/collector-process.js';
import { envelope } from '../../server/test/helpers/dataset.js';
import { type ClickHouseClusterProcesses, startClickHouseCluster } from './helpers/clickhouse-cluster.js';
import { directQueries, funnels, guardedQueries, hour, normalized, shopDataset, start } from './helpers/store-parity.js';

let cluster: ClickHouseClusterProcesses;

beforeAll(async () => {
  cluster = await startClickHouseCluster(2);
});

afterAll(async () => {
  await cluster?.stop();
});

/** A query on one node directly (its own tables, not through the Distributed one). */
async function onNode(index: number, sql: string): Promise<Record<string, unknown>[]> {
  const response = await fetch(`${cluster.nodes[index]!.httpUrl}/?${new URLSearchParams({ query: `${sql} FORMAT JSONEachRow`, output_format_json_quote_64bit_integers: '0' })}`, { method: 'POST' });
  const text = await response.text();
  if (!response.ok) throw new Error(text);
  return text.split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as Record<string, unknown>);
}

async function column(index: number, sql: string): Promise<string[]> {
  return (await onNode(index, sql)).map((row) => String(Object.values(row)[0]));
}

const ingestHeaders = { authorization: `Bearer ${keys.ingest}`, 'content-type': 'application/x-ndjson' };

describe('the store on a two-shard ClickHouse cluster', () => {
  it('creates its tables on every node and refuses a node list that is not the cluster', async () => {
    const store = await ClickHouseStore.open(cluster.address('logmill_schema'));
    await store.close();
    for (const index of [0, 1]) {
      const tables = await onNode(index, "SELECT name, engine FROM system.tables WHERE database = 'logmill_schema' ORDER BY name");
      expect(tables).toEqual([
        // Each node holds every erased event's digest, so any node a collector enters by can look them up.
        { name: 'erased_events', engine: 'MergeTree' },
        { name: 'events', engine: 'Distributed' },
        { name: 'events_ids', engine: 'Distributed' },
        { name: 'events_local', engine: 'ReplacingMergeTree' },
      ]);
    }
    const entry = cluster.nodes[0]!.address;
    await expect(ClickHouseStore.open(`${entry}logmill_schema?cluster=logmill&nodes=127.0.0.1:${cluster.nodes[0]!.ports.http}`)).rejects.toThrow(/has 2 nodes and 1 were given/);
    await expect(ClickHouseStore.open(`${entry}logmill_schema?cluster=logmill&nodes=127.0.0.1:${cluster.nodes[0]!.ports.http},127.0.0.1:${cluster.nodes[0]!.ports.http}`)).rejects.toThrow(/are the same node/);
    await expect(ClickHouseStore.open(`${entry}logmill_schema?cluster=elsewhere`)).rejects.toThrow(/no cluster "elsewhere"/);
    await expect(ClickHouseStore.open(`${entry}logmill_schema?shards=2`)).rejects.toThrow(/unknown ClickHouse store option "shards"/);
    // A Distributed table made by hand with another sharding key would split users and retries over shards.
    for (const index of [0, 1]) {
      await onNode(index, 'CREATE DATABASE logmill_by_hand');
      await onNode(index, 'CREATE TABLE logmill_by_hand.events (project String, id String, user_id Nullable(String)) ENGINE = Distributed(logmill, logmill_by_hand, events_local, rand())');
    }
    await expect(ClickHouseStore.open(cluster.address('logmill_by_hand'))).rejects.toThrow(/logmill_by_hand.events is Distributed\(logmill, logmill_by_hand, events_local, rand\(\)\); Logmill needs/);
    // A database holding a single server's events table is not silently turned into half a cluster.
    const single = await ClickHouseStore.open(`${entry}logmill_single`);
    await single.close();
    await expect(ClickHouseStore.open(cluster.address('logmill_single'))).rejects.toThrow(/events is a ReplacingMergeTree table/);
  });

  it('erases one user on a single server with the anonymous events of their session and no other event without a user, counting an unmerged copy once', async () => {
    const single = await ClickHouseStore.open(`${cluster.nodes[0]!.address}logmill_single`);
    try {
      // user-1 and the third event (anonymous, before sign-in) share a session; the fourth is someone else's.
      const sessions = ['s-1', 's-2', 's-1', 's-3'];
      const events = ['user-1', 'user-2', undefined, undefined, undefined].map((userId, index) => JSON.parse(envelope({ userId, template: 'tick %d', args: [index], ts: start + index, vars: index < 4 ? { sessionId: sessions[index]! } : {} })) as Envelope);
      await single.insert(events.map((event) => eventToRow('default', event, start, new Scrubber())));
      expect((await single.entityEvents('default', 'user_id', 'user-1')).map((event) => event['args'])).toEqual(['[0]', '[2]']);
      expect(await single.eraseEntity('default', 'user_id', 'user-1')).toBe(2);
      expect(await single.read("SELECT ifNull(user_id, '-') AS user, ifNull(session_id, '-') AS session FROM events FINAL ORDER BY user, session")).toEqual([
        { user: '-', session: '-' },
        { user: '-', session: 's-3' },
        { user: 'user-2', session: 's-2' },
      ]);
      // A copy not merged yet (two collectors raced with one batch) is one event, as in DuckDB.
      await single.execute("INSERT INTO events SELECT * FROM events WHERE user_id = 'user-2'");
      expect(await single.read("SELECT count() AS n FROM events WHERE user_id = 'user-2'")).toEqual([{ n: 2 }]);
      expect(await single.eraseEntity('default', 'user_id', 'user-2')).toBe(1);
      expect(await single.read("SELECT count() AS n FROM events WHERE user_id = 'user-2'")).toEqual([{ n: 0 }]);
    } finally {
      await single.close();
    }
  });

  it('takes an embedded store\'s events with logmill migrate, which creates the cluster\'s tables, verified by checksum', async () => {
    const directory = temporaryDirectory('migrate-to-cluster');
    const source = await DuckDBStore.open(directory, { loadInterval: 60_000 });
    const events = shopDataset();
    await source.insert(events);
    await source.close();
    const migrate = () => spawnSync(process.execPath, [cliPath, 'migrate', '--from', `duckdb:${directory}`, '--to', cluster.address('logmill_migrated'), '--batch-size', '100'], {
      encoding: 'utf8', env: { ...process.env, LOGMILL_PROGRESS: 'never' },
    });
    const first = migrate();
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout).toContain(`read ${events.length} events, inserted ${events.length}`);
    expect(first.stdout).toMatch(new RegExp(`source: ${events.length} events, checksum (\\d+); ClickHouse: ${events.length} events, checksum \\1: identical`));
    const perShard = await Promise.all([0, 1].map(async (index) => Number((await column(index, 'SELECT count() FROM logmill_migrated.events_local'))[0])));
    expect(perShard[0]! + perShard[1]!).toBe(events.length);
    expect(Math.min(...perShard)).toBeGreaterThan(events.length / 5);
    // Run again after losing its cursor: every id is found on its shard, nothing is stored twice.
    for (const file of readdirSync(directory).filter((name) => name.startsWith('migrate-'))) rmSync(join(directory, file));
    const again = migrate();
    expect(again.stdout).toContain(`read ${events.length} events, inserted 0`);
    expect(await Promise.all([0, 1].map(async (index) => Number((await column(index, 'SELECT count() FROM logmill_migrated.events_local'))[0])))).toEqual(perShard);
  });

  it('stores every acknowledged event exactly once across the shards after kill -9 of one collector under a retrying client', async () => {
    const database = 'logmill_ingest';
    const env = { LOGMILL_STORE: cluster.address(database), LOGMILL_SALT: 'shared-salt' };
    const collectors: CollectorProcess[] = await Promise.all([startCollector({ env }), startCollector({ env })]);
    try {
      // 48 batches of 50 events from 80 users: every batch spans both shards.
      const batches = Array.from({ length: 48 }, (_, batch) => Array.from({ length: 50 }, (_, index) => {
        const user = (batch * 7 + index) % 80;
        return envelope({ userId: `user-${user}`, name: index % 5 === 0 ? 'order placed' : undefined, template: 'step %d of batch %d', args: [index, batch], ts: start + batch * 60_000 + index });
      }));
      const expected = new Set(batches.flat().map((line) => (JSON.parse(line) as { id: string }).id));
      const acknowledged = new Set<string>();
      const outcomes = { sent: 0, acknowledged: 0, failedAtKilled: 0, sameBatchToBoth: 0 };
      let killed: Promise<void> | undefined;
      const send = async (collector: number, body: string): Promise<boolean> => {
        outcomes.sent++;
        let answer: Awaited<ReturnType<typeof post>> | undefined;
        try {
          answer = await post(`${collectors[collector]!.url}/v1/events`, body, ingestHeaders);
        } catch {
          // Connection refused or reset: the collector is gone.
        }
        if (answer?.status === 200) {
          expect(answer.body).toMatchObject({ accepted: 50 });
          return true;
        }
        if (answer !== undefined) expect(answer.status).toBe(503);
        if (collector === 0 && killed !== undefined) outcomes.failedAtKilled++;
        return false;
      };
      /** Delivers one batch: first to one collector (every 4th to both at once), then alternating until acknowledged. */
      const deliver = async (batch: number): Promise<void> => {
        const body = `${batches[batch]!.join('\n')}\n`;
        for (let attempt = 0; attempt < 20; attempt++) {
          const first = (batch + attempt) % 2;
          let stored: boolean;
          if (attempt === 0 && batch % 4 === 0) {
            outcomes.sameBatchToBoth++;
            stored = (await Promise.all([send(0, body), send(1, body)])).some(Boolean);
          } else {
            stored = await send(first, body);
          }
          if (stored) {
            for (const line of batches[batch]!) acknowledged.add((JSON.parse(line) as { id: string }).id);
            outcomes.acknowledged++;
            // Collector 0 dies mid-run, with other batches in flight to it.
            if (outcomes.acknowledged === 12) killed = collectors[0]!.kill();
            return;
          }
          await new Promise((resolve) => setTimeout(resolve, 20 * (attempt + 1)));
        }
        throw new Error(`batch ${batch} was never acknowledged`);
      };
      let next = 0;
      await Promise.all(Array.from({ length: 4 }, async () => {
        while (next < batches.length) await deliver(next++);
      }));
      await killed;
      expect(collectors[0]!.child.signalCode).toBe('SIGKILL');
      expect(outcomes.failedAtKilled).toBeGreaterThan(0);
      expect(outcomes.acknowledged).toBe(batches.length);
      expect(acknowledged).toEqual(expected);

      // Read on each shard directly: every acknowledged id on exactly one shard, once.
      const perShard = await Promise.all([0, 1].map((index) => column(index, `SELECT id FROM ${database}.events_local FINAL`)));
      for (const ids of perShard) {
        expect(new Set(ids).size).toBe(ids.length);
        expect(ids.length).toBeGreaterThan(expected.size / 4);
      }
      const everywhere = perShard.flat();
      expect(everywhere.length).toBe(expected.size);
      expect(new Set(everywhere)).toEqual(expected);
      // Why no id can be on two shards: a user's events, and so every retry of them, live on one shard.
      const usersPerShard = await Promise.all([0, 1].map((index) => column(index, `SELECT DISTINCT user_id FROM ${database}.events_local`)));
      expect(usersPerShard[0]!.filter((user) => usersPerShard[1]!.includes(user))).toEqual([]);
      expect(usersPerShard[0]!.length + usersPerShard[1]!.length).toBe(80);
      // And each node holds exactly the users whose hash picks it (shard n of 2 takes hash % 2 = n - 1).
      for (const index of [0, 1]) expect(await column(index, `SELECT countIf(halfMD5(assumeNotNull(user_id)) % 2 != ${index}) FROM ${database}.events_local`)).toEqual(['0']);
      // Copies a race left in separate parts are merged on disk too, not only hidden by FINAL.
      for (const index of [0, 1]) {
        await onNode(index, `OPTIMIZE TABLE ${database}.events_local FINAL`);
        expect(await column(index, `SELECT count() FROM ${database}.events_local`)).toEqual([String(perShard[index]!.length)]);
      }
      // The surviving collector counts them all through the Distributed table.
      const counted = await post(`${collectors[1]!.url}/api/query`, JSON.stringify({ aggregates: [{ fn: 'count' }, { fn: 'users' }] }), { authorization: `Bearer ${keys.admin}` });
      expect(counted.status).toBe(200);
      expect(counted.body['rows']).toEqual([{ count: expected.size, users: 80 }]);
      // A user's erasure through the surviving collector (the admin API) leaves nothing on any shard.
      const userEvents = Number((await onNode(0, `SELECT count() AS n FROM ${database}.events WHERE user_id = 'user-3'`))[0]!['n']);
      expect(userEvents).toBeGreaterThan(0);
      const erased = await fetch(`${collectors[1]!.url}/api/users/user-3`, { method: 'DELETE', headers: { authorization: `Bearer ${keys.admin}` } });
      expect(erased.status).toBe(200);
      expect(await erased.json()).toMatchObject({ erased: userEvents });
      for (const index of [0, 1]) expect(await column(index, `SELECT count() FROM ${database}.events_local WHERE user_id = 'user-3'`)).toEqual(['0']);
      const exported = await fetch(`${collectors[1]!.url}/api/users/user-3/export`, { headers: { authorization: `Bearer ${keys.admin}` } });
      expect(((await exported.json()) as { events: unknown[] }).events).toEqual([]);
      console.log(`kill -9 under a retrying client: ${JSON.stringify(outcomes)}; shards hold ${perShard.map((ids) => ids.length).join(' + ')} = ${everywhere.length} events`);
    } finally {
      await Promise.all(collectors.map((collector) => collector.stop()));
    }
  });

  describe('beside DuckDB on the same events', () => {
    const rows = shopDataset();
    let clickhouse: ClickHouseStore;
    let duckdb: DuckDBStore;
    const stores = () => [duckdb, clickhouse] as const;

    async function both<T>(ask: (store: Store) => Promise<T>): Promise<[unknown, unknown]> {
      const [fromDuckDB, fromClickHouse] = await Promise.all(stores().map((store) => ask(store)));
      return [normalized(fromDuckDB), normalized(fromClickHouse)];
    }

    beforeAll(async () => {
      clickhouse = await ClickHouseStore.open(cluster.address('logmill_parity'));
      duckdb = await DuckDBStore.open(temporaryDirectory('duckdb-cluster-parity'), { loadInterval: 60_000 });
      for (const store of stores()) await store.insert(rows);
      // The same batch again through the cluster: skipped, and FINAL would hide it if not.
      await clickhouse.insert(rows.slice(0, 40));
    });

    afterAll(async () => {
      await clickhouse?.close();
      await duckdb?.close();
    });

    it('spreads the events over both shards, each user on one', async () => {
      const counts = await Promise.all([0, 1].map(async (index) => Number((await column(index, 'SELECT count() FROM logmill_parity.events_local'))[0])));
      expect(counts[0]! + counts[1]!).toBe(rows.length);
      for (const count of counts) expect(count).toBeGreaterThan(rows.length / 5);
      const [users0, users1] = await Promise.all([0, 1].map((index) => column(index, 'SELECT DISTINCT user_id FROM logmill_parity.events_local WHERE isNotNull(user_id)')));
      expect(users0!.filter((user) => users1!.includes(user))).toEqual([]);
      const statistics = await clickhouse.statistics();
      expect(statistics.rows).toBe(rows.length);
      const bytes = await Promise.all([0, 1].map(async (index) => Number((await column(index, "SELECT sum(bytes) FROM system.parts WHERE database = 'logmill_parity' AND table = 'events_local' AND active"))[0])));
      expect(statistics.bytes).toBe(bytes[0]! + bytes[1]!);
    });

    it('answers the query model exactly alike', async () => {
      for (const input of directQueries) {
        const [fromDuckDB, fromClickHouse] = await both((store) => store.runQuery('default', parseQuery(input)));
        expect(fromClickHouse, JSON.stringify(input)).toEqual(fromDuckDB);
        expect((fromDuckDB as unknown[]).length).toBeGreaterThan(0);
      }
    });

    it('gives untrusted readers the same guarded answers, noise and suppression included', async () => {
      for (const input of guardedQueries) {
        const [fromDuckDB, fromClickHouse] = await both((store) => analytics(store).query('default', parseQuery(input), 'untrusted', 'reader'));
        expect(fromClickHouse, JSON.stringify(input)).toEqual(fromDuckDB);
      }
    });

    it('gives the same funnels per user (direct and guarded), experiment results, templates, events and journeys', async () => {
      for (const input of funnels) {
        const funnel = parseFunnel(input);
        for (const access of ['direct', 'untrusted'] as const) {
          const [fromDuckDB, fromClickHouse] = await both((store) => analytics(store).funnel('default', funnel, access, 'reader'));
          expect(fromClickHouse, `${JSON.stringify(input)} ${access}`).toEqual(fromDuckDB);
        }
      }
      const experiment = parseExperiment({ experiment: 'checkout-v2', goal: 'order placed' });
      for (const access of ['direct', 'untrusted'] as const) {
        const [fromDuckDB, fromClickHouse] = await both((store) => analytics(store).experiment('default', experiment, access, 'reader'));
        expect(fromClickHouse).toEqual(fromDuckDB);
        const [templatesD, templatesC] = await both((store) => analytics(store).templates('default', { limit: 20 }, access, 'reader'));
        expect(templatesC).toEqual(templatesD);
      }
      const id = rows.find((row) => row.user_id === 'user-12' && row.name === 'checkout started')!.id;
      const [eventD, eventC] = await both((store) => store.event('default', id));
      expect(eventC).toEqual(eventD);
      expect(eventC).toMatchObject({ id, user_id: 'user-12' });
      const [journeyD, journeyC] = await both((store) => store.journey('default', id, hour, 'user_id'));
      expect(journeyC).toEqual(journeyD);
      const [exportD, exportC] = await both((store) => store.entityEvents('default', 'user_id', 'user-12'));
      expect(exportC).toEqual(exportD);
    });

    it('erases a user and deletes by age on every shard, read back on each', async () => {
      const match = "user_id = 'user-6'";
      const before = await Promise.all([0, 1].map(async (index) => Number((await column(index, `SELECT count() FROM logmill_parity.events_local WHERE ${match}`))[0])));
      expect(before.filter((count) => count > 0)).toHaveLength(1);
      const erased = rows.filter((row) => row.user_id === 'user-6').length;
      expect(await clickhouse.eraseEntity('default', 'user_id', 'user-6')).toBe(erased);
      expect(before[0]! + before[1]!).toBe(erased);

      const cutoff = start + 2 * hour;
      const aged = `ts < ${cutoff} AND name = 'cart viewed'`;
      const isAged = (row: (typeof rows)[number]) => row.ts < cutoff && row.name === 'cart viewed';
      const agedBefore = await Promise.all([0, 1].map(async (index) => Number((await column(index, `SELECT count() FROM logmill_parity.events_local WHERE ${aged}`))[0])));
      expect(agedBefore.every((count) => count > 0)).toBe(true);
      expect(await clickhouse.deleteOlderThan(cutoff, 'cart viewed')).toBe(rows.filter((row) => row.user_id !== 'user-6' && isAged(row)).length);

      for (const index of [0, 1]) {
        expect(await column(index, `SELECT count() FROM logmill_parity.events_local WHERE ${match} OR (${aged})`)).toEqual(['0']);
        expect(await column(index, "SELECT count() FROM system.mutations WHERE database = 'logmill_parity' AND NOT is_done")).toEqual(['0']);
      }
      // What is left answers as DuckDB does on the same events without those (events of no user included).
      const kept = rows.filter((row) => row.user_id !== 'user-6' && !isAged(row));
      const reference = await DuckDBStore.open(temporaryDirectory('duckdb-cluster-kept'), { loadInterval: 60_000 });
      try {
        await reference.insert(kept);
        const questions = [
          (store: Store) => store.runQuery('default', parseQuery({ groupBy: [{ field: 'name' }], aggregates: [{ fn: 'count' }, { fn: 'users' }] })),
          (store: Store) => analytics(store).funnel('default', parseFunnel(funnels[0]!), 'untrusted', 'reader'),
          (store: Store) => store.entityEvents('default', 'user_id', 'user-6'),
        ];
        for (const ask of questions) expect(normalized(await ask(clickhouse))).toEqual(normalized(await ask(reference)));
        expect((await clickhouse.statistics()).rows).toBe(kept.length);
      } finally {
        await reference.close();
      }
    });
  });

  it('with a shard down: reads fail with a clear error, ingest answers 2xx only for what it stored', async () => {
    const database = 'logmill_outage';
    const env = { LOGMILL_STORE: cluster.address(database), LOGMILL_SALT: 'shared-salt' };
    const collector = await startCollector({ env });
    const store = await ClickHouseStore.open(cluster.address(database));
    try {
      const lines = (users: string[]) => users.flatMap((user) => Array.from({ length: 5 }, (_, index) => envelope({ userId: user, template: 'tick %d', args: [index], ts: start + index })));
      const users = Array.from({ length: 20 }, (_, index) => `user-${index}`);
      const all = lines(users);
      expect((await post(`${collector.url}/v1/events`, `${all.join('\n')}\n`, ingestHeaders)).status).toBe(200);
      const onShard1 = await column(1, `SELECT DISTINCT user_id FROM ${database}.events_local`);
      const onShard0 = users.filter((user) => !onShard1.includes(user));
      expect(onShard0.length).toBeGreaterThan(0);
      expect(onShard1.length).toBeGreaterThan(0);

      await cluster.kill(1);
      // Reads: an error that says why, never a number from half the data.
      await expect(store.runQuery('default', parseQuery({ aggregates: [{ fn: 'count' }] }))).rejects.toThrow(ShardUnavailableError);
      await expect(analytics(store).query('default', parseQuery({ groupBy: [{ field: 'template' }] }), 'untrusted', 'reader')).rejects.toThrow(/did not answer/);
      const read = await post(`${collector.url}/api/query`, JSON.stringify({ aggregates: [{ fn: 'count' }] }), { authorization: `Bearer ${keys.read}` });
      expect(read.status).toBe(503);
      expect(read.body).toMatchObject({ error: 'store_unavailable', message: expect.stringMatching(/a node of ClickHouse cluster "logmill" did not answer/) });
      expect((await fetch(`${collector.url}/readyz`)).status).toBe(503);

      // Ingest: 18.16's synchronous Distributed insert opens every shard, so with one down no batch is
      // acknowledged (503, Retry-After), not even one whose users all live on the shard that is up.
      const live = lines(onShard0.slice(0, 2));
      const mixed = lines([onShard0[0]!, onShard1[0]!]);
      for (const batch of [live, mixed]) {
        const refused = await post(`${collector.url}/v1/events`, `${batch.join('\n')}\n`, ingestHeaders);
        expect(refused).toMatchObject({ status: 503, body: { error: 'store_unavailable' } });
        expect(refused.headers.get('retry-after')).toBe('1');
      }

      // The shard comes back; the client's retries are stored, each event once.
      await cluster.restart(1);
      for (const batch of [live, mixed]) expect(await post(`${collector.url}/v1/events`, `${batch.join('\n')}\n`, ingestHeaders)).toMatchObject({ status: 200 });
      expect((await fetch(`${collector.url}/readyz`)).status).toBe(200);
      const ids = [...all, ...live, ...mixed].map((line) => (JSON.parse(line) as { id: string }).id);
      const stored = [...await column(0, `SELECT id FROM ${database}.events_local FINAL`), ...await column(1, `SELECT id FROM ${database}.events_local FINAL`)];
      expect(stored.length).toBe(ids.length);
      expect(new Set(stored)).toEqual(new Set(ids));
      expect(await store.runQuery('default', parseQuery({ aggregates: [{ fn: 'count' }] }))).toEqual([{ a0: ids.length }]);
    } finally {
      await store.close();
      await collector.stop();
    }
  });
});

function analytics(store: Store): Analytics {
  return new Analytics(store, 'same-salt', new AuditLog(temporaryDirectory('audit')));
}
