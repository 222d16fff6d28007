/**
 * The query audit holds what was asked, not whom about: values (filter values, event names, an
 * experiment and its goal) as keyed hashes; and it is kept no longer than the events it asked
 * about, so retention drops its older lines.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AuditLog } from '../analytics/audit-log.js';
import { Gdpr } from '../analytics/gdpr.js';
import { Scrubber } from '../collector/scrub.js';
import { eventToRow, type Envelope } from '../collector/event-to-row.js';
import { DuckDBStore } from '../store/duckdb/duckdb-store.js';
import type { Store } from '../store/store.js';
import { temporaryDirectory } from './helpers/collector-process.js';
import { envelope } from './helpers/dataset.js';

describe('the query audit', () => {
  it("keeps an experiment's name and goal as hashes, and a person's erasure finds them", async () => {
    const audit = new AuditLog(temporaryDirectory('audit'), 'salt');
    await audit.record('lm_read_key', 'untrusted', { experiment: { experiment: 'exp-for-ann-7731', goal: 'ann-7731-bought', window: 3600 } });
    const text = readFileSync(audit.file, 'utf8');
    expect(text).not.toContain('ann-7731');
    expect(text).toContain(audit.hashOf('ann-7731-bought'));
    expect(await audit.forget(['ann-7731-bought'])).toBe(1);
    expect(readFileSync(audit.file, 'utf8')).toBe('');
  });

  it('loses its lines older than the retention period when retention runs', async () => {
    const directory = temporaryDirectory('audit-retention');
    const audit = new AuditLog(directory, 'salt');
    await audit.record('lm_read_key', 'untrusted', { where: [{ field: 'name', value: 'recent' }] });
    const day = 86_400_000;
    const old = JSON.stringify({ at: new Date(Date.now() - 40 * day).toISOString(), key: 'k', access: 'untrusted', query: { where: [] } });
    writeFileSync(audit.file, `${old}\n${readFileSync(audit.file, 'utf8')}`, { mode: 0o600 });
    const store = await DuckDBStore.open(temporaryDirectory('audit-retention-store'));
    await new Gdpr(store, directory, 'user_id', audit).applyRetention({ days: 30 });
    await store.close();
    const lines = readFileSync(audit.file, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(audit.hashOf('recent'));
  });

  it("drops the lines about a person's values even when the collector died in the middle of their erasure", async () => {
    const directory = temporaryDirectory('audit-erase-crash');
    const audit = new AuditLog(directory, 'salt');
    const store = await DuckDBStore.open(temporaryDirectory('audit-erase-crash-store'));
    try {
      const row = eventToRow('default', JSON.parse(envelope({ userId: 'gus-5521', attributes: { note: 'gus-secret-note' } })) as Envelope, Date.now(), new Scrubber());
      await store.insert([row]);
      await audit.record('lm_read_key', 'untrusted', { where: [{ field: 'attributes.note', value: 'gus-secret-note' }] });
      await audit.record('lm_read_key', 'untrusted', { where: [{ field: 'attributes.note', value: 'someone else' }] });
      // kill -9 right after the store's rewrite: the events are gone, the erasure never answered.
      const eraseThenDie = async (...args: Parameters<Store['eraseEntity']>): Promise<number> => {
        await store.eraseEntity(...args);
        throw new Error('killed');
      };
      const dying = new Proxy(store, {
        get: (target, property) => {
          if (property === 'eraseEntity') return eraseThenDie;
          const value: unknown = Reflect.get(target, property, target);
          return typeof value === 'function' ? value.bind(target) : value;
        },
      });
      await expect(new Gdpr(dying, directory, 'user_id', audit).erase(undefined, 'gus-5521')).rejects.toThrow('killed');
      // The operator erases again after the restart.
      expect(await new Gdpr(store, directory, 'user_id', audit).erase(undefined, 'gus-5521')).toMatchObject({ erased: 0 });
      const lines = readFileSync(audit.file, 'utf8').trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(audit.hashOf('someone else'));
    } finally {
      await store.close();
    }
  });
});
