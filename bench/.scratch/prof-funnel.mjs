import { DuckDBInstance } from '@duckdb/node-api';
import { compileSequentialFunnelCells } from '/work/main/server/dist/store/duckdb/query-sql.js';
const instance = await DuckDBInstance.create('/tmp/bench-an-10m/events.duckdb');
const c = await instance.connect();
const funnel = { steps: [{ name: 'cart viewed', where: [] }, { name: 'checkout started', where: [] }, { name: 'order placed', where: [] }], window: 3_600_000, order: 'sequential', exclusions: [], breakdown: { json: 'experiments', key: 'checkout-v2' } };
const { sql, parameters } = compileSequentialFunnelCells('default', funnel, 'user_id');
let inlined = sql; for (const p of parameters) inlined = inlined.replace('?', typeof p === 'string' ? `'${p}'` : String(p));
for (let i = 0; i < 2; i++) { const t = performance.now(); await c.runAndReadAll(inlined); console.log('run', performance.now() - t); }
const r = await c.runAndReadAll('EXPLAIN ANALYZE ' + inlined);
console.log(r.getRows().map(x => x[1]).join('\n'));
