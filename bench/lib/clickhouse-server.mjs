// A private ClickHouse server (Debian's clickhouse-server, 18.16 there) with its own config, data
// and ports under a temporary directory: for the end-to-end tests and the ClickHouse benchmarks.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts the server; resolves once it answers /ping. `directory` keeps its data (default: a fresh
 * temporary one). Options (all optional): `ports` chosen beforehand (a cluster's nodes name each
 * other's ports in their config), `config` (XML inserted into the server's config, e.g.
 * remote_servers), `profile` (XML settings of the default profile, e.g. a low max_threads) and
 * `markCacheBytes`.
 */
export async function startClickHouse(directory = mkdtempSync(join(tmpdir(), 'logmill-clickhouse-')), options = {}) {
  for (const folder of ['data', 'tmp', 'user_files', 'format_schemas']) mkdirSync(join(directory, folder), { recursive: true });
  const { http, tcp, interserver } = options.ports ?? { http: await freePort(), tcp: await freePort(), interserver: await freePort() };
  writeFileSync(join(directory, 'users.xml'), `<yandex>
  <profiles><default>${options.profile ?? ''}</default></profiles>
  <users><default><password></password><networks><ip>127.0.0.1</ip></networks><profile>default</profile><quota>default</quota></default></users>
  <quotas><default></default></quotas>
</yandex>`);
  writeFileSync(join(directory, 'config.xml'), `<yandex>
  <logger><level>warning</level><console>1</console></logger>
  <http_port>${http}</http_port>
  <tcp_port>${tcp}</tcp_port>
  <interserver_http_port>${interserver}</interserver_http_port>
  <listen_host>127.0.0.1</listen_host>
  <timezone>UTC</timezone>
  <path>${directory}/data/</path>
  <tmp_path>${directory}/tmp/</tmp_path>
  <user_files_path>${directory}/user_files/</user_files_path>
  <format_schema_path>${directory}/format_schemas/</format_schema_path>
  <users_config>${directory}/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <mark_cache_size>${options.markCacheBytes ?? 268435456}</mark_cache_size>
${options.config ?? ''}
</yandex>`);
  // Debian puts the server in /usr/sbin, which is not on every user's PATH.
  const command = existsSync('/usr/sbin/clickhouse-server') ? '/usr/sbin/clickhouse-server' : 'clickhouse-server';
  const child = spawn(command, [`--config-file=${join(directory, 'config.xml')}`], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk.toString()));
  const httpUrl = `http://127.0.0.1:${http}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      if ((await fetch(`${httpUrl}/ping`)).ok) break;
    } catch {
      // Not listening yet.
    }
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`clickhouse-server did not start:\n${stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return {
    address: `clickhouse://127.0.0.1:${http}/`,
    httpUrl,
    directory,
    ports: { http, tcp, interserver },
    stop: () => new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    }),
    kill: () => new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    }),
  };
}
