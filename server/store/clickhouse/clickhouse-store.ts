/**
 * The Store on ClickHouse (`logmill serve --store clickhouse://host:8123/database`), over HTTP with
 * @clickhouse/client. Collectors keep no state of their own: each batch is inserted before the
 * collector answers, several collectors may write to one server, and a batch retried through
 * another collector is stored again and merged away (ReplacingMergeTree on the id; every read
 * deduplicates with FINAL). Queries compile to SQL that runs on ClickHouse 18.16 (query-sql.ts).
 *
 * On a cluster (`?cluster=NAME`, cluster.ts) the same reads and inserts go through a Distributed
 * `events` table; erasure and retention run on every node's local table.
 *
 * Sequential funnels are computed in ClickHouse with arrays per user (`windowFunnel` cannot express
 * the best attempt with exclusions and step times); only the cells per (breakdown, step) leave it.
 */
import { createHash } from 'node:crypto';
import { type ClickHouseClient, ClickHouseLogLevel, createClient } from '@clickhouse/client';
import type { DeadLetter } from '../dead-letters.js';
import { sessionsOf } from '../person-events.js';
import type { EventRow } from '../../domain/event-row.js';
import { GroupCommit } from '../group-commit.js';
import { type GroupStatisticsOptions, type GroupStatisticsRow, experimentEventOf, funnelCellOf, funnelEventOf, groupStatisticsOf } from '../row-mapping.js';
import type { LoadListener, RetentionRule, Store, StoreStatistics } from '../store.js';
import type { EventQuery } from '../../domain/query-model.js';
import type { ExperimentEvent, ExperimentQuery } from '../../domain/experiment-model.js';
import { type FunnelCell, type FunnelCellsAndWhole, type FunnelEvent, type FunnelQuery, cellsAndWholeEach } from '../../domain/funnel-model.js';
import type { TemplateQuery } from '../../domain/template-view.js';
import { type Capabilities, EVENTS, capabilitiesOf } from './dialect.js';
import { compileExperimentEvents, compileFunnelEvents, compileGroupStatistics, compileJourney, compileQuery, compileSequentialFunnelCells, compileTemplateView } from './query-sql.js';
import { ClickHouseCluster, clusterSettings, parseClusterAddress } from './cluster.js';
import { clickHouseRow, createErasedEventsTable, createEventsTable, erasedDigestOf, erasedDigestSql, sqlLiteral } from './schema.js';

/**
 * Settings every query runs with: 64-bit integers as JSON numbers (they are counts and
 * milliseconds), and progress headers so long analytics queries keep the connection alive.
 */
const settings = { output_format_json_quote_64bit_integers: 0, send_progress_in_http_headers: 1, http_headers_progress_interval_ms: '10000' } as const;

/** How long an erasure or a retention delete may take before it is reported as not done. */
const mutationTimeout = 120_000;
/** How long a collector trusts that no event was ever erased before asking again (see #anyErased). */
const erasedCheckInterval = 1000;

/** `clickhouse://host:port/database` (or http(s)://) → the HTTP URL and database. */
export function parseClickHouseUrl(text: string): { url: string; database: string; username?: string; password?: string } {
  const parsed = new URL(text.replace(/^clickhouse:/, 'http:').replace(/^clickhouses:/, 'https:'));
  const database = parsed.pathname.replace(/^\/+|\/+$/g, '') || 'logmill';
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(database)) throw new Error(`invalid ClickHouse database name: ${database}`);
  const url = `${parsed.protocol}//${parsed.hostname}:${parsed.port || (parsed.protocol === 'https:' ? '8443' : '8123')}`;
  return { url, database, ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}), ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}) };
}

export class ClickHouseStore implements Store {
  onLoad: LoadListener | undefined;
  #lastError: string | undefined;

  private constructor(
    private readonly client: ClickHouseClient,
    private readonly database: string,
    /** What the server runs beyond 18.16 (dialect.ts keeps newer SQL behind these). */
    readonly capabilities: Capabilities,
    /** The cluster's nodes, when the store spans one. */
    readonly cluster?: ClickHouseCluster,
  ) {}

  /** Connects, creating the database and table (on a cluster: on every node) if needed. */
  static async open(address: string): Promise<ClickHouseStore> {
    const { url, database, username, password } = parseClickHouseUrl(address);
    const clusterAddress = parseClusterAddress(address);
    // Its failures are thrown to the caller, which says them once; the client's own log would print each with its internals first.
    const setup = createClient({ url, username, password, log: { level: ClickHouseLogLevel.OFF } });
    let version: string;
    let cluster: ClickHouseCluster | undefined;
    try {
      if (clusterAddress === undefined) {
        await setup.command({ query: `CREATE DATABASE IF NOT EXISTS ${database}` });
        await setup.command({ query: createEventsTable(database) });
        await setup.command({ query: createErasedEventsTable(database) });
      } else {
        cluster = await ClickHouseCluster.open(setup, url, database, clusterAddress, { username, password });
      }
      version = (await (await setup.query({ query: 'SELECT version() AS version', format: 'JSONEachRow' })).json<{ version: string }>())[0]!.version;
    } finally {
      await setup.close();
    }
    const clickhouse_settings = cluster === undefined ? settings : { ...settings, ...clusterSettings };
    const client = createClient({ url, username, password, database, clickhouse_settings, request_timeout: 300_000 });
    return new ClickHouseStore(client, database, capabilitiesOf(version), cluster);
  }

  /**
   * Batches from concurrent requests go to ClickHouse together (one insert while another is in
   * flight), since every insert makes a part on disk and ClickHouse wants few, large ones.
   */
  readonly #commits = new GroupCommit<EventRow, undefined>(async (submissions) => {
    await this.#insertNow(submissions.flat());
    return submissions.map(() => undefined);
  });

  async insert(rows: readonly EventRow[]): Promise<void> {
    if (rows.length > 0) await this.#commits.submit(rows);
  }

  async #insertNow(rows: readonly EventRow[]): Promise<void> {
    // Ids this batch repeats (inside itself or from earlier batches) are told to onLoad as duplicates.
    const fresh = new Map<string, EventRow>();
    for (const row of rows) if (!fresh.has(`${row.project}\u0000${row.id}`)) fresh.set(`${row.project}\u0000${row.id}`, row);
    const erased = await this.#erasedAmong([...fresh.values()]);
    const unerased = [...fresh.values()].filter((row) => !erased.has(row));
    const stored = await this.#storedIds(unerased);
    const values = unerased.filter((row) => !stored.has(`${row.project}\u0000${row.id}`));
    try {
      if (values.length > 0) await this.client.insert({ table: 'events', values: values.map(clickHouseRow), format: 'JSONEachRow' });
      this.#lastError = undefined;
    } catch (error) {
      this.#lastError = (error as Error).message;
      throw this.cluster?.explain(error) ?? error;
    }
    this.onLoad?.(values.length, rows.length - values.length);
  }

  /** Known for good once true (digests are never removed); while false, asked again every second. */
  #erasedSeen = false;
  #noneErasedUntil = 0;

  /**
   * Whether any event was ever erased: most databases have none, and their inserts skip the look-up.
   * Another collector may erase meanwhile; an erasure waits out this interval after writing its
   * digests and before its mutation (eraseEntity), so every insert that could miss them is one the
   * mutation still sees.
   */
  async #anyErased(): Promise<boolean> {
    if (this.#erasedSeen) return true;
    if (Date.now() < this.#noneErasedUntil) return false;
    const [row] = await this.read('SELECT count() AS n FROM (SELECT 1 FROM erased_events LIMIT 1)');
    if (Number(row?.['n'] ?? 0) > 0) this.#erasedSeen = true;
    else this.#noneErasedUntil = Date.now() + erasedCheckInterval;
    return this.#erasedSeen;
  }

  /** The rows that are copies of erased events (a client's retry of a batch sent before the erasure). */
  async #erasedAmong(rows: readonly EventRow[]): Promise<Set<EventRow>> {
    const erased = new Set<EventRow>();
    if (rows.length === 0 || !(await this.#anyErased())) return erased;
    const byDigest = new Map(rows.map((row) => [erasedDigestOf(row), row]));
    const digests = [...byDigest.keys()];
    // A few thousand at a time: each is 35 characters of query text, within max_query_size.
    for (let start = 0; start < digests.length; start += 2000) {
      const found = await this.read(`SELECT digest FROM erased_events WHERE digest IN (${digests.slice(start, start + 2000).map((digest) => `'${digest}'`).join(', ')})`);
      for (const { digest } of found) erased.add(byDigest.get(String(digest))!);
    }
    return erased;
  }

  /**
   * Which of these rows' ids are stored already. The lookup names every column of the table's
   * order (project, date, name, user hash, id) with the batch's values, so ClickHouse reads only
   * the few granules that could hold them instead of the project's whole history.
   */
  async #storedIds(rows: readonly EventRow[]): Promise<Set<string>> {
    const byProject = new Map<string, EventRow[]>();
    for (const row of rows) byProject.set(row.project, [...(byProject.get(row.project) ?? []), row]);
    const stored = new Set<string>();
    const set = (values: Iterable<string>) => [...new Set(values)].map(sqlLiteral).join(', ');
    for (const [project, group] of byProject) {
      const dates = set(group.map((row) => new Date(row.ts).toISOString().slice(0, 10)));
      const names = set(group.map((row) => row.name ?? ''));
      // The sort key's user hash, computed here: the query's text (in system.query_log, where query
      // logging is on) would otherwise hold every user id the collector ever received.
      const users = [...new Set(group.map((row) => halfMd5(row.user_id ?? '')))].join(', ');
      // A cluster's Distributed events table cannot read the MATERIALIZED key columns; events_ids can.
      const found = await this.#lookUp(`SELECT id FROM ${this.cluster === undefined ? 'events' : 'events_ids'} WHERE project = ${sqlLiteral(project)} AND date IN (${dates}) AND name IN (${names})
        AND user_hash IN (${users}) AND id IN (${set(group.map((row) => row.id))})`);
      for (const row of found) stored.add(`${project}\u0000${String(row['id'])}`);
    }
    return stored;
  }

  /**
   * The ids look-up. On a cluster it skips a shard that does not answer: the rows that would be
   * on it fail at the insert anyway (the batch is answered 503), and the other shards' ids are all read.
   */
  async #lookUp(sql: string): Promise<Record<string, unknown>[]> {
    if (this.cluster === undefined) return this.read(sql);
    try {
      const result = await this.client.query({ query: sql, format: 'JSONEachRow', clickhouse_settings: { skip_unavailable_shards: 1 } });
      return await result.json<Record<string, unknown>>();
    } catch (error) {
      throw this.cluster.explain(error);
    }
  }

  async writable(): Promise<boolean> {
    try {
      await this.read('SELECT 1 AS ok');
      if (this.cluster !== undefined && !(await this.cluster.reachable())) return false;
      return this.#lastError === undefined;
    } catch {
      return false;
    }
  }

  async statistics(): Promise<StoreStatistics> {
    const statistics = await this.#entryStatistics();
    return this.cluster === undefined ? statistics : { ...statistics, bytes: await this.cluster.bytes() };
  }

  /** Rows as every query counts them, and the bytes of the entry node's table (on a cluster, a Distributed one without parts). */
  async #entryStatistics(): Promise<StoreStatistics> {
    const [rows] = await this.read(`SELECT count() AS rows FROM ${EVENTS}`);
    const [bytes] = await this.read(`SELECT sum(bytes) AS bytes FROM system.parts WHERE database = ${sqlLiteral(this.database)} AND table = 'events' AND active`);
    return { rows: Number(rows?.['rows'] ?? 0), bytes: Number(bytes?.['bytes'] ?? 0), pending: 0, deadLetters: 0 };
  }

  /**
   * Runs ClickHouse SQL; `?` placeholders (outside quoted strings) take the values in order,
   * escaped by `sqlLiteral`, since 18.16 has no query parameters.
   */
  async read(sql: string, parameters: readonly (string | number | boolean | null)[] = []): Promise<Record<string, unknown>[]> {
    let index = 0;
    const query = parameters.length === 0
      ? sql
      : sql.replace(/'(?:\\.|[^'\\])*'|\?/g, (match) => (match === '?' ? sqlLiteral(parameters[index++] ?? null) : match));
    if (index !== parameters.length) throw new Error(`the SQL has ${index} placeholders for ${parameters.length} values`);
    try {
      const result = await this.client.query({ query, format: 'JSONEachRow' });
      return await result.json<Record<string, unknown>>();
    } catch (error) {
      throw this.cluster?.explain(error) ?? error;
    }
  }

  async event(project: string, id: string): Promise<Record<string, unknown> | undefined> {
    const [row] = await this.read(`SELECT * FROM ${EVENTS} WHERE project = ${sqlLiteral(project)} AND id = ${sqlLiteral(id.toLowerCase())} LIMIT 1`);
    return row === undefined ? undefined : eventRowOf(row);
  }

  async entityEvents(project: string, entity: string, value: string): Promise<Record<string, unknown>[]> {
    const match = await this.#personMatch(project, entity, value);
    return (await this.read(`SELECT * FROM ${EVENTS} WHERE ${match} ORDER BY ts, id`)).map(eventRowOf);
  }

  /**
   * The condition for a person's events: theirs by entity, or anonymous in one of their sessions
   * (person-events.ts). The sessions are read first and written into the condition: 18.16's
   * mutations take no subquery over the table they change. Neither the person's id nor their
   * sessions appear in it as written, only their SHA-256 (`personDigest`): ClickHouse keeps the
   * text of every mutation (`system.mutations`, `mutation_N.txt` beside the table's parts) and, where
   * query logging is on, of every query, so an erasure that named the person would leave them there.
   */
  async #personMatch(project: string, entity: string, value: string): Promise<string> {
    const column = entityColumn(entity);
    const own = `project = ${sqlLiteral(project)} AND SHA256(${column}) = ${personDigest(value)}`;
    const sessions = sessionsOf(await this.read(`SELECT DISTINCT session_id FROM ${EVENTS} WHERE ${own} AND isNotNull(session_id)`));
    if (sessions.length === 0) return own;
    return `((${own}) OR (project = ${sqlLiteral(project)} AND isNull(${column}) AND SHA256(session_id) IN (${sessions.map(personDigest).join(', ')})))`;
  }

  /** Runs a statement that returns no rows (administration, benchmarks' data generation). */
  async execute(statement: string): Promise<void> {
    await this.client.command({ query: statement });
  }

  runQuery(project: string, query: EventQuery): Promise<Record<string, unknown>[]> {
    return this.read(compileQuery(project, query, this.capabilities));
  }

  async funnelEvents(project: string, funnel: FunnelQuery, entity: string): Promise<FunnelEvent[]> {
    return (await this.read(compileFunnelEvents(project, funnel, entityColumn(entity), this.capabilities))).map(funnelEventOf);
  }

  async journey(project: string, eventId: string, around: number, entity: string): Promise<Record<string, unknown>[]> {
    return (await this.read(compileJourney(project, eventId, around, entityColumn(entity)))).map(eventRowOf);
  }

  async sequentialFunnelCells(project: string, funnel: FunnelQuery, entity: string): Promise<FunnelCell[]> {
    return (await this.read(compileSequentialFunnelCells(project, funnel, entityColumn(entity), this.capabilities))).map(funnelCellOf);
  }

  async sequentialFunnelCellsAndWhole(project: string, funnel: FunnelQuery, entity: string, alsoWindow?: number): Promise<FunnelCellsAndWhole> {
    return cellsAndWholeEach(funnel, alsoWindow, async (asked) => ({ cells: await this.sequentialFunnelCells(project, asked, entity), whole: await this.sequentialFunnelCells(project, { ...asked, breakdown: undefined }, entity) }));
  }

  async experimentEvents(project: string, query: ExperimentQuery, entity: string): Promise<ExperimentEvent[]> {
    return (await this.read(compileExperimentEvents(project, query, entityColumn(entity), this.capabilities))).map(experimentEventOf);
  }

  async templateRows(project: string, query: TemplateQuery, entity: string): Promise<Record<string, unknown>[]> {
    return this.read(compileTemplateView(project, query, entityColumn(entity), this.capabilities));
  }

  /** Nothing is acknowledged before ClickHouse stored it, so no row can fail later: there are no dead letters. */
  async listDeadLetters(): Promise<DeadLetter[]> {
    return [];
  }

  async replayDeadLetters(): Promise<{ replayed: number; deadLetters: number }> {
    return { replayed: 0, deadLetters: 0 };
  }

  /** Erases one entity's events with a mutation, waits for it, and verifies nothing is left. */
  async eraseEntity(project: string, entity: string, value: string): Promise<number> {
    const match = await this.#personMatch(project, entity, value);
    // Counted as every query counts (FINAL): copies of a retried batch not merged yet are one event.
    const [counted] = await this.read(`SELECT count() AS n FROM ${EVENTS} WHERE ${match}`);
    const erased = Number(counted?.['n'] ?? 0);
    if (erased === 0) return 0;
    // Remembered before they go, so that a copy sent again after the erasure is not stored again.
    const digests = (await this.read(`SELECT DISTINCT ${erasedDigestSql} AS digest FROM ${EVENTS} WHERE ${match}`)).map((row) => String(row['digest']));
    if (this.cluster === undefined) await this.client.insert({ table: 'erased_events', values: digests.map((digest) => ({ digest })), format: 'JSONEachRow' });
    else await this.cluster.rememberErased(digests);
    this.#erasedSeen = true;
    // Other collectors may have found no digests a moment ago (see #anyErased): their inserts from
    // before they ask again land before the mutation, which removes them.
    await new Promise((resolve) => setTimeout(resolve, 2 * erasedCheckInterval));
    await this.#delete(match);
    const left = await this.#remaining(match);
    // The error reaches the collector's log: it names the count, not the person.
    if (left !== 0) throw new Error(`the erasure left ${left} events of one ${entity} in ClickHouse`);
    return erased;
  }

  /** One mutation per rule: the rules' events are disjoint as Gdpr builds them. */
  async deleteExpired(rules: readonly RetentionRule[]): Promise<number> {
    let deleted = 0;
    for (const { cutoff, name, except } of rules) deleted += await this.deleteOlderThan(cutoff, name, except);
    return deleted;
  }

  async deleteOlderThan(cutoff: number, name?: string, except: readonly string[] = []): Promise<number> {
    const conditions = [`(ts < ${sqlLiteral(cutoff)} OR received_at < ${sqlLiteral(cutoff)})`];
    if (name !== undefined) conditions.push(`name = ${sqlLiteral(name)}`);
    for (const kept of except) conditions.push(`name != ${sqlLiteral(kept)}`);
    const where = conditions.join(' AND ');
    const [counted] = await this.read(`SELECT count() AS n FROM ${EVENTS} WHERE ${where}`);
    const deleted = Number(counted?.['n'] ?? 0);
    if (deleted > 0) await this.#delete(where);
    return deleted;
  }

  /**
   * Deletes the matching events: with a mutation here, or on every node of a cluster. A mutation
   * keeps the rows where NOT (condition) holds, and NOT NULL is not true: a row without a user
   * would go with every user's erasure, so the condition's NULL is made false first.
   */
  async #delete(where: string): Promise<void> {
    const condition = `ifNull((${where}), 0)`;
    if (this.cluster === undefined) await this.#mutate(`ALTER TABLE events DELETE WHERE ${condition}`);
    else await this.cluster.deleteWhere(condition);
  }

  /** Matching events still stored (on a cluster: read back on every node's local table). */
  async #remaining(where: string): Promise<number> {
    if (this.cluster !== undefined) return (await this.cluster.localCounts(where)).reduce((sum, node) => sum + node.rows, 0);
    const [left] = await this.read(`SELECT count() AS n FROM events WHERE ${where}`);
    return Number(left?.['n'] ?? 0);
  }

  /** Starts a mutation and waits until ClickHouse reports it done (18.16 cannot wait synchronously). */
  async #mutate(statement: string): Promise<void> {
    const before = new Set((await this.read(`SELECT mutation_id FROM system.mutations WHERE database = ${sqlLiteral(this.database)} AND table = 'events'`)).map((row) => String(row['mutation_id'])));
    await this.client.command({ query: statement });
    const deadline = Date.now() + mutationTimeout;
    for (;;) {
      const mutations = await this.read(`SELECT mutation_id, is_done FROM system.mutations WHERE database = ${sqlLiteral(this.database)} AND table = 'events'`);
      const started = mutations.filter((row) => !before.has(String(row['mutation_id'])));
      if (started.length > 0 && started.every((row) => Number(row['is_done']) === 1)) return;
      if (Date.now() > deadline) throw new Error(`ClickHouse did not finish "${statement}" within ${mutationTimeout / 1000} s`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  async groupStatistics(project: string, query: EventQuery, entity: string, options: GroupStatisticsOptions = {}): Promise<GroupStatisticsRow[]> {
    return (await this.read(compileGroupStatistics(project, query, entityColumn(entity), options, this.capabilities))).map((row) => groupStatisticsOf(row, query, options));
  }

  async close(): Promise<void> {
    await this.client.close();
    await this.cluster?.close();
  }
}

/** A row of the events table as DuckDB's store returns it: times as UTC text, no internal columns. */
function eventRowOf(row: Record<string, unknown>): Record<string, unknown> {
  const { date: _date, user_hash: _userHash, ...columns } = row;
  // DuckDB leaves out a zero millisecond part.
  const time = (value: unknown) => new Date(Number(value)).toISOString().replace('T', ' ').replace(/(\.000)?Z$/, '');
  return { ...columns, ts: time(row['ts']), received_at: time(row['received_at']), name: row['name'] === '' ? null : row['name'] };
}

/** The protected entity column: a configured column name, checked before it reaches SQL. */
/** ClickHouse's `halfMD5` of one string: the first 8 bytes of its MD5, big-endian. */
export function halfMd5(value: string): string {
  return createHash('md5').update(value).digest().readBigUInt64BE(0).toString();
}

/** A person's id or session as ClickHouse's SHA256 of it gives it back: a constant that does not name them. */
function personDigest(value: string): string {
  return `unhex('${createHash('sha256').update(value).digest('hex')}')`;
}

function entityColumn(entity: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(entity)) throw new Error(`not a column name: ${entity}`);
  return entity;
}
