/**
 * Funnels over the `user_events` layout (derived-layouts.ts): DuckDB reads the narrow rows of the
 * funnel's event names, in (user, time, id) order (the sorted table as stored, the rows appended
 * since its last merge sorted, the two merged here), as numbers (the user key in two 32-bit halves,
 * time, step and exclusion bits, and where an attempt can start the breakdown: as a code into the
 * list of its values when they are few, else as text), and Node folds each user into the cells in
 * one pass (store/funnel-pass.ts). Funnels the layout cannot
 * answer (step filters on other columns, strict order, which needs every event of a user, another
 * entity or breakdown column) are left to the SQL over `events`.
 */
import type { DuckDBConnection, DuckDBDataChunk, DuckDBMaterializedResult, DuckDBVector } from '@duckdb/node-api';
import { FunnelPass } from '../funnel-pass.js';
import type { FunnelCellsAndWhole } from '../../domain/funnel-model.js';
import type { FunnelQuery } from '../../domain/funnel-model.js';
import type { CompiledQuery } from '../sql/sql-builder.js';
import { sqlString } from './schema.js';

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

/** Distinct breakdown sources above which values are passed as text rather than as codes (finding a code is a scan of the list). */
const maximumCodes = 32;

interface PassOptions {
  table?: 'user_events' | 'user_events_recent';
  part?: number;
  parts?: number;
  withId?: boolean;
  /** The breakdown's sources: each start's source travels as its 1-based place here, in the steps column, not as text. */
  codes?: readonly string[];
}

/** The funnel's filter on the layout. */
function passConditions(project: string, funnel: FunnelQuery, value: (item: string | number) => string): string[] {
  const conditions = [`project = ${value(project)}`];
  if (funnel.from !== undefined) conditions.push(`ts >= epoch_ms(${value(funnel.from)}::BIGINT)`);
  if (funnel.to !== undefined) conditions.push(`ts < epoch_ms(${value(funnel.to + funnel.window)}::BIGINT)`);
  const names = [...new Set([...funnel.steps.map((step) => step.name), ...funnel.exclusions.map((exclusion) => exclusion.name)])];
  conditions.push(`name IN (${names.map(value).join(', ')})`);
  return conditions;
}

/** Where an attempt can start: a step-0 event, or in any order any step (only an attempt's first event gives the breakdown). */
function startsOf(funnel: FunnelQuery, value: (item: string | number) => string): string {
  return funnel.order === 'any' ? `name IN (${funnel.steps.map((step) => value(step.name)).join(', ')})` : `name = ${value(funnel.steps[0]!.name)}`;
}

/** What the breakdown is read from, as text: the experiments as stored, or the column. */
function sourceOf(breakdown: NonNullable<FunnelQuery['breakdown']>): string {
  return 'json' in breakdown ? 'experiments::VARCHAR' : `"${breakdown.column}"::VARCHAR`;
}

/** The breakdown's value from its source text. */
function valueOf(breakdown: NonNullable<FunnelQuery['breakdown']>, source: string): string {
  return 'json' in breakdown ? `CAST(json_extract_string(${source}, ${sqlString(pointer(breakdown.key))}) AS VARCHAR)` : source;
}

/**
 * The distinct sources of the breakdown where the funnel's attempts can start, in both tables of
 * the layout, each with its value (the funnel has a breakdown): few, the pass codes each row by
 * its source's place in this list, and the JSON is read once per distinct source, not per row.
 */
export function compileBreakdownSources(project: string, funnel: FunnelQuery): CompiledQuery {
  const breakdown = funnel.breakdown!;
  const parameters: (string | number)[] = [];
  const value = (item: string | number): string => {
    parameters.push(item);
    return '?';
  };
  const of = (table: string) => `SELECT ${sourceOf(breakdown)} AS source FROM ${table} WHERE ${[...passConditions(project, funnel, value), startsOf(funnel, value)].join(' AND ')}`;
  return {
    sql: `SELECT source, ${valueOf(breakdown, 'source')} AS value FROM (SELECT DISTINCT source FROM (${of('user_events')} UNION ALL ${of('user_events_recent')}) WHERE source IS NOT NULL) ORDER BY source`,
    parameters,
  };
}

/** Steps take the low 21 bits of the `steps` column (a funnel has at most 20), a breakdown's code the bits above. */
const codeUnit = 2 ** 21;

/** Where the optional columns of a pass's rows are (after high, low, digest, time, steps). */
export interface PassColumns {
  exclusions?: number;
  /** The breakdown as text, when it does not travel as a code in `steps`. */
  breakdown?: number;
  id?: number;
}

/**
 * The rows of one funnel pass from `table`: high, low (the user key), digest, time, steps (with
 * the breakdown's 1-based code into `codes` above the step bits, 0 for none), then only what
 * the funnel needs: exclusions, the breakdown as text (many values), the id (ties between the
 * tables). No column holds NULL, so no value is checked against a validity mask.
 * `user_events` is read in its stored (user, time, id) order; the appended rows are sorted here.
 */
export function compileFunnelPassRows(project: string, funnel: FunnelQuery, options: PassOptions = {}): CompiledQuery & { columns: PassColumns } {
  const { table = 'user_events', part = 0, parts = 1, withId = true, codes } = options;
  const parameters: (string | number)[] = [];
  const value = (item: string | number): string => {
    parameters.push(item);
    return '?';
  };
  const selected = ['(user_key >> 32)::UINTEGER AS high', '(user_key & 4294967295)::UINTEGER AS low', 'digest', 'epoch_ms(ts)::DOUBLE AS time'];
  const columns: PassColumns = {};
  // (Parameters bind in the order they appear: the columns' in turn, then the filter's.)
  const names = funnel.steps.map((step) => step.name);
  // Distinct step names: each row matches one step at most, found in one look-up of the name
  // (a third cheaper than a comparison per step); a name in two steps sets both bits.
  let steps = new Set(names).size === names.length
    ? `coalesce([${names.map((_, index) => 2 ** index).join(', ')}][list_position([${names.map(value).join(', ')}]::VARCHAR[], name)], 0)`
    : names.map((name, index) => `(CASE WHEN name = ${value(name)} THEN ${2 ** index} ELSE 0 END)`).join(' + ');
  const breakdown = funnel.breakdown;
  if (breakdown !== undefined && codes !== undefined) {
    steps += ` + coalesce(CASE WHEN ${startsOf(funnel, value)} THEN list_position([${codes.map(sqlString).join(', ')}]::VARCHAR[], ${sourceOf(breakdown)}) END, 0) * ${codeUnit}`;
  }
  selected.push(`(${steps})::INTEGER AS steps`);
  if (funnel.exclusions.length > 0) {
    columns.exclusions = selected.length;
    selected.push(`(${funnel.exclusions.map((exclusion, index) => `(CASE WHEN name = ${value(exclusion.name)} THEN ${2 ** index} ELSE 0 END)`).join(' + ')})::INTEGER AS exclusions`);
  }
  if (breakdown !== undefined && codes === undefined) {
    columns.breakdown = selected.length;
    selected.push(`CASE WHEN ${startsOf(funnel, value)} THEN ${valueOf(breakdown, sourceOf(breakdown))} END AS breakdown`);
  }
  if (withId) {
    columns.id = selected.length;
    selected.push('id');
  }
  const conditions = passConditions(project, funnel, value);
  // One of `parts` ranges of user keys (by their top byte), each user in exactly one: compared on
  // the column itself, so that the sorted table's row groups outside it are skipped by their
  // min/max (an expression of the column would be computed on every row).
  if (parts > 1) {
    const first = BigInt(Math.floor((part * 256) / parts)) << 56n;
    const last = (BigInt(Math.floor(((part + 1) * 256) / parts)) << 56n) - 1n;
    conditions.push(`user_key BETWEEN ${first}::UBIGINT AND ${last}::UBIGINT`);
  }
  const order = table === 'user_events' ? '' : ' ORDER BY user_key, ts, id';
  return { sql: `SELECT ${selected.join(', ')} FROM ${table} WHERE ${conditions.join(' AND ')}${order}`, parameters, columns };
}

/**
 * Reads one ordered result row by row, its chunks taken straight from the materialized result (no
 * round trip through the thread pool per chunk); a column's vector is made, and its values read,
 * only when asked.
 */
class Cursor {
  #chunk: DuckDBDataChunk | null = null;
  #next = 0;
  readonly #chunks: number;
  #vectors: (DuckDBVector | undefined)[] = [];
  #rows = 0;
  row = 0;
  high = 0;
  low = 0;
  time = 0;

  constructor(
    private readonly result: DuckDBMaterializedResult,
    readonly columns: PassColumns,
  ) {
    this.#chunks = result.chunkCount;
    this.#nextChunk();
  }

  get done(): boolean {
    return this.#chunk === null;
  }

  #nextChunk(): void {
    let chunk: DuckDBDataChunk | null = null;
    while (chunk === null && this.#next < this.#chunks) {
      chunk = this.result.getChunk(this.#next++);
      if (chunk.rowCount === 0) chunk = null;
    }
    this.#chunk = chunk;
    this.#rows = chunk?.rowCount ?? 0;
    this.#vectors = [];
    this.row = 0;
    this.#read();
  }

  #vector(column: number): DuckDBVector {
    return (this.#vectors[column] ??= this.#chunk!.getColumnVector(column));
  }

  #read(): void {
    if (this.#chunk === null) return;
    this.high = this.#vector(0).getItem(this.row) as number;
    this.low = this.#vector(1).getItem(this.row) as number;
    this.time = this.#vector(3).getItem(this.row) as number;
  }

  item(column: number): unknown {
    return this.#vector(column).getItem(this.row);
  }

  /** Moves to the next row; true when it is in the next chunk. */
  advance(): boolean {
    if (++this.row < this.#rows) {
      this.#read();
      return false;
    }
    this.#nextChunk();
    return true;
  }

  /** Orders two current rows as (user, time, id) does: negative when this one comes first. */
  compare(other: Cursor): number {
    if (this.high !== other.high) return this.high - other.high;
    if (this.low !== other.low) return this.low - other.low;
    if (this.time !== other.time) return this.time - other.time;
    // Ties in time are rare between the two tables; UUIDs order as their text does.
    const mine = String(this.item(this.columns.id!));
    const theirs = String(other.item(other.columns.id!));
    return mine < theirs ? -1 : mine > theirs ? 1 : 0;
  }
}

/**
 * Reads the funnel's rows from the layout, the sorted table and the appended rows merged in
 * (user, time, id) order, through one pass; returns its cells, and with `whole` those of the
 * funnel without its breakdown from the same pass.
 */
export async function funnelCellsFromLayout(connection: DuckDBConnection, project: string, asked: FunnelQuery, options: { whole?: boolean; alsoWindow?: number } = {}): Promise<FunnelCellsAndWhole> {
  // With another window asked for too, the rows of the wider one are read (they differ only after
  // `to`) and each user is folded for both.
  const funnel = options.alsoWindow === undefined ? asked : { ...asked, window: Math.max(asked.window, options.alsoWindow) };
  // Materialized, not streamed: DuckDB then runs the scans and the sort on all its threads, off
  // the event loop, where a streamed result is computed chunk by chunk inside each fetch.
  // In parts by user key, each part's rows read by DuckDB while Node folds the previous part's.
  const parts = 4;
  // Few breakdown sources (the experiments of a few variants, names) travel as numbers into
  // their list, read without decoding a string per row; many (one per user) as text.
  let codes: string[] | undefined;
  let values: (string | null)[] = [];
  if (funnel.breakdown !== undefined) {
    const { sql, parameters } = compileBreakdownSources(project, funnel);
    const sources = (await connection.runAndReadAll(sql, parameters)).getRows();
    if (sources.length <= maximumCodes) {
      codes = sources.map(([source]) => String(source));
      values = sources.map(([, value]) => (value === null ? null : String(value)));
    }
  }
  const read = async (part: number): Promise<[Read, Read]> => {
    const recent = compileFunnelPassRows(project, funnel, { table: 'user_events_recent', part, parts, codes });
    const appended = await connection.run(recent.sql, recent.parameters);
    // Ids only break ties between the two tables: with nothing appended, they are not read.
    const sorted = compileFunnelPassRows(project, funnel, { table: 'user_events', part, parts, withId: appended.rowCount > 0, codes });
    return [[await connection.run(sorted.sql, sorted.parameters), sorted.columns], [appended, recent.columns]];
  };
  const pass = new FunnelPass(asked, options);
  let next = read(0);
  for (let part = 0; part < parts; part++) {
    const [main, appended] = await next;
    if (part + 1 < parts) next = read(part + 1);
    if (appended[0].rowCount === 0) await foldSorted(pass, values, ...main);
    else await foldPart(pass, values, new Cursor(...main), new Cursor(...appended));
  }
  const also = pass.alsoWindow();
  return { cells: pass.cells(), whole: pass.wholeCells(), ...(also === undefined ? {} : { alsoWindow: also }) };
}

type Read = [DuckDBMaterializedResult, PassColumns];

/**
 * A numeric column of a chunk as the typed array behind its vector (no column of a pass holds
 * NULL, so no value needs its validity checked), or its values copied when the vector has none.
 */
function numbers(chunk: DuckDBDataChunk, column: number): ArrayLike<number> {
  const vector = chunk.getColumnVector(column);
  const items = (vector as unknown as { items?: unknown }).items;
  return items instanceof Uint32Array || items instanceof Int32Array || items instanceof Float64Array ? items : (vector.toArray() as number[]);
}

/** Folds one part's rows from the sorted table alone (nothing appended in its range), chunk by chunk over their arrays. */
async function foldSorted(pass: FunnelPass, values: readonly (string | null)[], result: DuckDBMaterializedResult, columns: PassColumns): Promise<void> {
  let high = -1;
  let low = -1;
  const { exclusions, breakdown } = columns;
  for (let index = 0, count = result.chunkCount; index < count; index++) {
    const chunk = result.getChunk(index);
    const rows = chunk.rowCount;
    if (rows === 0) continue;
    const highs = numbers(chunk, 0);
    const lows = numbers(chunk, 1);
    const digests = chunk.getColumnVector(2);
    const times = numbers(chunk, 3);
    const steps = numbers(chunk, 4);
    const excluded = exclusions === undefined ? undefined : numbers(chunk, exclusions);
    const texts = breakdown === undefined ? undefined : chunk.getColumnVector(breakdown);
    for (let row = 0; row < rows; row++) {
      if (highs[row] !== high || lows[row] !== low) {
        high = highs[row]!;
        low = lows[row]!;
        pass.startUser(digests.getItem(row) as bigint);
      }
      const bits = steps[row]!;
      const code = Math.floor(bits / codeUnit);
      const text = texts === undefined ? (code === 0 ? null : (values[code - 1] ?? null)) : (texts.getItem(row) as string | null);
      pass.event(times[row]!, bits % codeUnit, excluded === undefined ? 0 : excluded[row]!, text);
    }
    // The event loop gets a turn every so many chunks: a part is read in one go otherwise.
    if (index % 64 === 63) await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

/** Folds one part's rows, the sorted table's and the appended ones merged in (user, time, id) order. */
async function foldPart(pass: FunnelPass, values: readonly (string | null)[], ...cursors: [Cursor, Cursor]): Promise<void> {
  let high = -1;
  let low = -1;
  let chunks = 0;
  for (;;) {
    const [first, second] = cursors as [Cursor, Cursor];
    const cursor = first.done ? second : second.done || first.compare(second) <= 0 ? first : second;
    if (cursor.done) break;
    if (cursor.high !== high || cursor.low !== low) {
      high = cursor.high;
      low = cursor.low;
      pass.startUser(cursor.item(2) as bigint);
    }
    const steps = cursor.item(4) as number;
    const { exclusions, breakdown } = cursor.columns;
    const code = Math.floor(steps / codeUnit);
    const text = breakdown === undefined ? (code === 0 ? null : (values[code - 1] ?? null)) : (cursor.item(breakdown) as string | null);
    pass.event(cursor.time, steps % codeUnit, exclusions === undefined ? 0 : (cursor.item(exclusions) as number), text);
    // The event loop gets a turn every so many chunks: a part is read in one go otherwise.
    if (cursor.advance() && ++chunks % 64 === 0) await new Promise<void>((resolve) => setImmediate(resolve));
  }
}
