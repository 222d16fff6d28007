/**
 * `logmill migrate --from duckdb:DIR --to clickhouse://host:8123/database`: the embedded store's
 * events into ClickHouse, with a progress bar on stderr, resumable (run it again after a stop),
 * never storing an event twice, and verified by count and checksum at the end (store/migrate.ts).
 */
import cliProgress from 'cli-progress';
import { privateFilesFromNowOn, resolveDataPath } from '../collector/data-directory.js';
import type { ClickHouseStore } from '../store/clickhouse/clickhouse-store.js';
import { migrate } from '../store/migrate.js';
import { openClickHouseStore, openDuckDBStore } from './store-open.js';
import { progressSetting } from './request.js';

export interface MigrateCommandOptions {
  from: string;
  to: string;
  batchSize?: number;
  maxBatches?: number;
}

export async function migrateCommand(options: MigrateCommandOptions): Promise<void> {
  if (!options.from.startsWith('duckdb:')) throw new Error('--from takes duckdb:DIRECTORY (the data directory of `logmill serve`)');
  // The data directory is the collector's user's alone: so are the cursor and DuckDB's files written here.
  privateFilesFromNowOn();
  const directory = resolveDataPath(options.from.slice('duckdb:'.length));
  const source = await openDuckDBStore(directory, '--from', { loadInterval: 60_000 });
  let target: ClickHouseStore;
  try {
    target = await openClickHouseStore(options.to, '--to');
  } catch (error) {
    await source.close();
    throw error;
  }
  const bar = progressSetting() === 'never'
    ? undefined
    : new cliProgress.SingleBar({ stream: process.stderr, noTTYOutput: true, notTTYSchedule: 1000, format: 'migrating [{bar}] {value}/{total} events | {eta_formatted} left' }, cliProgress.Presets.shades_classic);
  let started = false;
  try {
    const result = await migrate(source, target, {
      source: directory,
      target: options.to,
      batchSize: options.batchSize,
      maxBatches: options.maxBatches,
      onProgress: (done, total) => {
        if (!started) bar?.start(total, done);
        started = true;
        bar?.update(done);
      },
    });
    bar?.stop();
    console.log(`read ${result.read} events, inserted ${result.inserted} (the rest were already in ClickHouse)`);
    if (!result.finished) {
      console.log('stopped after --max-batches; run the same command again to continue');
      return;
    }
    const verified = result.verified!;
    const same = verified.count === verified.targetCount && verified.checksum === verified.targetChecksum;
    console.log(`source: ${verified.count} events, checksum ${verified.checksum}; ClickHouse: ${verified.targetCount} events, checksum ${verified.targetChecksum}: ${same ? 'identical' : 'DIFFERENT'}`);
    if (!same) process.exitCode = 1;
  } finally {
    bar?.stop();
    await source.close();
    await target.close();
  }
}
