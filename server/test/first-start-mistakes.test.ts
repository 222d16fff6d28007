/**
 * Mistakes a new user makes when first running the collector, each answered with one line that
 * names the setting and what to do, never a driver's error or a stack: a data directory that a
 * running collector holds (a second `logmill serve`, or `logmill migrate` before stopping it), a
 * ClickHouse address where nothing listens, browser origins written as an address-bar URL, an
 * OpenTelemetry exporter sending protobuf, a config file that is not there, a host that does not
 * resolve, a query whose groups, filters or aggregates are bare names instead of objects.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../collector/config.js';
import { type CollectorProcess, cliPath, freePort, keys, post, startCollector, temporaryDirectory } from './helpers/collector-process.js';

const logmill = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, [cliPath, ...args], {
    encoding: 'utf8',
    timeout: 30_000,
    env: { ...process.env, LOGMILL_INGEST_KEY: keys.ingest, LOGMILL_ADMIN_KEY: keys.admin, LOGMILL_ALLOWED_ORIGINS: '', ...env },
  });

let running: CollectorProcess;
beforeAll(async () => {
  running = await startCollector();
}, 60_000);
afterAll(async () => {
  await running.stop();
});

describe('a data directory a running collector holds', () => {
  it('a second logmill serve on it says so in one line, naming the process and what to do', () => {
    const second = logmill(['serve', '--data', running.data, '--port', '0']);
    expect(second.status).toBe(1);
    expect(second.stdout).toBe('');
    expect(second.stderr).toBe(
      `logmill: the data directory ${running.data} is in use by another process (PID ${running.child.pid}, ${process.execPath}), `
      + 'most likely a running logmill serve: stop it first, or give another --data (LOGMILL_DATA)\n',
    );
  });

  it('logmill migrate from it says the same, before contacting ClickHouse', async () => {
    const closed = await freePort();
    const migrate = logmill(['migrate', '--from', `duckdb:${running.data}`, '--to', `clickhouse://127.0.0.1:${closed}/logmill`]);
    expect(migrate.status).toBe(1);
    expect(migrate.stderr).toMatch(/^logmill: the data directory .* is in use by another process \(PID \d+, .*\), most likely a running logmill serve: stop it first, or give another --from\n$/);
  });
});

describe('a ClickHouse address where nothing listens', () => {
  it('logmill serve names the address (without credentials) and the setting, in one line and no client log', async () => {
    const closed = await freePort();
    const serve = logmill(['serve', '--data', temporaryDirectory('clickhouse-down'), '--port', '0', '--store', `clickhouse://writer:secret@127.0.0.1:${closed}/logmill`]);
    expect(serve.status).toBe(1);
    expect(serve.stdout).toBe('');
    expect(serve.stderr).toBe(
      `logmill: cannot reach ClickHouse at http://127.0.0.1:${closed}: connection refused, nothing listens there (ECONNREFUSED); `
      + 'start clickhouse-server there, or correct --store (LOGMILL_STORE)\n',
    );
  });

  it('logmill migrate names --to', async () => {
    const closed = await freePort();
    const migrate = logmill(['migrate', '--from', `duckdb:${temporaryDirectory('migrate-source')}`, '--to', `clickhouse://127.0.0.1:${closed}/logmill`]);
    expect(migrate.status).toBe(1);
    expect(migrate.stderr).toBe(`logmill: cannot reach ClickHouse at http://127.0.0.1:${closed}: connection refused, nothing listens there (ECONNREFUSED); start clickhouse-server there, or correct --to\n`);
  });
});

describe('browser origins', () => {
  const load = (origins: { allowed?: string[]; env?: string; key?: string[] }) => () => {
    const file = join(temporaryDirectory('origins'), 'logmill.json');
    writeFileSync(file, JSON.stringify({
      ...(origins.allowed === undefined ? {} : { allowedOrigins: origins.allowed }),
      keys: { ingest: [{ key: keys.ingest, ...(origins.key === undefined ? {} : { origins: origins.key }) }], admin: [keys.admin] },
    }));
    return loadConfig({ file, env: origins.env === undefined ? {} : { LOGMILL_ALLOWED_ORIGINS: origins.env }, flags: { data: temporaryDirectory('origins-data') } });
  };

  it('refuses an origin with a trailing slash, a path, no scheme or capitals, naming the spelling browsers send', () => {
    expect(load({ allowed: ['https://shop.example/'] })).toThrow('allowedOrigins: "https://shop.example/" is not an origin as browsers send it; write "https://shop.example" (or * for any origin)');
    expect(load({ allowed: ['https://Shop.Example:443/checkout'] })).toThrow('write "https://shop.example"');
    expect(load({ env: 'https://a.example, shop.example' })).toThrow('LOGMILL_ALLOWED_ORIGINS: "shop.example" is not an origin as browsers send it; write scheme://host[:port], as https://shop.example or http://localhost:5173');
    expect(load({ key: ['http://localhost:5173/'] })).toThrow('an ingest key\'s origins: "http://localhost:5173/" is not an origin as browsers send it; write "http://localhost:5173"');
  });

  it('accepts origins as browsers send them, and *', () => {
    const config = load({ allowed: ['https://shop.example', 'http://localhost:5173', 'http://[::1]:8080', '*'], key: ['https://app.example:8443'] })();
    expect(config.allowedOrigins).toEqual(['https://shop.example', 'http://localhost:5173', 'http://[::1]:8080', '*']);
  });

  it('logmill serve stops on one, with the message and no stack', () => {
    const serve = logmill(['serve', '--data', temporaryDirectory('origins-serve'), '--port', '0'], { LOGMILL_ALLOWED_ORIGINS: 'https://shop.example/' });
    expect(serve.status).toBe(1);
    expect(serve.stderr).toBe('logmill: LOGMILL_ALLOWED_ORIGINS: "https://shop.example/" is not an origin as browsers send it; write "https://shop.example" (or * for any origin)\n');
  });
});

describe('a body of a type the collector does not read', () => {
  it('OTLP protobuf on /v1/logs gets a 415 naming JSON and the exporter setting to change', async () => {
    const response = await post(`${running.url}/v1/logs`, 'x', { authorization: `Bearer ${keys.ingest}`, 'content-type': 'application/x-protobuf' });
    expect(response.status).toBe(415);
    expect(response.body).toEqual({
      error: 'unsupported_media_type',
      message: 'Content-Type "application/x-protobuf" is not accepted: /v1/logs takes OTLP/HTTP JSON (Content-Type: application/json), not protobuf; '
        + "set `encoding: json` on the OpenTelemetry Collector's otlphttp exporter, or use an SDK's OTLP/HTTP JSON exporter",
    });
  });

  it('another type on /v1/events gets the types it takes', async () => {
    const response = await post(`${running.url}/v1/events`, '<event/>', { authorization: `Bearer ${keys.ingest}`, 'content-type': 'application/xml' });
    expect(response.status).toBe(415);
    expect(response.body).toEqual({ error: 'unsupported_media_type', message: 'Content-Type "application/xml" is not accepted: send application/json, application/x-ndjson or text/plain' });
  });
});

describe('the command line', () => {
  it('a --config file that is not there is named as missing, with the folder it was looked for in', () => {
    const folder = temporaryDirectory('no-config');
    const run = spawnSync(process.execPath, [cliPath, 'serve', '--config', 'logmill.json', '--port', '0'], { encoding: 'utf8', timeout: 30_000, cwd: folder });
    expect(run.status).toBe(1);
    expect(run.stderr).toBe(`logmill: the config file logmill.json cannot be read: there is no such file (in ${folder}); check --config\n`);
    const directory = logmill(['serve', '--config', folder, '--port', '0']);
    expect(directory.stderr).toBe(`logmill: the config file ${folder} cannot be read: it is a directory; check --config\n`);
  });

  it('LOGMILL_RETENTION_DAYS that is not a positive number is named with its value', () => {
    const run = logmill(['serve', '--data', temporaryDirectory('bad-retention'), '--port', '0'], { LOGMILL_RETENTION_DAYS: '30d' });
    expect(run.status).toBe(1);
    expect(run.stderr).toBe('logmill: LOGMILL_RETENTION_DAYS must be a positive number of days (such as 30 or 0.5), not "30d"\n');
  });

  it('a --host that does not resolve says so and what to give instead', () => {
    const run = logmill(['serve', '--data', temporaryDirectory('bad-host'), '--port', '0', '--host', 'collector.invalid']);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/^logmill: cannot listen on collector\.invalid:0: the host name collector\.invalid does not resolve \((ENOTFOUND|EAI_AGAIN)\); check --host \(an address of this machine, 127\.0\.0\.1, or 0\.0\.0\.0 for every interface\)\n$/);
  });
});

describe('a query written with bare names', () => {
  it('logmill query shows the object to write for groupBy, where and aggregates', () => {
    const query = (json: unknown) => logmill(['query', JSON.stringify(json), '--url', running.url, '--key', keys.admin]).stderr;
    expect(query({ groupBy: ['template'] })).toBe('logmill: 400 invalid_query: groupBy takes objects such as { "field": "template" } or { "time": "hour" }, not "template"\n');
    expect(query({ where: ['severity=ERROR'] })).toBe('logmill: 400 invalid_query: where takes objects such as { "field": "severity", "value": "ERROR" }, not "severity=ERROR"\n');
    expect(query({ aggregates: ['users'] })).toBe('logmill: 400 invalid_query: aggregates take objects such as { "fn": "users" }, not "users"\n');
    expect(query({ groupBy: [{ field: 'template' }], aggregates: [{ fn: 'count' }] })).toBe('');
  });
});
