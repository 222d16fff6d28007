/**
 * The ClickHouse store on a cluster: `clickhouse://node:8123/logmill?cluster=NAME` (the name in the
 * servers' `remote_servers`), optionally `&nodes=host:8123,host:8123` (every node's HTTP address,
 * when they do not all listen on the entry node's port). Opening the store creates, on every node:
 *
 * - `events_local`: the single-server table (schema.ts), so each shard deduplicates with FINAL;
 * - `events`: a `Distributed` table over it, sharded by the user (events without a user by their
 *   id), which the collectors insert into and every query reads;
 * - `events_ids`: a `Distributed` view of the local table's order key (`date` and `user_hash` are
 *   MATERIALIZED, which a Distributed table can neither insert nor read with FINAL on 18.16), for
 *   the ingest's look-up of ids already stored.
 *
 * A user's events, and so every retry of them, are on one shard: FINAL on each shard is the whole
 * deduplication, and a cohort's `IN` runs shard-locally (distributed_product_mode = local). Inserts
 * wait for every shard (insert_distributed_sync), so a 2xx means stored. Reads never skip a shard:
 * one that does not answer makes the read fail with ShardUnavailableError, never a partial number.
 * Erasure and retention run on every node's `events_local` and are read back there.
 */
import { type ClickHouseClient, createClient } from '@clickhouse/client';
import { StoreUnavailableError } from '../store-unavailable.js';
import { createErasedEventsTable, createEventsTable, sqlLiteral } from './schema.js';

/** Settings of every query on a cluster (see the file's comment for why each). */
export const clusterSettings = {
  insert_distributed_sync: 1,
  // 18.16 loses the MATERIALIZED order-key columns under FINAL when it reads the local shard in-process.
  prefer_localhost_replica: 0,
  distributed_product_mode: 'local',
  skip_unavailable_shards: 0,
} as const;

/** The shard of an event: its user's (so one user's events, and every retry of them, are on one shard), or its id's when it has no user. */
export const shardingKey = 'if(isNull(user_id), halfMD5(id), halfMD5(assumeNotNull(user_id)))';

/** How long an erasure or a retention delete may take on each node before it is reported as not done. */
const mutationTimeout = 120_000;

/** A read or write that needed a shard which did not answer: no partial answer is given. */
export class ShardUnavailableError extends StoreUnavailableError {}

export interface ClusterAddress {
  name: string;
  /** Every node's HTTP address (`host:port`), when given. */
  nodes?: string[];
}

/** The `cluster` and `nodes` options of a store address, or undefined for a single server. */
export function parseClusterAddress(text: string): ClusterAddress | undefined {
  const parameters = new URL(text.replace(/^clickhouses?:/, 'http:')).searchParams;
  for (const key of parameters.keys()) {
    if (key !== 'cluster' && key !== 'nodes') throw new Error(`unknown ClickHouse store option "${key}" (known: cluster, nodes)`);
  }
  const name = parameters.get('cluster');
  if (name === null) {
    if (parameters.has('nodes')) throw new Error('the ClickHouse store option "nodes" needs "cluster"');
    return undefined;
  }
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`invalid ClickHouse cluster name: ${name}`);
  const nodes = parameters.get('nodes')?.split(',').map((node) => node.trim()).filter((node) => node !== '');
  for (const node of nodes ?? []) if (!/^[A-Za-z0-9.\-[\]:]+:\d+$/.test(node)) throw new Error(`invalid ClickHouse node "${node}": use host:port (HTTP)`);
  return { name, ...(nodes === undefined ? {} : { nodes }) };
}

interface Node {
  url: string;
  client: ClickHouseClient;
}

export class ClickHouseCluster {
  private constructor(
    readonly name: string,
    private readonly database: string,
    private readonly nodes: readonly Node[],
  ) {}

  /**
   * Finds the cluster's nodes (given, or its hosts at the entry node's port), checks that they are
   * exactly the cluster's shards and replicas, and creates the tables on each.
   */
  static async open(entry: ClickHouseClient, entryUrl: string, database: string, address: ClusterAddress, credentials: { username?: string; password?: string }): Promise<ClickHouseCluster> {
    const listed = await rows(entry, `SELECT shard_num, replica_num, host_name FROM system.clusters WHERE cluster = ${sqlLiteral(address.name)} ORDER BY shard_num, replica_num`);
    if (listed.length === 0) throw new Error(`ClickHouse has no cluster "${address.name}" in its remote_servers`);
    const entryParsed = new URL(entryUrl);
    const urls = address.nodes?.map((node) => `${entryParsed.protocol}//${node}`)
      ?? listed.map((row) => `${entryParsed.protocol}//${String(row['host_name'])}:${entryParsed.port}`);
    const nodes = urls.map((url) => ({ url, client: createClient({ url, ...credentials }) }));
    const cluster = new ClickHouseCluster(address.name, database, nodes);
    try {
      // Each node names itself (is_local): together they must be the cluster's replicas, each once.
      const seen = new Map<string, string>();
      for (const node of nodes) {
        const self = await rows(node.client, `SELECT shard_num, replica_num FROM system.clusters WHERE cluster = ${sqlLiteral(address.name)} AND is_local = 1`);
        if (self.length !== 1) throw new Error(`${node.url} is not one node of cluster "${address.name}" (it finds itself ${self.length} times there)`);
        const key = `shard ${String(self[0]!['shard_num'])} replica ${String(self[0]!['replica_num'])}`;
        if (seen.has(key)) throw new Error(`${node.url} and ${seen.get(key)!} are the same node (${key}) of cluster "${address.name}"`);
        seen.set(key, node.url);
      }
      if (seen.size !== listed.length) throw new Error(`cluster "${address.name}" has ${listed.length} nodes and ${seen.size} were given: name every node's HTTP address in nodes=`);
      for (const node of nodes) await cluster.#createTables(node);
      return cluster;
    } catch (error) {
      await cluster.close();
      throw error;
    }
  }

  async #createTables(node: Node): Promise<void> {
    const database = this.database;
    const [existing] = await rows(node.client, `SELECT engine FROM system.tables WHERE database = ${sqlLiteral(database)} AND name = 'events'`);
    if (existing !== undefined && existing['engine'] !== 'Distributed') {
      throw new Error(`${node.url}: ${database}.events is a ${String(existing['engine'])} table (a single server's); on cluster "${this.name}" it must be the Distributed table over events_local: use another database, or move the events with logmill migrate`);
    }
    await node.client.command({ query: `CREATE DATABASE IF NOT EXISTS ${database}` });
    await node.client.command({ query: createEventsTable(database, 'events_local') });
    // The Distributed table takes the local table's insertable columns (in its order: 18.16 has no
    // position column), whatever engine the local table was created with.
    const columns = await rows(node.client, `SELECT name, type FROM system.columns WHERE database = ${sqlLiteral(database)} AND table = 'events_local' AND default_kind != 'MATERIALIZED'`);
    const definitions = columns.map((column) => `\`${String(column['name'])}\` ${String(column['type'])}`).join(', ');
    const engine = `Distributed(${this.name}, ${database}, events_local, ${shardingKey})`;
    await node.client.command({ query: `CREATE TABLE IF NOT EXISTS ${database}.events (${definitions}) ENGINE = ${engine}` });
    // A Distributed table made by hand with another key (rand(), the id) would put one user's
    // events, or one event's retries, on two shards: FINAL could not merge them, funnels would split.
    const [made] = await rows(node.client, `SELECT engine_full FROM system.tables WHERE database = ${sqlLiteral(database)} AND name = 'events'`);
    const bare = (text: string) => text.replace(/[\s'`"]/g, '');
    if (bare(String(made?.['engine_full'])) !== bare(engine)) {
      throw new Error(`${node.url}: ${database}.events is ${String(made?.['engine_full'])}; Logmill needs ${engine}, so that a user's events live on one shard`);
    }
    await node.client.command({ query: createErasedEventsTable(database) });
    await node.client.command({ query: `CREATE TABLE IF NOT EXISTS ${database}.events_ids (project String, date Date, name String, user_hash UInt64, id String) ENGINE = Distributed(${this.name}, ${database}, events_local)` });
  }

  /** Adds erased events' digests to every node's `erased_events`, so any entry node can look them up. */
  async rememberErased(digests: readonly string[]): Promise<void> {
    await Promise.all(this.nodes.map((node) => node.client.insert({ table: `${this.database}.erased_events`, values: digests.map((digest) => ({ digest })), format: 'JSONEachRow' })));
  }

  /** Whether every node answers. */
  async reachable(): Promise<boolean> {
    const answers = await Promise.all(this.nodes.map(async (node) => (await node.client.ping()).success));
    return answers.every(Boolean);
  }

  /** A read's failure, said plainly when a shard did not answer. */
  explain(error: unknown): unknown {
    const message = error instanceof Error ? error.message : String(error);
    if (!/Code: (209|210|279)\b|All connection tries failed|Connection refused|ECONNREFUSED|ECONNRESET|socket hang up/.test(message)) return error;
    return new ShardUnavailableError(`a node of ClickHouse cluster "${this.name}" did not answer, so there is no answer (Logmill gives no partial ones): ${message.split('\n')[0]!.slice(0, 300)}`);
  }

  /** Rows matching `where` in each node's events_local (counted as stored, without FINAL). */
  async localCounts(where: string): Promise<{ node: string; rows: number }[]> {
    return Promise.all(this.nodes.map(async (node) => {
      const [counted] = await rows(node.client, `SELECT count() AS n FROM ${this.database}.events_local WHERE ${where}`);
      return { node: node.url, rows: Number(counted?.['n'] ?? 0) };
    }));
  }

  /** Bytes of events_local's active parts on all nodes. */
  async bytes(): Promise<number> {
    let total = 0;
    for (const node of this.nodes) {
      const [counted] = await rows(node.client, `SELECT sum(bytes) AS bytes FROM system.parts WHERE database = ${sqlLiteral(this.database)} AND table = 'events_local' AND active`);
      total += Number(counted?.['bytes'] ?? 0);
    }
    return total;
  }

  /**
   * `ALTER TABLE events_local DELETE WHERE …` on every node, waiting until each reports it done
   * (18.16 cannot wait synchronously). On replicated local tables each replica runs it too, which
   * deletes nothing more and costs only the repetition.
   */
  async deleteWhere(where: string): Promise<void> {
    await Promise.all(this.nodes.map(async (node) => {
      const mutations = `SELECT mutation_id, is_done FROM system.mutations WHERE database = ${sqlLiteral(this.database)} AND table = 'events_local'`;
      const before = new Set((await rows(node.client, mutations)).map((row) => String(row['mutation_id'])));
      await node.client.command({ query: `ALTER TABLE ${this.database}.events_local DELETE WHERE ${where}` });
      const deadline = Date.now() + mutationTimeout;
      for (;;) {
        const started = (await rows(node.client, mutations)).filter((row) => !before.has(String(row['mutation_id'])));
        if (started.length > 0 && started.every((row) => Number(row['is_done']) === 1)) return;
        if (Date.now() > deadline) throw new Error(`${node.url} did not finish deleting "${where}" within ${mutationTimeout / 1000} s`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }));
  }

  async close(): Promise<void> {
    await Promise.all(this.nodes.map((node) => node.client.close()));
  }
}

async function rows(client: ClickHouseClient, query: string): Promise<Record<string, unknown>[]> {
  return (await client.query({ query, format: 'JSONEachRow' })).json<Record<string, unknown>>();
}
