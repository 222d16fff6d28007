/**
 * Funnels over the `user_events` layout (derived-layouts.ts): DuckDB reads the narrow rows of the
 * funnel's event names, in (user, time, id) order, as numbers (the user key in two 32-bit halves,
 * time, step and exclusion bits) plus the breakdown text where an attempt can start, and Node
 * folds each user into the cells in one pass (analytics/funnel-pass.ts). Funnels the layout cannot
 * answer (step filters on other columns, strict order, which needs every event of a user, another
 * entity or breakdown column) are left to the SQL over `events`.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { FunnelPass } from '../../analytics/funnel-pass.js';
import type { FunnelCell } from '../../analytics/funnel.js';
import type { FunnelQuery } from '../../analytics/funnel-model.js';
import type { CompiledQuery } from './query-sql.js';

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

/** The rows of one funnel pass: high, low (the user key), digest, time, steps, exclusions, breakdown. */
export function compileFunnelPassRows(project: string, funnel: FunnelQuery): CompiledQuery {
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
  const sql = `SELECT (user_key >> 32)::UINTEGER AS high, (user_key & 4294967295)::UINTEGER AS low, digest, epoch_ms(ts)::DOUBLE AS time,
      (${steps})::INTEGER AS steps, (${exclusions})::INTEGER AS exclusions, ${breakdownText} AS breakdown
    FROM user_events WHERE ${conditions.join(' AND ')}
    ORDER BY user_key, ts, id`;
  return { sql, parameters };
}

/** Streams the funnel's rows from the layout through one pass; returns its cells. */
export async function funnelCellsFromLayout(connection: DuckDBConnection, project: string, funnel: FunnelQuery): Promise<FunnelCell[]> {
  const { sql, parameters } = compileFunnelPassRows(project, funnel);
  const result = await connection.stream(sql, parameters);
  const pass = new FunnelPass(funnel);
  let high = -1;
  let low = -1;
  for (let chunk = await result.fetchChunk(); chunk !== null && chunk.rowCount > 0; chunk = await result.fetchChunk()) {
    const highs = chunk.getColumnVector(0);
    const lows = chunk.getColumnVector(1);
    const digests = chunk.getColumnVector(2);
    const times = chunk.getColumnVector(3);
    const stepBits = chunk.getColumnVector(4);
    const exclusionBits = chunk.getColumnVector(5);
    const breakdowns = chunk.getColumnVector(6);
    for (let row = 0; row < chunk.rowCount; row++) {
      const rowHigh = highs.getItem(row) as number;
      const rowLow = lows.getItem(row) as number;
      if (rowHigh !== high || rowLow !== low) {
        high = rowHigh;
        low = rowLow;
        pass.startUser(digests.getItem(row) as bigint);
      }
      pass.event(times.getItem(row) as number, stepBits.getItem(row) as number, exclusionBits.getItem(row) as number, breakdowns.getItem(row) as string | null);
    }
  }
  return pass.cells();
}
