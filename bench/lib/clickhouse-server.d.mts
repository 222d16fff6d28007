/** A private ClickHouse server started by `startClickHouse`. */
export interface ClickHouseServer {
  /** `clickhouse://127.0.0.1:PORT/` (add a database name). */
  address: string;
  httpUrl: string;
  directory: string;
  ports: ClickHousePorts;
  /** SIGTERM and wait for the exit. */
  stop(): Promise<void>;
  /** SIGKILL (kill -9) and wait for the exit. */
  kill(): Promise<void>;
}

export interface ClickHousePorts {
  http: number;
  tcp: number;
  interserver: number;
}

export interface ClickHouseOptions {
  /** Ports chosen beforehand (a cluster's nodes name each other's TCP ports); free ones otherwise. */
  ports?: ClickHousePorts;
  /** XML inserted into the server's config (e.g. `<remote_servers>`). */
  config?: string;
  /** XML settings of the default profile (e.g. `<max_threads>1</max_threads>`). */
  profile?: string;
  markCacheBytes?: number;
}

export function freePort(): Promise<number>;
export function startClickHouse(directory?: string, options?: ClickHouseOptions): Promise<ClickHouseServer>;
