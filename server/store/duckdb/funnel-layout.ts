/**
 * Funnels over the `user_events` layout (derived-layouts.ts): DuckDB reads the narrow rows of the
 * funnel's event names, in (user, time, id) order (the sorted table as stored, the rows appended
 * since its last merge sorted, the two merged here), as numbers (the user key in two 32-bit halves,
 * time, step and exclusion bits) plus the breakdown text where an attempt can start, and Node
 * folds each user into the cells in one pass (analytics/funnel-pass.ts). Funnels the layout cannot
 * answer (step filters on other columns, strict order, which needs every event of a user, another
 * entity or breakdown column) are left to the SQL over `events`.
 */
import type { DuckDBConnection, DuckDBDataChunk, DuckDBMaterializedResult, DuckDBVector } from '@duckdb/node-api';
import { FunnelPass } from '../funnel-pass.js';
import type { FunnelCell } from '../../domain/funnel-model.js';
import type { FunnelQuery } from '../../domain/funnel-model.js';
import type { CompiledQuery } from '../sql/sql-builder.js';

/** Whether `user_events` holds everything the funnel reads. */
export function layoutServesFunnel(funnel: FunnelQuery, entity: string): boolean {
  if (entity !== 'user_id' || funnel.order === 'strict') return false;
  if (funnel.steps.some((step) => step.where.length > 0)) return false;
  const breakdown = funnel.breakdown;
  return breakdown === undefined || ('json' in breakdown && breakdown.json === 'experiments') || ('column' in breakdown && (breakdown.column === 'name' || breakdown.column === 'user_id'));
}

/** A JSON pointer for one key: `/` and `~` escaped as RFC 6901 says (as query-sql.ts writes it). */
function pointer(key: string): string {
  return `/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
}

/**
 * The rows of one funnel pass from `table`: high, low (the user key), digest, time, steps,
 * exclusions, breakdown, id. `user_events` is read in its stored (user, time, id) order; the
 * appended rows are sorted here.
 */
export function compileFunnelPassRows(project: string, funnel: FunnelQuery, table: 'user_events' | 'user_events_recent' = 'user_events', part = 0, parts = 1, withId = true): CompiledQuery {
  const parameters: (string | number)[] = [];
  const value = (item: string | number): string => {
    parameters.push(item);
    return '?';
  };
  const steps = funnel.steps.map((step, index) => `(CASE WHEN name = ${value(step.name)} THEN ${2 ** index} ELSE 0 END)`).join(' + ');
  const exclusions = funnel.exclusions.length === 0 ? '0' : funnel.exclusions.map((exclusion, index) => `(CASE WHEN name = ${value(exclusion.name)} THEN ${2 ** index} ELSE 0 END)`).join(' + ');
  const breakdown = funnel.breakdown;
  let breakdownText = 'NULL';
  if (breakdown !== undefined) {
    // Only an attempt's first event gives the breakdown: a step-0 event, or in any order any step.
    // (Parameters bind in the order they appear: the condition's before the field's.)
    const starts = funnel.order === 'any' ? `name IN (${funnel.steps.map((step) => value(step.name)).join(', ')})` : `name = ${value(funnel.steps[0]!.name)}`;
    const field = 'json' in breakdown ? `json_extract_string(experiments, ${value(pointer(breakdown.key))})` : `"${breakdown.column}"`;
    breakdownText = `CASE WHEN ${starts} THEN CAST(${field} AS VARCHAR) END`;
  }
  const conditions = [`project = ${value(project)}`];
  if (funnel.from !== undefined) conditions.push(`ts >= epoch_ms(${value(funnel.from)}::BIGINT)`);
  if (funnel.to !== undefined) conditions.push(`ts < epoch_ms(${value(funnel.to + funnel.window)}::BIGINT)`);
  const names = [...new Set([...funnel.steps.map((step) => step.name), ...funnel.exclusions.map((exclusion) => exclusion.name)])];
  conditions.push(`name IN (${names.map(value).join(', ')})`);
  // One of \`parts\` ranges of user keys (by their top byte): the sorted table's row groups outside
  // it are skipped by their min/max, and each user is in exactly one part.
  if (parts > 1) conditions.push(`user_key >> 56 BETWEEN ${Math.floor((part * 256) / parts)} AND ${Math.floor(((part + 1) * 256) / parts) - 1}`);
  const order = table === 'user_events' ? '' : ' ORDER BY user_key, ts, id';
  const sql = `SELECT (user_key >> 32)::UINTEGER AS high, (user_key & 4294967295)::UINTEGER AS low, digest, epoch_ms(ts)::DOUBLE AS time,
      (${steps})::INTEGER AS steps, (${exclusions})::INTEGER AS exclusions, ${breakdownText} AS breakdown, ${withId ? 'id' : 'NULL::UUID AS id'}
    FROM ${table} WHERE ${conditions.join(' AND ')}${order}`;
  return { sql, parameters };
}

/** Reads one ordered result row by row; the vectors' values are read only when asked. */
class Cursor {
  #chunk: DuckDBDataChunk | null = null;
  #vectors: DuckDBVector[] = [];
  #rows = 0;
  row = 0;
  high = 0;
  low = 0;
  time = 0;

  private constructor(private readonly result: DuckDBMaterializedResult) {}

  static async open(result: DuckDBMaterializedResult): Promise<Cursor> {
    const cursor = new Cursor(result);
    await cursor.#nextChunk();
    return cursor;
  }

  get done(): boolean {
    return this.#chunk === null;
  }

  async #nextChunk(): Promise<void> {
    const chunk = await this.result.fetchChunk();
    this.#chunk = chunk === null || chunk.rowCount === 0 ? null : chunk;
    this.#rows = this.#chunk?.rowCount ?? 0;
    this.#vectors = this.#chunk === null ? [] : [0, 1, 2, 3, 4, 5, 6, 7].map((column) => this.#chunk!.getColumnVector(column));
    this.row = 0;
    this.#read();
  }

  #read(): void {
    if (this.#chunk === null) return;
    this.high = this.#vectors[0]!.getItem(this.row) as number;
    this.low = this.#vectors[1]!.getItem(this.row) as number;
    this.time = this.#vectors[3]!.getItem(this.row) as number;
  }

  item(column: number): unknown {
    return this.#vectors[column]!.getItem(this.row);
  }

  /** Moves to the next row; resolves only when a new chunk had to be fetched. */
  advance(): Promise<void> | undefined {
    if (++this.row < this.#rows) {
      this.#read();
      return undefined;
    }
    return this.#nextChunk();
  }

  /** Orders two current rows as (user, time, id) does: negative when this one comes first. */
  compare(other: Cursor): number {
    if (this.high !== other.high) return this.high - other.high;
    if (this.low !== other.low) return this.low - other.low;
    if (this.time !== other.time) return this.time - other.time;
    // Ties in time are rare between the two tables; UUIDs order as their text does.
    const mine = String(this.item(7));
    const theirs = String(other.item(7));
    return mine < theirs ? -1 : mine > theirs ? 1 : 0;
  }
}

/**
 * Reads the funnel's rows from the layout, the sorted table and the appended rows merged in
 * (user, time, id) order, through one pass; returns its cells.
 */
export async function funnelCellsFromLayout(connection: DuckDBConnection, project: string, funnel: FunnelQuery): Promise<FunnelCell[]> {
  // Materialized, not streamed: DuckDB then runs the scans and the sort on all its threads, off
  // the event loop, where a streamed result is computed chunk by chunk inside each fetch.
  // In parts by user key, each part's rows read by DuckDB while Node folds the previous part's.
  const parts = 4;
  const read = async (part: number): Promise<[DuckDBMaterializedResult, DuckDBMaterializedResult]> => {
    const recent = compileFunnelPassRows(project, funnel, 'user_events_recent', part, parts);
    const appended = await connection.run(recent.sql, recent.parameters);
    // Ids only break ties between the two tables: with nothing appended, they are not read.
    const sorted = compileFunnelPassRows(project, funnel, 'user_events', part, parts, appended.rowCount > 0);
    return [await connection.run(sorted.sql, sorted.parameters), appended];
  };
  const pass = new FunnelPass(funnel);
  let next = read(0);
  for (let part = 0; part < parts; part++) {
    const [main, appended] = await next;
    if (part + 1 < parts) next = read(part + 1);
    await foldPart(pass, await Cursor.open(main), await Cursor.open(appended));
  }
  return pass.cells();
}

/** Folds one part's rows, the sorted table's and the appended ones merged in (user, time, id) order. */
async function foldPart(pass: FunnelPass, ...cursors: [Cursor, Cursor]): Promise<void> {
  let high = -1;
  let low = -1;
  for (;;) {
    const [first, second] = cursors as [Cursor, Cursor];
    const cursor = first.done ? second : second.done || first.compare(second) <= 0 ? first : second;
    if (cursor.done) break;
    if (cursor.high !== high || cursor.low !== low) {
      high = cursor.high;
      low = cursor.low;
      pass.startUser(cursor.item(2) as bigint);
    }
    pass.event(cursor.time, cursor.item(4) as number, cursor.item(5) as number, cursor.item(6) as string | null);
    const fetching = cursor.advance();
    if (fetching !== undefined) await fetching;
  }
}
