/** A private ClickHouse server started by `startClickHouse`. */
export interface ClickHouseServer {
  /** `clickhouse://127.0.0.1:PORT/` (add a database name). */
  address: string;
  httpUrl: string;
  directory: string;
  stop(): Promise<void>;
}

export function startClickHouse(directory?: string): Promise<ClickHouseServer>;
