#!/usr/bin/env node
/**
 * The `logmill` command's entry. DuckDB's queries run on libuv's thread pool, as do the ingest
 * journal's writes and syncs; with the default four threads a long load or checkpoint would
 * hold up acknowledgements, so the pool is enlarged before anything uses it (the pool starts on
 * first use and reads this variable then), and only then is the rest loaded.
 */
process.env['UV_THREADPOOL_SIZE'] ??= '16';
await import('./commands.js');
