/**
 * The parts (statistics-parts.ts) a guarded answer about a series reads from the derived layouts,
 * each once however many questions the guard asks of it:
 *
 * - by hour and severity: each group's row of `series_hourly`;
 * - by hour: each hour's row of `series_hours` (no condition on severity);
 * - by severity: the people of each severity counted whole per stretch between the answer's time
 *   bounds (`series_people`, where all of a person's rows of that severity fall in one stretch),
 *   and the rollup rows of those whose rows a bound cuts, per person and stretch;
 * - not grouped: the same per person over every severity (`series_users`; no condition on severity);
 * - the `*` row of an hourly series by severity: the rollup rows of the groups not shown, per person.
 *
 * Any other question is left to the store's SQL (undefined).
 */
import type { EventQuery } from '../../domain/query-model.js';
import { type GroupStatisticsOptions, type GroupStatisticsRow, merging } from '../row-mapping.js';
import type { StatisticsSession } from '../store.js';
import { type StatisticsPart, statisticsFromParts } from '../statistics-parts.js';
import { boundsOf, groupPairs, rollupServes, rollupServesVariants } from './rollup-sql.js';
import { sqlString } from './schema.js';
import { timestamp } from './rollup-sources.js';

type Read = (sql: string, parameters: readonly (string | number)[]) => Promise<Record<string, unknown>[]>;

const hour = 3_600_000;

function partOf(row: Record<string, unknown>, hourOf: (row: Record<string, unknown>) => number): StatisticsPart {
  const person = row['person'];
  const top = row['top'] as unknown[] | null | undefined;
  return {
    hour: hourOf(row),
    ...(typeof row['severity'] === 'string' ? { severity: row['severity'] } : {}),
    ...(person === null || person === undefined ? {} : { person: String(person) }),
    entities: Number(row['entities']),
    digest: String(row['digest'] ?? '0'),
    events: Number(row['events']),
    top: top === null || top === undefined ? [Number(row['events'])] : top.map(Number).sort((a, b) => b - a),
    firstMs: Number(row['first_ms']),
    lastMs: Number(row['last_ms']),
  };
}

export class SeriesParts implements StatisticsSession {
  readonly #parts = new Map<string, Promise<StatisticsPart[]>>();
  readonly #hiddenKinds = new Map<object, { name: string; read: () => Promise<StatisticsPart[]> }>();
  /** The answer's time bounds, ascending: a stretch is the hours with as many bounds at or below them. */
  readonly #bounds: number[];

  private constructor(
    private readonly read: Read,
    private readonly project: string,
    bounds: readonly number[],
  ) {
    this.#bounds = [...new Set(bounds)].sort((a, b) => a - b);
  }

  /** A session for a guarded answer to `query`, if the layouts hold what it asks about. */
  static for(read: Read, project: string, query: EventQuery, entity: string): SeriesParts | undefined {
    if (entity !== 'user_id' || !rollupServes(query)) return undefined;
    return new SeriesParts(read, project, boundsOf(query));
  }

  async groupStatistics(query: EventQuery, options: GroupStatisticsOptions): Promise<GroupStatisticsRow[] | undefined> {
    const kind = this.#kindOf(query, options);
    if (kind === undefined) return undefined;
    // A row of series_hourly or series_hours is a group of its own, of people counted whole.
    return statisticsFromParts(query, options, await this.#partsOf(kind.name, kind.read), kind.name === 'hourly' || kind.name === 'hours');
  }

  #partsOf(name: string, read: () => Promise<StatisticsPart[]>): Promise<StatisticsPart[]> {
    let parts = this.#parts.get(name);
    if (parts === undefined) this.#parts.set(name, (parts = read()));
    return parts;
  }

  #kindOf(query: EventQuery, options: GroupStatisticsOptions): { name: string; read: () => Promise<StatisticsPart[]> } | undefined {
    if (!rollupServes(query) || (options.variants !== undefined && !rollupServesVariants(options.variants))) return undefined;
    const times = query.groupBy.filter((dimension) => 'time' in dimension);
    if (times.some((dimension) => dimension.time !== 'hour') || times.length > 1 || query.groupBy.length - times.length > 1) return undefined;
    const severityFilters = [...query.where, ...(query.unless?.where ?? []), ...(options.variants?.conditions ?? []).flatMap((condition) => condition.where)].length > 0;
    const ownBounds = boundsOf(query, options.variants).every((bound) => this.#bounds.includes(bound));
    const bySeverity = query.groupBy.length > times.length;
    if (times.length === 1 && bySeverity) {
      if (!merging(options)) return { name: 'hourly', read: () => this.#hourly() };
      if (options.onlyGroups !== undefined || options.exceptGroups === undefined) return undefined;
      // The guard asks about the same groups left out (one list) in each step of a merged row.
      const known = this.#hiddenKinds.get(options.exceptGroups);
      if (known !== undefined) return known;
      const excepted = options.exceptGroups.filter((entry) => entry.keys.length > 0);
      const pairs = excepted.map((entry) => (entry.keep === 2 ? groupPairs(query, entry.keys) : undefined));
      if (pairs.length === 0 || pairs.some((each) => each === undefined)) return undefined;
      const shown = pairs as [number, string][][];
      const kind = { name: `hidden ${this.#hiddenKinds.size}`, read: () => this.#hidden(shown) };
      this.#hiddenKinds.set(options.exceptGroups, kind);
      return kind;
    }
    if (merging(options)) return undefined;
    if (times.length === 1) return severityFilters ? undefined : { name: 'hours', read: () => this.#hours() };
    if (!ownBounds) return undefined;
    if (bySeverity) return { name: 'people', read: () => this.#people('series_people', ['severity']) };
    return severityFilters ? undefined : { name: 'users', read: () => this.#people('series_users', []) };
  }

  async #hourly(): Promise<StatisticsPart[]> {
    const rows = await this.read(`SELECT epoch_ms(hour) AS hour, severity, entities, entity_digest::VARCHAR AS digest, entity_events AS events, top, epoch_ms(first_ts) AS first_ms, epoch_ms(last_ts) AS last_ms
      FROM series_hourly WHERE project = ? AND entities > 0 ORDER BY hour, severity`, [this.project]);
    return rows.map((row) => partOf(row, (each) => Number(each['hour'])));
  }

  async #hours(): Promise<StatisticsPart[]> {
    const rows = await this.read(`SELECT epoch_ms(hour) AS hour, entities, entity_digest::VARCHAR AS digest, entity_events AS events, top, epoch_ms(first_ts) AS first_ms, epoch_ms(last_ts) AS last_ms
      FROM series_hours WHERE project = ? AND entities > 0 ORDER BY hour`, [this.project]);
    return rows.map((row) => partOf(row, (each) => Number(each['hour'])));
  }

  /**
   * The rollup rows, per person, of the groups with people that no `shown` pair names (those of
   * the hourly parts, every group of `series_hourly` with people): usually few, named to the scan
   * as a list it prunes the rollup's hours by.
   */
  async #hidden(shown: readonly (readonly [number, string])[][]): Promise<StatisticsPart[]> {
    const named = new Set(shown.flat().map(([time, severity]) => JSON.stringify([time, severity])));
    const hidden = (await this.#partsOf('hourly', () => this.#hourly())).filter((part) => !named.has(JSON.stringify([part.hour, part.severity])));
    // Read even when every group shows (a list that names none): the reads must not tell whether any was hidden.
    const groups = hidden.length === 0
      ? '(SELECT NULL::TIMESTAMP_MS AS hour, NULL::VARCHAR AS severity WHERE FALSE) AS hidden'
      : `(VALUES ${hidden.map((part) => `(${timestamp(part.hour)}, ${sqlString(part.severity!)})`).join(', ')}) AS hidden(hour, severity)`;
    const rows = await this.read(`SELECT epoch_ms(r.hour) AS hour, r.severity, r.user_key::VARCHAR AS person, 1 AS entities, r.digest::VARCHAR AS digest, r.events, epoch_ms(r.first_ts) AS first_ms, epoch_ms(r.last_ts) AS last_ms
      FROM series_rollup r SEMI JOIN ${groups} ON r.hour = hidden.hour AND r.severity = hidden.severity
      WHERE r.project = ? AND r.user_key IS NOT NULL`, [this.project]);
    return rows.map((row) => partOf(row, (each) => Number(each['hour'])));
  }

  /** The stretch (0 before the first bound) of the hour `column` falls in. */
  #stretch(column: string): string {
    return this.#bounds.length === 0 ? '0' : `(${this.#bounds.map((bound) => `(${column} >= ${timestamp(bound)})::INTEGER`).join(' + ')})`;
  }

  /** An hour in stretch `index`: on the same side of every bound as each hour of it. */
  #hourIn(index: number): number {
    return index === 0 ? (this.#bounds[0] ?? hour) - hour : this.#bounds[index - 1]!;
  }

  /**
   * From a per-person layout (`table`, with the `keys` besides the user): per key and stretch, the
   * people whose rows all fall in it, counted whole; and per person and stretch, the rollup rows of
   * those whose rows a bound cuts.
   */
  async #people(table: string, keys: readonly string[]): Promise<StatisticsPart[]> {
    const columns = keys.map((key) => `${key}, `).join('');
    const whole = `SELECT ${columns}${this.#stretch('first_ts')} AS stretch, NULL AS person, count(*) AS entities, bit_xor(digest)::VARCHAR AS digest, sum(events)::BIGINT AS events,
        max(events, 6) AS top, epoch_ms(min(first_ts)) AS first_ms, epoch_ms(max(last_ts)) AS last_ms
      FROM ${table} WHERE project = ? AND ${this.#stretch('first_ts')} = ${this.#stretch('last_ts')} GROUP BY ${columns}stretch`;
    const cut = `SELECT ${keys.map((key) => `r.${key}, `).join('')}${this.#stretch('r.hour')} AS stretch, r.user_key::VARCHAR AS person, 1 AS entities, any_value(r.digest)::VARCHAR AS digest, sum(r.events)::BIGINT AS events,
        NULL AS top, epoch_ms(min(r.first_ts)) AS first_ms, epoch_ms(max(r.last_ts)) AS last_ms
      FROM series_rollup r SEMI JOIN (SELECT ${columns}user_key FROM ${table} WHERE project = ? AND ${this.#stretch('first_ts')} <> ${this.#stretch('last_ts')}) AS cut
        ON ${[...keys, 'user_key'].map((key) => `r.${key} = cut.${key}`).join(' AND ')}
      WHERE r.project = ? GROUP BY ${keys.map((key) => `r.${key}, `).join('')}stretch, r.user_key`;
    const rows = this.#bounds.length === 0 ? await this.read(whole, [this.project]) : await this.read(`${whole} UNION ALL ${cut}`, [this.project, this.project, this.project]);
    return rows.map((row) => partOf(row, (each) => this.#hourIn(Number(each['stretch']))));
  }
}
