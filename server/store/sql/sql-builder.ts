/**
 * The query model's parts → SQL, once for every store: fields, filters, dimensions, aggregates, the
 * time range, the cohort join and the `unless` inversion, over a Dialect. Every value enters
 * through `value` (a numbered parameter, or an escaped literal where the dialect has no
 * parameters); the only text spliced in comes from fixed tables (the model's column allowlist,
 * time grains, function names), never from the query.
 */
import type { Aggregate, Cohort, Dimension, EventQuery, Field, Filter, FilterValue } from '../../domain/query-model.js';
import { jsonColumns } from '../../domain/query-model.js';
import type { Dialect, SqlValue } from './dialect.js';

/** A statement and the values its numbered parameters (`$1`, `$2`, …) bind, in that order. */
export interface CompiledQuery {
  sql: string;
  parameters: SqlValue[];
}

const percentiles: Record<string, number> = { p50: 0.5, p90: 0.9, p99: 0.99 };

export class SqlBuilder {
  readonly parameters: SqlValue[] = [];

  constructor(readonly dialect: Dialect) {}

  /** A value as SQL: the next numbered parameter, or its literal. */
  value(value: SqlValue): string {
    if (!this.dialect.numberedParameters) return this.dialect.literal(value);
    this.parameters.push(value);
    return `$${this.parameters.length}`;
  }

  /** The statement with this builder's parameters. */
  compiled(sql: string): CompiledQuery {
    return { sql, parameters: this.parameters };
  }

  field(field: Field): string {
    if ('column' in field) return this.dialect.column(field.column);
    return this.dialect.jsonMember(jsonColumns[field.json], field.key, (value) => this.value(value));
  }

  numeric(field: Field): string {
    return this.dialect.toNumber(this.field(field));
  }

  /** The comparison is numeric when every value is a number, textual otherwise. */
  filter(filter: Filter): string {
    const { dialect } = this;
    const values = Array.isArray(filter.value) ? filter.value : [filter.value];
    const numeric = values.every((value) => typeof value === 'number');
    const expression = numeric ? this.numeric(filter.field) : dialect.toText(this.field(filter.field));
    const operand = (value: FilterValue) => this.value(numeric ? value : String(value));
    switch (filter.op) {
      case 'eq': return `${expression} = ${operand(values[0]!)}`;
      case 'ne': return dialect.distinctFrom(expression, operand(values[0]!));
      case 'lt': return `${expression} < ${operand(values[0]!)}`;
      case 'lte': return `${expression} <= ${operand(values[0]!)}`;
      case 'gt': return `${expression} > ${operand(values[0]!)}`;
      case 'gte': return `${expression} >= ${operand(values[0]!)}`;
      case 'prefix': return dialect.startsWith(expression, this.value(String(values[0])));
      case 'contains': return dialect.containsIgnoringCase(expression, this.value(String(values[0])));
      case 'in': return `${expression} IN (${values.map(operand).join(', ')})`;
    }
  }

  dimension(dimension: Dimension): string {
    if ('time' in dimension) return this.dialect.timeBucket(dimension.time);
    // A bin's label is its lower bound.
    if (dimension.bin !== undefined) return `floor(${this.numeric(dimension.field)} / ${this.value(dimension.bin)}) * ${this.value(dimension.bin)}`;
    return this.field(dimension.field);
  }

  aggregate(aggregate: Aggregate): string {
    switch (aggregate.fn) {
      case 'count': return 'count(*)';
      case 'users': return this.dialect.countDistinct(this.dialect.column('user_id'));
      case 'sum': return `sum(${this.numeric(aggregate.field)})`;
      case 'avg': return `avg(${this.numeric(aggregate.field)})`;
      case 'min': return `min(${this.numeric(aggregate.field)})`;
      case 'max': return `max(${this.numeric(aggregate.field)})`;
      default: return this.dialect.percentile(this.numeric(aggregate.field), percentiles[aggregate.fn]!);
    }
  }

  /** `ts` within [from, to), either bound optional. */
  timeRange(from: number | undefined, to: number | undefined): string[] {
    const conditions: string[] = [];
    if (from !== undefined) conditions.push(`ts >= ${this.dialect.timestamp(this.value(from))}`);
    if (to !== undefined) conditions.push(`ts < ${this.dialect.timestamp(this.value(to))}`);
    return conditions;
  }

  where(project: string, query: EventQuery, extra: string[] = []): string {
    const conditions = [`project = ${this.value(project)}`, ...this.timeRange(query.from, query.to)];
    for (const filter of query.where) conditions.push(this.filter(filter));
    if (query.cohort !== undefined) conditions.push(this.cohort(project, query.cohort));
    if (query.unless !== undefined) {
      // A condition that is NULL on a row (a missing JSON key) excludes the row: NOT of it keeps it.
      const unless = query.unless;
      const parts = this.timeRange(unless.from, unless.to);
      for (const filter of unless.where) parts.push(this.filter(filter));
      if (unless.cohort !== undefined) parts.push(this.cohort(project, unless.cohort));
      if (parts.length > 0) conditions.push(`NOT ${this.dialect.isTrue(`(${parts.join(' AND ')})`)}`);
    }
    return [...conditions, ...extra].join(' AND ');
  }

  /** The join on users: a semi-join, which both stores run as a hash join on user_id. */
  cohort(project: string, cohort: Cohort): string {
    const user = this.dialect.column('user_id');
    const inner = [`project = ${this.value(project)}`, `${user} IS NOT NULL`, `name = ${this.value(cohort.name)}`, ...this.timeRange(cohort.from, cohort.to)];
    for (const filter of cohort.where) inner.push(this.filter(filter));
    return `${user} IN (SELECT ${user} FROM ${this.dialect.events} WHERE ${inner.join(' AND ')})`;
  }
}
