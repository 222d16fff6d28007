/**
 * `logmill serve`: load the config, open the store, listen, and shut down cleanly on SIGINT and
 * SIGTERM (requests in flight finish; the store closes after them).
 */
import { createCollector } from '../collector/app.js';
import { loadConfig } from '../collector/config.js';
import { DuckDBStore } from '../store/duckdb/duckdb-store.js';
import type { Store } from '../store/store.js';

export interface ServeOptions {
  config?: string;
  data?: string;
  store?: string;
  port?: number;
  host?: string;
}

export async function serve(options: ServeOptions): Promise<{ url: string; close(): Promise<void> }> {
  const config = loadConfig({ file: options.config, flags: { data: options.data, store: options.store, port: options.port, host: options.host } });
  const store: Store = config.store === undefined
    ? await DuckDBStore.open(config.data ?? './logmill-data')
    // Loaded only when asked for: the embedded setup never imports the ClickHouse client.
    : await (await import('../store/clickhouse/clickhouse-store.js')).ClickHouseStore.open(config.store);
  const collector = await createCollector(config, store);
  const address = await collector.app.listen({ host: config.host, port: config.port });
  // One write, so that whoever reads the address also gets the keys in the same chunk.
  const lines = [`logmill collector listening on ${address}`, `  data: ${config.data ?? '(in memory)'}`];
  if (config.store !== undefined) lines.push(`  store: ${config.store.replace(/\/\/[^@/]*@/, '//')}`);
  if (config.generatedKeys !== undefined) {
    lines.push(
      '  no keys were configured, so these were generated and saved in the data directory (shown once):',
      `    ingest key: ${config.generatedKeys.ingest}`,
      `    read key:   ${config.generatedKeys.read}`,
      `    admin key:  ${config.generatedKeys.admin}`,
    );
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => (closing ??= collector.close());
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      void close().then(() => process.exit(0));
    });
  }
  return { url: address, close };
}
