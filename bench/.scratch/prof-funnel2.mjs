import { DuckDBInstance } from '@duckdb/node-api';
import { compileSequentialFunnelCells } from '/work/main/server/dist/store/duckdb/query-sql.js';
const instance = await DuckDBInstance.create('/tmp/bench-an-10m/events.duckdb');
const c = await instance.connect();
const funnel = { steps: [{ name: 'cart viewed', where: [] }, { name: 'checkout started', where: [] }, { name: 'order placed', where: [] }], window: 3_600_000, order: 'sequential', exclusions: [], breakdown: { json: 'experiments', key: 'checkout-v2' } };
const { sql, parameters } = compileSequentialFunnelCells('default', funnel, 'user_id');
let inlined = sql; for (const p of parameters) inlined = inlined.replace('?', typeof p === 'string' ? `'${p}'` : String(p));
const variants = {
  base: inlined,
  hashed: inlined.replace('"user_id" AS user_key', 'hash("user_id") AS user_key').replace('bit_xor(hash(user_key))', 'bit_xor(user_key)'),
  hashedGlobal: inlined.replace('"user_id" AS user_key', 'hash("user_id") AS user_key').replace('bit_xor(hash(user_key))', 'bit_xor(user_key)').replace('row_number() OVER (PARTITION BY user_key ORDER BY time, id)', 'row_number() OVER (ORDER BY user_key, time, id)'),
  hashedHashId: inlined.replace('"user_id" AS user_key', 'hash("user_id") AS user_key').replace('bit_xor(hash(user_key))', 'bit_xor(user_key)').replace('ORDER BY time, id', 'ORDER BY time, hash(id)'),
  hashedNoId: inlined.replace('"user_id" AS user_key', 'hash("user_id") AS user_key').replace('bit_xor(hash(user_key))', 'bit_xor(user_key)').replace('ORDER BY time, id', 'ORDER BY time'),
};
for (const [name, q] of Object.entries(variants)) for (let i = 0; i < 2; i++) { const t = performance.now(); const r = await c.runAndReadAll(q); console.log(name, (performance.now() - t).toFixed(0), JSON.stringify(r.getRowObjectsJson().map(x=>[x.breakdown,x.step,x.users]).sort())); }
