/** @logmill/server: the collector and its stores, for embedding and tests. */
export { type Collector, createCollector } from './collector/app.js';
export { type CollectorConfig, type ConfigSources, loadConfig, newKey } from './collector/config.js';
export type { AccessLevel } from './domain/access-level.js';
export type { KeysConfig, KeyRole } from './collector/keys.js';
export { type IngestLimits, defaultLimits } from './collector/limits.js';
export { type ScrubOptions, type ScrubRule, Scrubber, luhnValid } from './collector/scrub.js';
export type { EventRow } from './domain/event-row.js';
export type { LoadListener, Store, StoreStatistics } from './store/store.js';
export { DuckDBStore } from './store/duckdb/duckdb-store.js';
export { ClickHouseStore, parseClickHouseUrl } from './store/clickhouse/clickhouse-store.js';
export { type MigrationOptions, type MigrationResult, migrate } from './store/migrate.js';
export { serve } from './cli/serve.js';
