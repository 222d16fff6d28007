/**
 * What differs between the SQL of the stores, and only that: how values and JSON members enter a
 * statement, casts, a few functions, time, percentiles, arrays and the entity hash. The query
 * model compiles once (compile-query.ts, compile-events.ts) over this interface; duckdb/dialect.ts
 * and clickhouse/dialect.ts implement it.
 *
 * Arguments are SQL text that may hold numbered parameters (`$1`, `$2`, …): a parameter names its
 * value wherever it stands, so a dialect may repeat an argument and a statement may be assembled
 * in any order. A dialect without parameters (ClickHouse 18.16) writes values as escaped literals.
 */
import type { TimeGrain } from '../../domain/query-model.js';

/** A value a statement compares with or returns: what the query model and the stores bind. */
export type SqlValue = string | number | boolean;

export interface Dialect {
  /** The events table as reads name it (ClickHouse: `events FINAL`, deduplicated). */
  readonly events: string;
  /** True: values bind as numbered parameters. False: they are written as escaped literals. */
  readonly numberedParameters: boolean;
  /** A value written into the statement (dialects without parameters only). */
  literal(value: SqlValue): string;

  /** A column of the events table, named by the query model's allowlist or the configured entity. */
  column(name: string): string;
  /**
   * A member of a JSON column as text, as DuckDB's json_extract_string gives it: a string
   * unquoted, any other value as its JSON text, a missing member or JSON null as NULL. `bind`
   * turns the member's path into SQL.
   */
  jsonMember(column: string, key: string, bind: (value: SqlValue) => string): string;

  /** The expression as a double, NULL where it is not a number. */
  toNumber(expression: string): string;
  /** The expression as text. */
  toText(expression: string): string;
  /** `a` differs from `b`, a NULL `a` included. */
  distinctFrom(a: string, b: string): string;
  startsWith(text: string, prefix: string): string;
  /** `text` contains `part`, ignoring case. */
  containsIgnoringCase(text: string, part: string): string;
  /** TRUE where the condition is true, FALSE where it is false or NULL. */
  isTrue(condition: string): string;

  /** The stored time `ts` as milliseconds since the epoch. */
  epochMilliseconds(expression: string): string;
  /** Milliseconds since the epoch (a bound value) as something `ts` compares with. */
  timestamp(milliseconds: string): string;
  /** The start of `ts`'s bucket of `grain`, in milliseconds since the epoch (UTC; weeks start on Mondays). */
  timeBucket(grain: TimeGrain): string;

  /** Distinct non-NULL values; 0 when there are none. */
  countDistinct(expression: string): string;
  /** The interpolated `fraction` percentile of the non-NULL values (SQL's quantile_cont). */
  percentile(expression: string, fraction: number): string;
  /** The `count` largest values, descending, as an array. */
  largest(expression: string, count: number): string;
  /** The bitwise XOR of the values, as decimal text. */
  xorAsText(expression: string): string;
  /**
   * A 64-bit hash of the entity, cheap to group on. Where `entityHashIsPortable`, it is the
   * portable hash (ClickHouse's halfMD5), and digests XOR it directly; otherwise each distinct
   * entity's portableHash is joined to it (computed once per entity, not once per row).
   */
  entityKey(expression: string): string;
  readonly entityHashIsPortable: boolean;
  /** The first 8 bytes of the MD5 of the text, big-endian (ClickHouse's halfMD5): both stores digest alike. */
  portableHash(expression: string): string;
  /** Text identifying the labels in these columns, returned and sent back unchanged (onlyGroups). */
  labelKey(columns: readonly string[]): string;
  /** The JSON array of the `count` latest `value`s by `time`, newest first, as text. */
  latestAsJson(value: string, time: string, count: number): string;
  /** The entity column's value, known not to be NULL (ClickHouse would otherwise keep it Nullable). */
  notNull(expression: string): string;
}
