/**
 * The ClickHouse dialect without a server: the one escaping function, and SQL for newer servers
 * kept behind the capability check (the end-to-end suite runs the 18.16 forms on a real server).
 */
import { describe, expect, it } from 'vitest';
import { parseQuery } from '../domain/query-model.js';
import { baseline, capabilitiesOf } from '../store/clickhouse/dialect.js';
import { compileQuery } from '../store/clickhouse/query-sql.js';
import { sqlLiteral } from '../store/clickhouse/schema.js';

describe('sqlLiteral, the one place values enter ClickHouse SQL', () => {
  it('escapes quotes and backslashes, and refuses what is not a finite value', () => {
    expect(sqlLiteral("o'brien")).toBe("'o\\'brien'");
    expect(sqlLiteral('a\\\'); DROP TABLE events; --')).toBe("'a\\\\\\'); DROP TABLE events; --'");
    expect(sqlLiteral(12.5)).toBe('12.5');
    expect(sqlLiteral(true)).toBe('1');
    expect(sqlLiteral(null)).toBe('NULL');
    expect(() => sqlLiteral(Number.NaN)).toThrow(/finite/);
  });
});

describe('capabilities', () => {
  it('reads them from the server version', () => {
    expect(capabilitiesOf('18.16.1')).toEqual({ jsonFunctions: false });
    expect(capabilitiesOf('19.3.9')).toEqual({ jsonFunctions: false });
    expect(capabilitiesOf('19.4.0.49')).toEqual({ jsonFunctions: true });
    expect(capabilitiesOf('24.8.4.13')).toEqual({ jsonFunctions: true });
  });

  it('uses JSON functions only where the server has them', () => {
    const query = parseQuery({ groupBy: [{ field: 'vars.country' }], where: [{ field: 'attributes.plan', op: 'eq', value: 'pro' }] });
    const old = compileQuery('default', query, baseline);
    expect(old).toContain("visitParamExtractRaw(context_vars, 'country')");
    expect(old).not.toContain('JSONExtract');
    const current = compileQuery('default', query, { jsonFunctions: true });
    expect(current).toContain("JSONExtractRaw(context_vars, 'country')");
    expect(current).toContain("JSONExtractRaw(attributes, 'plan')");
    expect(current).not.toContain('visitParam');
  });
});
