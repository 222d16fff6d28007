/** The tests' private ClickHouse server: the one the benchmarks start too (bench/lib/clickhouse-server.mjs). */
export { type ClickHouseServer, startClickHouse } from '../../../bench/lib/clickhouse-server.mjs';
