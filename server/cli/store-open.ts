/**
 * Opening a store from the command line (`logmill serve`, `logmill migrate`). The failures a user
 * causes at this point (a data directory another collector holds open, a ClickHouse address where
 * nothing answers) come out of the drivers as their own errors ("IO Error: Could not set lock…",
 * "connect ECONNREFUSED"), which name neither the setting involved nor what to do; here they become
 * one line that does.
 */
import type { ClickHouseStore } from '../store/clickhouse/clickhouse-store.js';
import { DuckDBStore, type DuckDBStoreOptions } from '../store/duckdb/duckdb-store.js';
import { networkCauses } from './request.js';

/** Opens the embedded store in `directory`; `setting` names where the directory came from. */
export async function openDuckDBStore(directory: string, setting: string, options?: DuckDBStoreOptions): Promise<DuckDBStore> {
  try {
    return await DuckDBStore.open(directory, options);
  } catch (error) {
    throw duckDBOpenError(error, directory, setting);
  }
}

/** Opens the ClickHouse store at `address`; `setting` names the flag or variable that gave it. */
export async function openClickHouseStore(address: string, setting: string): Promise<ClickHouseStore> {
  // Loaded only when asked for: the embedded setup never imports the ClickHouse client.
  const { ClickHouseStore, parseClickHouseUrl } = await import('../store/clickhouse/clickhouse-store.js');
  try {
    return await ClickHouseStore.open(address);
  } catch (error) {
    let where: string;
    try {
      where = parseClickHouseUrl(address).url;
    } catch {
      where = address.replace(/\/\/[^@/]*@/, '//');
    }
    throw clickHouseOpenError(error, where, setting);
  }
}

/** DuckDB allows one writing process per database file, and says so in terms of its lock. */
export function duckDBOpenError(error: unknown, directory: string, setting: string): Error {
  const message = error instanceof Error ? error.message : String(error);
  const lock = /Could not set lock on file .*Conflicting lock is held in (.*?) \(PID (\d+)\)/s.exec(message);
  if (lock === null) return error instanceof Error ? error : new Error(message);
  return new Error(
    `the data directory ${directory} is in use by another process (PID ${lock[2]}, ${lock[1]}), most likely a running logmill serve: `
    + `stop it first, or give another ${setting}`,
  );
}

/** A ClickHouse that cannot be reached is named by its address (`where`: never its credentials) and the setting. */
export function clickHouseOpenError(error: unknown, where: string, setting: string): Error {
  const code = codeOf(error);
  if (code !== undefined && code in networkCauses) {
    return new Error(`cannot reach ClickHouse at ${where}: ${networkCauses[code]} (${code}); start clickhouse-server there, or correct ${setting}`);
  }
  // ClickHouse's own refusals: UNKNOWN_USER, WRONG_PASSWORD, REQUIRED_PASSWORD, AUTHENTICATION_FAILED
  // (18.16 sends the code only in the text: "Code: 192, e.displayText() = …").
  const serverCode = code ?? /^Code: (\d+)/.exec(error instanceof Error ? error.message : '')?.[1];
  if (serverCode !== undefined && ['192', '193', '194', '516'].includes(serverCode)) {
    const said = (error as Error).message.replace(/, e\.what\(\) = .*$/s, '').replace(/^Code: \d+, e\.displayText\(\) = /, '').trim();
    return new Error(`ClickHouse at ${where} refused the login: ${said}; give its user and password in ${setting} as clickhouse://USER:PASSWORD@host:port/database`);
  }
  return error instanceof Error ? error : new Error(String(error));
}

function codeOf(error: unknown): string | undefined {
  for (let cause = error, depth = 0; cause !== undefined && cause !== null && depth < 5; cause = (cause as { cause?: unknown }).cause, depth += 1) {
    const code = (cause as { code?: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}
