/**
 * DuckDB's SQL for the shared compiler (store/sql/): values as numbered parameters, JSON members
 * by RFC 6901 pointer (a parameter too), quoted column names, TIMESTAMP `ts`.
 */
import type { TimeGrain } from '../../domain/query-model.js';
import type { Dialect } from '../sql/dialect.js';

const grains: Record<TimeGrain, string> = {
  minute: "INTERVAL '1 minute'",
  '5 minutes': "INTERVAL '5 minutes'",
  hour: "INTERVAL '1 hour'",
  day: "INTERVAL '1 day'",
  week: "INTERVAL '7 days'",
};

/** A JSON pointer for one key: `/` and `~` escaped as RFC 6901 says. */
function pointer(key: string): string {
  return `/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
}

/** The first 8 bytes of the MD5 of `expression`, big-endian, as ClickHouse's halfMD5 gives them. */
export function portableHash(expression: string): string {
  return `('0x' || left(md5(${expression}), 16))::UBIGINT`;
}

export const duckdbDialect: Dialect = {
  events: 'events',
  numberedParameters: true,
  literal() {
    throw new Error('DuckDB statements bind every value as a parameter');
  },
  column: (name) => `"${name}"`,
  jsonMember: (column, key, bind) => `json_extract_string(${column}, ${bind(pointer(key))})`,
  toNumber: (expression) => `TRY_CAST(${expression} AS DOUBLE)`,
  toText: (expression) => `CAST(${expression} AS VARCHAR)`,
  distinctFrom: (a, b) => `${a} IS DISTINCT FROM ${b}`,
  startsWith: (text, prefix) => `starts_with(${text}, ${prefix})`,
  containsIgnoringCase: (text, part) => `contains(lower(${text}), lower(${part}))`,
  isTrue: (condition) => `COALESCE(${condition}, FALSE)`,
  epochMilliseconds: (expression) => `epoch_ms(${expression})`,
  timestamp: (milliseconds) => `epoch_ms(${milliseconds}::BIGINT)`,
  timeBucket: (grain) => `epoch_ms(time_bucket(${grains[grain]}, ts))`,
  countDistinct: (expression) => `count(DISTINCT ${expression})`,
  percentile: (expression, fraction) => `quantile_cont(${expression}, ${fraction})`,
  largest: (expression, count) => `max(${expression}, ${count})`,
  xorAsText: (expression) => `bit_xor(${expression})::VARCHAR`,
  // DuckDB's own hash: several times cheaper than md5 per row; the portable hash is joined per entity.
  entityKey: (expression) => `hash(${expression})`,
  entityHashIsPortable: false,
  portableHash,
  labelKey: (columns) => (columns.length === 0 ? "'[]'" : `json_array(${columns.join(', ')})::VARCHAR`),
  latestAsJson: (value, time, count) => `to_json(list(${value} ORDER BY ${time} DESC)[1:${count}])`,
  notNull: (expression) => expression,
};
