/**
 * The collector's settings: the config file is checked against its schema when `logmill serve`
 * starts, and every problem is named by its path; the manual's example is a valid file.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../collector/config.js';
import { configFileProblems } from '../collector/config-schema.js';
import { cliPath, temporaryDirectory } from './helpers/collector-process.js';

function configFile(content: string): string {
  const file = join(temporaryDirectory('config'), 'logmill.json');
  writeFileSync(file, content);
  return file;
}

/** The JSON example under "Settings come from a JSON file" in the collector's manual page. */
function readmeExample(): string {
  const readme = readFileSync(fileURLToPath(new URL('../../docs/collector.md', import.meta.url)), 'utf8');
  const section = readme.slice(readme.indexOf('Settings come from a JSON file'));
  return section.slice(section.indexOf('```json') + '```json'.length, section.indexOf('```', section.indexOf('```json') + 7));
}

describe('the config file', () => {
  it("takes the manual's example as it is written", () => {
    const file = configFile(readmeExample());
    const config = loadConfig({ file, env: {}, flags: { data: temporaryDirectory('data') } });
    expect(config).toMatchObject({ host: '0.0.0.0', port: 4318, project: 'shop', allowedOrigins: ['https://shop.example'] });
    expect(config.limits.eventsPerBatch).toBe(1000);
    expect(config.scrub.rules).toHaveLength(2);
  });

  it('names every problem by its path', () => {
    const problems = configFileProblems({
      listen: 8080,
      port: 70_000,
      allowedOrigins: 'https://shop.example',
      keys: { ingest: { key: 'k' }, read: [{ key: 'r', access: 'god' }] },
      limits: { bodyBytes: -1, depth: 'deep' },
      scrub: { emails: 'sometimes', rules: [{ action: 'shred' }, { pattern: '(', action: 'mask' }] },
      privacy: { minimumUsers: { names: { 'payment failed': 'five' } } },
      retention: { days: 0 },
    });
    expect(problems).toEqual([
      '(the file) has an unknown setting "listen"',
      '/port must be <= 65535',
      '/allowedOrigins must be array',
      '/keys/ingest must be array',
      '/keys/read/0/access must be one of "untrusted", "trusted", "direct"',
      '/limits/bodyBytes must be >= 1',
      '/limits/depth must be integer',
      '/scrub/emails must be one of "remove", "mask", "hash", "keep"',
      '/scrub/rules/0 needs a key or a pattern',
      '/scrub/rules/0/action must be one of "remove", "mask", "hash"',
      '/privacy/minimumUsers/names/payment failed must be integer',
      '/retention/days must be > 0',
    ]);
    expect(configFileProblems({ scrub: { rules: [{ pattern: '(', action: 'mask' }] } })).toEqual([
      '/scrub/rules/0/pattern is not a regular expression: Invalid regular expression: /(/: Unterminated group',
    ]);
  });

  it('stops loadConfig with the file, the count and each problem', () => {
    const file = configFile(JSON.stringify({ listen: 8080, limits: { bodyBytes: 0 } }));
    expect(() => loadConfig({ file, env: {} })).toThrow(`the config file ${file} has 2 problems:\n  (the file) has an unknown setting "listen"\n  /limits/bodyBytes must be >= 1`);
    const broken = configFile('{ "port": ');
    expect(() => loadConfig({ file: broken, env: {} })).toThrow(`the config file ${broken} cannot be read as JSON`);
  });

  it('refuses an unknown read access level from the environment', () => {
    expect(() => loadConfig({ env: { LOGMILL_READ_KEY: 'r', LOGMILL_READ_ACCESS: 'god' }, flags: { data: temporaryDirectory('data') } })).toThrow(
      'LOGMILL_READ_ACCESS is untrusted, trusted or direct, not "god"',
    );
  });

  it('refuses a port from the environment that is not a port number, naming the variable and the value', () => {
    const data = temporaryDirectory('data');
    for (const value of ['abc', '99999', '-1', '80.5', '4318abc']) {
      expect(() => loadConfig({ env: { LOGMILL_PORT: value }, flags: { data } })).toThrow(`LOGMILL_PORT must be a port number from 0 to 65535, not "${value}"`);
    }
    expect(loadConfig({ env: { LOGMILL_PORT: '4400' }, flags: { data } }).port).toBe(4400);
    expect(loadConfig({ env: { LOGMILL_PORT: '' }, flags: { data } }).port).toBe(4318);
    expect(loadConfig({ env: { LOGMILL_PORT: 'abc' }, flags: { data, port: 4401 } }).port).toBe(4401);
  });

  it('makes `logmill serve` exit 1 with the problems on stderr, before listening', () => {
    const file = configFile(JSON.stringify({ keys: { admin: ['a'] }, scrub: { rules: [{ key: 'customer', action: 'shred' }] } }));
    const run = spawnSync(process.execPath, [cliPath, 'serve', '--config', file, '--data', temporaryDirectory('data'), '--port', '0'], { encoding: 'utf8', timeout: 30_000 });
    expect(run.status).toBe(1);
    expect(run.stdout).not.toContain('listening');
    expect(run.stderr).toContain('/scrub/rules/0/action must be one of "remove", "mask", "hash"');
  });
});
