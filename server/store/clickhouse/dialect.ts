/**
 * ClickHouse's SQL for the shared compiler (store/sql/), written to run on 18.16: no query
 * parameters, so every value goes through `sqlLiteral` (schema.ts), the one audited escaping
 * function. Each expression gives exactly what the DuckDB dialect gives: interpolated percentiles,
 * NULL for a missing JSON member, the same time buckets (UTC) and the same 64-bit entity hash (the
 * first 8 bytes of MD5, `halfMD5`), so both stores answer alike.
 */
import type { TimeGrain } from '../../domain/query-model.js';
import type { Dialect } from '../sql/dialect.js';
import { sqlLiteral } from './schema.js';

/** Every read deduplicates: a ReplacingMergeTree merges repeated ids only eventually. */
export const EVENTS = 'events FINAL';

/**
 * What the server can do beyond 18.16, probed once per store (`capabilitiesOf(version())`): SQL
 * that only newer servers run stays behind these flags, and the 18.16 form is the default.
 */
export interface Capabilities {
  /** JSONExtract* (19.x): members found by parsing, so a nested object's same-named key is never read instead. */
  jsonFunctions: boolean;
}

export const baseline: Capabilities = { jsonFunctions: false };

/** The capabilities of a server version (`18.16.1`, `24.8.4.13`). */
export function capabilitiesOf(version: string): Capabilities {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  return { jsonFunctions: major > 19 || (major === 19 && minor >= 4) };
}

const seconds = 'toDateTime(intDiv(ts, 1000))';
const grains: Record<TimeGrain, string> = {
  minute: `toStartOfMinute(${seconds})`,
  '5 minutes': `toStartOfFiveMinute(${seconds})`,
  hour: `toStartOfHour(${seconds})`,
  day: `toStartOfDay(${seconds})`,
  // DuckDB's 7-day buckets start on Mondays (its origin is Monday 2000-01-03).
  week: `toDateTime(toMonday(${seconds}))`,
};

/** A JSON member as DuckDB's json_extract_string gives it: strings unquoted, other values as JSON text, null as NULL. */
function jsonMember(column: string, key: string, capabilities: Capabilities): string {
  if (capabilities.jsonFunctions) {
    const raw = `JSONExtractRaw(${column}, ${sqlLiteral(key)})`;
    return `if(${raw} IN ('', 'null'), NULL, if(substring(${raw}, 1, 1) = '"', JSONExtractString(${column}, ${sqlLiteral(key)}), ${raw}))`;
  }
  const raw = `visitParamExtractRaw(${column}, ${sqlLiteral(key)})`;
  return `if(visitParamHas(${column}, ${sqlLiteral(key)}) AND ${raw} != 'null', if(substring(${raw}, 1, 1) = '"', visitParamExtractString(${column}, ${sqlLiteral(key)}), ${raw}), NULL)`;
}

/** quantile_cont of an array's non-NULL values: linear interpolation between the two nearest ranks. */
export function interpolatedQuantileOf(array: string, fraction: number): string {
  const sorted = `arraySort(arrayFilter(x -> isNotNull(x), ${array}))`;
  const position = `(${fraction} * (length(${sorted}) - 1))`;
  const low = `arrayElement(${sorted}, toUInt64(floor(${position})) + 1)`;
  const high = `arrayElement(${sorted}, toUInt64(ceil(${position})) + 1)`;
  return `if(length(${sorted}) = 0, NULL, ${low} + (${position} - floor(${position})) * (${high} - ${low}))`;
}

/** The 64-bit entity hash both stores digest (DuckDB: the first 16 hex digits of md5). */
export function entityHash(expression: string): string {
  return `halfMD5(${expression})`;
}

/** ClickHouse's dialect for a server with these capabilities. */
export function clickHouseDialect(capabilities: Capabilities = baseline): Dialect {
  return {
    events: EVENTS,
    numberedParameters: false,
    literal: sqlLiteral,
    // `name` is stored as '' when absent; the model reads it as NULL, as DuckDB stores it.
    column: (name) => (name === 'name' ? "nullIf(name, '')" : name),
    jsonMember: (column, key) => jsonMember(column, key, capabilities),
    toNumber: (expression) => `toFloat64OrNull(toString(${expression}))`,
    toText: (expression) => `toString(${expression})`,
    distinctFrom: (a, b) => `(isNull(${a}) OR ${a} != ${b})`,
    startsWith: (text, prefix) => `startsWith(${text}, ${prefix})`,
    containsIgnoringCase: (text, part) => `position(lowerUTF8(${text}), lowerUTF8(${part})) > 0`,
    isTrue: (condition) => `ifNull(${condition}, 0)`,
    // `ts` is already milliseconds.
    epochMilliseconds: (expression) => expression,
    timestamp: (milliseconds) => milliseconds,
    timeBucket: (grain) => `toUInt64(${grains[grain]}) * 1000`,
    // uniqExact of only NULLs is NULL in ClickHouse; DuckDB's count(DISTINCT) is 0.
    countDistinct: (expression) => `ifNull(uniqExact(${expression}), 0)`,
    percentile: (expression, fraction) => interpolatedQuantileOf(`groupArray(${expression})`, fraction),
    largest: (expression, count) => `arraySlice(arrayReverseSort(groupArray(${expression})), 1, ${count})`,
    xorAsText: (expression) => `toString(groupBitXor(${expression}))`,
    entityKey: entityHash,
    entityHashIsPortable: true,
    portableHash: entityHash,
    // The key only has to come back unchanged (onlyGroups), so any injective text of the labels does.
    labelKey: (columns) => (columns.length === 0 ? "'[]'" : `concat(${columns.map((column) => `ifNull(hex(toString(${column})), 'N')`).join(", '.', ")}, '')`),
    latestAsJson: (value, time, count) => `concat('[', arrayStringConcat(arraySlice(arrayMap(x -> x.2, arrayReverseSort(x -> x.1, groupArray((${time}, ${value})))), 1, ${count}), ','), ']')`,
    notNull: (expression) => `assumeNotNull(${expression})`,
  };
}
