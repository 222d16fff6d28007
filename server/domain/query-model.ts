/**
 * The query model: a typed description of a question about stored events, never SQL text. Fields
 * are named, not spliced: a column (`severity`, `module`, `user_id`, ...), or a path into a JSON
 * column (`attributes.orderId`, `vars.requestId`, `experiments.checkout-v2`). Values travel as
 * parameters. `parseQuery` checks untrusted JSON (from the HTTP API or the CLI) into this shape.
 */
import { severityNumbers } from 'logmill';
import { QueryError } from './query-error.js';

export const columns = [
  'id', 'kind', 'name', 'severity', 'severity_number', 'template', 'message', 'user_id', 'session_id', 'module',
  'file', 'line', 'function_name', 'error_type', 'service', 'trace_id', 'span_id',
] as const;
export type Column = (typeof columns)[number];

/** JSON columns whose members can be addressed as `prefix.key`. */
export const jsonColumns = { attributes: 'attributes', vars: 'context_vars', experiments: 'experiments' } as const;

export type Field = { column: Column } | { json: keyof typeof jsonColumns; key: string };

export type FilterOperator = 'eq' | 'ne' | 'lt' | 'lte' | 'gt' | 'gte' | 'prefix' | 'contains' | 'in';
export type FilterValue = string | number | boolean;

export interface Filter {
  field: Field;
  op: FilterOperator;
  value: FilterValue | FilterValue[];
}

export const timeGrains = ['minute', '5 minutes', 'hour', 'day', 'week'] as const;
export type TimeGrain = (typeof timeGrains)[number];

/** Each time grain's width: a bucket holds [start, start + width). */
export const grainMilliseconds: Record<TimeGrain, number> = {
  minute: 60_000, '5 minutes': 300_000, hour: 3_600_000, day: 86_400_000, week: 604_800_000,
};

/** A field, optionally in numeric bins (money-style widths: 1, 2 or 5 × 10ⁿ), or a time grain. */
export type Dimension = { field: Field; bin?: number } | { time: TimeGrain };

/** 1, 2 or 5 times a power of ten, from 0.01 to 10¹²: the bin widths people read easily. */
export function isMoneyStyleBin(width: number): boolean {
  if (!(width >= 0.01 && width <= 1e12)) return false;
  const exponent = Math.floor(Math.log10(width) + 1e-9);
  const mantissa = width / 10 ** exponent;
  return [1, 2, 5].some((allowed) => Math.abs(mantissa - allowed) < 1e-9);
}

export type Aggregate =
  | { fn: 'count' }
  | { fn: 'users' }
  | { fn: 'sum' | 'avg' | 'min' | 'max' | 'p50' | 'p90' | 'p99'; field: Field };

/** Users who did `name` (matching `where`) between `from` and `to`: a query restricted to them joins on the user. */
export interface Cohort {
  name: string;
  where: Filter[];
  from?: number;
  to?: number;
}

export interface EventQuery {
  /** Only events of users in this cohort. */
  cohort?: Cohort;
  /** Milliseconds since the epoch, inclusive. */
  from?: number;
  /** Milliseconds since the epoch, exclusive. */
  to?: number;
  where: Filter[];
  groupBy: Dimension[];
  aggregates: Aggregate[];
  /** Most rows returned (default 1000, at most 10,000). */
  limit: number;
  /**
   * Internal, never parsed from outside: only rows that do NOT match all of these. The privacy
   * guard asks with one condition turned around to count the people that condition excludes.
   */
  unless?: { where: Filter[]; from?: number; to?: number; cohort?: Cohort };
}

/** The answer to an EventQuery, as readers get it. */
export interface QueryAnswer {
  /** True for `direct` readers: no noise, no suppression. */
  exact: boolean;
  /** Dimension names, then aggregate names. */
  columns: string[];
  rows: Record<string, unknown>[];
  /** Per row, the noise's standard deviation for each aggregate (0 when exact). */
  noiseSd: Record<string, number>[];
  /** Groups too small to show on their own (guarded answers only). */
  suppressedGroups: number;
}

const columnSet = new Set<string>(columns);
const operators = new Set<string>(['eq', 'ne', 'lt', 'lte', 'gt', 'gte', 'prefix', 'contains', 'in']);
const numericFunctions = new Set(['sum', 'avg', 'min', 'max', 'p50', 'p90', 'p99']);

function invalid(message: string, path?: string): QueryError {
  return new QueryError('invalid_query', path === undefined ? message : `${path}: ${message}`, path === undefined ? {} : { path });
}

/** `severity`, `attributes.orderId`, `vars.requestId`, `experiments.checkout-v2` → a Field. */
export function parseField(name: unknown): Field {
  if (typeof name !== 'string' || name.length === 0 || name.length > 200) throw invalid('a field must be a non-empty string of at most 200 characters');
  if (columnSet.has(name)) return { column: name as Column };
  if (name === 'userId') return { column: 'user_id' };
  const dot = name.indexOf('.');
  const prefix = dot < 0 ? name : name.slice(0, dot);
  if (dot > 0 && prefix in jsonColumns && dot < name.length - 1) return { json: prefix as keyof typeof jsonColumns, key: name.slice(dot + 1) };
  throw invalid(`unknown field "${name}": use a column (${columns.join(', ')}) or attributes.KEY, vars.KEY, experiments.NAME`);
}

export function fieldName(field: Field): string {
  return 'column' in field ? field.column : `${field.json}.${field.key}`;
}

function parseValue(value: unknown): FilterValue {
  if (typeof value === 'string' && value.length <= 1000) return value;
  // Beyond ±2^53 a number is no longer exact, and integer columns cannot be compared with it.
  if (typeof value === 'number' && Number.isFinite(value) && Math.abs(value) <= Number.MAX_SAFE_INTEGER) return value;
  if (typeof value === 'boolean') return value;
  throw invalid(`a filter value must be a string (at most 1000 characters), a number within ±${Number.MAX_SAFE_INTEGER} or a boolean`);
}

/** The last millisecond a query may name: 9999-12-31T23:59:59.999Z, inside every store's time type. */
export const latestQueryTime = 253_402_300_799_999;

function parseTime(value: unknown, name: string): number | undefined {
  if (value === undefined) return undefined;
  // A query string carries milliseconds as text: digits are milliseconds, anything else a date.
  const time = typeof value === 'string' ? (/^\d+$/.test(value) ? Number(value) : Date.parse(value)) : value;
  if (typeof time !== 'number' || !Number.isFinite(time)) throw invalid(`${name} must be milliseconds since the epoch or an ISO date`, `/${name}`);
  // Outside the years 1970 to 9999 a time overflows the stores' timestamps: the client's error.
  if (time < 0 || time > latestQueryTime) throw invalid(`${name} must be between 0 and ${latestQueryTime} milliseconds (1970 to 9999)`, `/${name}`);
  return Math.trunc(time);
}

/** Checks a query from outside (JSON) into the model; throws a QueryError naming the problem. */
export function parseQuery(input: unknown): EventQuery {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw invalid('the query must be a JSON object');
  const raw = input as Record<string, unknown>;
  const where = raw['where'] ?? [];
  const groupBy = raw['groupBy'] ?? [];
  const aggregates = raw['aggregates'] ?? [{ fn: 'count' }];
  if (!Array.isArray(where) || where.length > 20) throw invalid('where must be an array of at most 20 filters');
  if (!Array.isArray(groupBy) || groupBy.length > 5) throw invalid('groupBy must be an array of at most 5 dimensions');
  if (!Array.isArray(aggregates) || aggregates.length === 0 || aggregates.length > 10) throw invalid('aggregates must be an array of 1 to 10 aggregates');
  const query: EventQuery = {
    from: parseTime(raw['from'], 'from'),
    to: parseTime(raw['to'], 'to'),
    where: where.map((filter: unknown) => {
      if (typeof filter !== 'object' || filter === null) throw invalid(`where takes objects such as { "field": "severity", "value": "ERROR" }, not ${JSON.stringify(filter)}`);
      const { field, op = 'eq', value } = filter as Record<string, unknown>;
      if (typeof op !== 'string' || !operators.has(op)) throw invalid(`unknown filter operator "${String(op)}"`);
      if (op === 'in') {
        if (!Array.isArray(value) || value.length === 0 || value.length > 100) throw invalid('"in" takes an array of 1 to 100 values');
        return { field: parseField(field), op, value: value.map(parseValue) };
      }
      return { field: parseField(field), op: op as FilterOperator, value: parseValue(value) };
    }),
    groupBy: groupBy.map((dimension: unknown) => {
      // A bare name ("template") is the likeliest first try: the answer shows the object to write.
      if (typeof dimension !== 'object' || dimension === null) throw invalid(`groupBy takes objects such as { "field": ${JSON.stringify(typeof dimension === 'string' ? dimension : 'template')} } or { "time": "hour" }, not ${JSON.stringify(dimension)}`);
      const { field, time, bin } = dimension as Record<string, unknown>;
      if (time !== undefined) {
        if (!(timeGrains as readonly unknown[]).includes(time)) throw invalid(`time grains are ${timeGrains.join(', ')}`);
        return { time: time as TimeGrain };
      }
      if (bin !== undefined) {
        if (typeof bin !== 'number' || !isMoneyStyleBin(bin)) throw invalid('a bin width is 1, 2 or 5 times a power of ten (0.01 to 10^12)');
        return { field: parseField(field), bin };
      }
      return { field: parseField(field) };
    }),
    aggregates: aggregates.map((aggregate: unknown) => {
      if (typeof aggregate !== 'object' || aggregate === null) throw invalid(`aggregates take objects such as { "fn": ${JSON.stringify(typeof aggregate === 'string' ? aggregate : 'count')} }, not ${JSON.stringify(aggregate)}`);
      const { fn, field } = aggregate as Record<string, unknown>;
      if (fn === 'count' || fn === 'users') return { fn };
      if (typeof fn === 'string' && numericFunctions.has(fn)) return { fn: fn as 'sum', field: parseField(field) };
      throw invalid(`unknown aggregate "${String(fn)}": count, users, sum, avg, min, max, p50, p90, p99`);
    }),
    limit: Math.min(10_000, Math.max(1, Number.isInteger(raw['limit']) ? (raw['limit'] as number) : 1000)),
  };
  if (query.from !== undefined && query.to !== undefined && query.from >= query.to) throw invalid('from must be before to');
  if (raw['cohort'] !== undefined) {
    const cohort = (raw['cohort'] ?? {}) as Record<string, unknown>;
    if (typeof cohort['name'] !== 'string' || cohort['name'] === '' || cohort['name'].length > 200) throw invalid('a cohort names the event its users did');
    const range = parseQuery({ from: cohort['from'], to: cohort['to'], where: cohort['where'] ?? [] });
    query.cohort = { name: cohort['name'], where: range.where, from: range.from, to: range.to };
  }
  return query;
}

/** `field=value` (the CLI's `--where`) → an equality filter. */
export function parseWhere(text: string): Filter {
  const equals = text.indexOf('=');
  if (equals <= 0) throw invalid(`--where takes field=value, not "${text}"`);
  const raw = text.slice(equals + 1);
  return { field: parseField(text.slice(0, equals)), op: 'eq', value: raw };
}

/** `WARN` (any case) → its OpenTelemetry severity number, or a QueryError naming the levels. */
export function parseSeverity(text: string): number {
  const number = (severityNumbers as Record<string, number>)[text.toLowerCase()];
  if (number === undefined) throw invalid('severity is TRACE, DEBUG, INFO, WARN, ERROR or FATAL');
  return number;
}
