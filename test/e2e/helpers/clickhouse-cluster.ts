/**
 * A ClickHouse cluster on one machine: `shards` clickhouse-server processes (Debian's 18.16), each
 * with a private config and data under a temporary directory, all declaring the same
 * `remote_servers` cluster with one shard per process. Small on purpose: one thread per query and
 * a 16 MB mark cache, so the suite shares a small machine.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ClickHouseOptions, type ClickHousePorts, type ClickHouseServer, freePort, startClickHouse } from '../../../bench/lib/clickhouse-server.mjs';

export interface ClickHouseClusterProcesses {
  name: string;
  nodes: ClickHouseServer[];
  /** The store address of `database` on this cluster (entry: the first node). */
  address(database: string): string;
  /** kill -9 one node (its data stays for `restart`). */
  kill(index: number): Promise<void>;
  /** Starts a killed node again with its data, ports and config. */
  restart(index: number): Promise<void>;
  stop(): Promise<void>;
}

/** The `remote_servers` section the nodes share (docs/scaling.md shows the same, with hosts). */
export function remoteServers(name: string, ports: readonly ClickHousePorts[]): string {
  const shards = ports.map((port) => `<shard><replica><host>127.0.0.1</host><port>${port.tcp}</port></replica></shard>`).join('');
  return `<remote_servers><${name}>${shards}</${name}></remote_servers>`;
}

export async function startClickHouseCluster(shards = 2, name = 'logmill'): Promise<ClickHouseClusterProcesses> {
  const ports: ClickHousePorts[] = [];
  for (let index = 0; index < shards; index++) ports.push({ http: await freePort(), tcp: await freePort(), interserver: await freePort() });
  const directories = ports.map(() => mkdtempSync(join(tmpdir(), 'logmill-clickhouse-shard-')));
  const options = (index: number): ClickHouseOptions => ({
    ports: ports[index]!,
    config: remoteServers(name, ports),
    profile: '<max_threads>1</max_threads>',
    markCacheBytes: 16 * 1024 * 1024,
  });
  const nodes = await Promise.all(directories.map((directory, index) => startClickHouse(directory, options(index))));
  return {
    name,
    nodes,
    address: (database) => `${nodes[0]!.address}${database}?cluster=${name}&nodes=${ports.map((port) => `127.0.0.1:${port.http}`).join(',')}`,
    kill: (index) => nodes[index]!.kill(),
    async restart(index) {
      nodes[index] = await startClickHouse(directories[index]!, options(index));
    },
    async stop() {
      await Promise.all(nodes.map((node) => node.stop()));
    },
  };
}
