/**
 * Hostile clients send poison in every field of the envelope (values past what the columns hold,
 * wrong types, hostile nesting), deep OTLP values and huge bounds on reads, while well-behaved
 * clients send at the same time. Every hostile request gets a 4xx naming where; every event
 * acknowledged to the others is stored and readable; `/readyz` stays 200; nothing is dead-lettered.
 */
import { describe, expect, it } from 'vitest';
import { DuckDBStore } from '../store/duckdb/duckdb-store.js';
import { keys, metric, post, startCollector } from './helpers/collector-process.js';
import { envelope } from './helpers/dataset.js';

type Patch = (event: Record<string, any>) => void;

/** One poison per field: [what, how the envelope is changed, the path the answer must name]. */
const poisons: [string, Patch, string][] = [
  ['ts past a 32-bit second count', (event) => (event.ts = 1e17), '/ts'],
  ['ts at the edge of DuckDB timestamps', (event) => (event.ts = 9.2e15), '/ts'],
  ['ts one past the last storable millisecond', (event) => (event.ts = 4_294_967_296_000), '/ts'],
  ['ts negative', (event) => (event.ts = -1), '/ts'],
  ['ts fractional', (event) => (event.ts = 1.5), '/ts'],
  ['sentAt huge', (event) => (event.sentAt = 1e20), '/sentAt'],
  ['id not a UUIDv7', (event) => (event.id = '00000000-0000-4000-8000-000000000000'), '/id'],
  ['kind unknown', (event) => (event.kind = 'metric'), '/kind'],
  ['severity unknown', (event) => (event.severity = 'LOUD'), '/severity'],
  ['severityNumber past a byte', (event) => (event.severityNumber = 300), '/severityNumber'],
  ['severityNumber huge', (event) => (event.severityNumber = 1e20), '/severityNumber'],
  ['name empty', (event) => (event.name = ''), '/name'],
  ['name too long', (event) => (event.name = 'n'.repeat(201)), '/name'],
  ['template not a string', (event) => (event.template = { a: 1 }), '/template'],
  // A string value past the length limit is truncated and kept (long-strings.test.ts); a key past it is refused.
  ['attributes key too long', (event) => (event.attributes = { ['k'.repeat(40_000)]: 1 }), '/attributes'],
  ['message with a lone surrogate', (event) => (event.message = 'a\uD800b'), '/message'],
  ['args too deep', (event) => (event.args = [JSON.parse(`${'['.repeat(30)}${']'.repeat(30)}`)]), '/args/0'],
  ['args too many', (event) => (event.args = Array.from({ length: 300 }, (_, index) => index)), '/args'],
  ['attributes prototype poisoning', (event) => (event.attributes = JSON.parse('{"__proto__":{"polluted":1}}')), '/attributes/__proto__'],
  ['attributes key with a lone surrogate', (event) => (event.attributes = { 'k\uDC00': 1 }), '/attributes'],
  ['attributes not an object', (event) => (event.attributes = [1]), '/attributes'],
  ['context vars too deep', (event) => (event.context.vars = { deep: JSON.parse(`${'{"a":'.repeat(30)}1${'}'.repeat(30)}`) }), '/context/vars/deep'],
  ['stack frame line past 32 bits', (event) => (event.context.stack = [{ function: 'f', module: 'm', file: 'f.ts', line: 2_147_483_648 }]), '/context/stack/0/line'],
  ['stack frame without its file', (event) => (event.context.stack = [{ function: 'f', module: 'm', line: 1 }]), '/context/stack/0'],
  ['userId a number', (event) => (event.userId = 42), '/userId'],
  ['sessionId too long', (event) => (event.sessionId = 's'.repeat(40_000)), '/sessionId'],
  ['traceId not hex', (event) => (event.traceId = 'z'.repeat(32)), '/traceId'],
  ['spanId too long', (event) => (event.spanId = 'a'.repeat(17)), '/spanId'],
  ['code.line past 32 bits', (event) => (event.code = { module: 'm', file: 'f.ts', line: 2_147_483_648, function: 'f' }), '/code/line'],
  ['code.line negative', (event) => (event.code = { module: 'm', file: 'f.ts', line: -1, function: 'f' }), '/code/line'],
  ['code.column huge', (event) => (event.code = { module: 'm', file: 'f.ts', line: 1, column: 1e20, function: 'f' }), '/code/column'],
  ['error without a type', (event) => (event.error = { message: 'boom' }), '/error'],
  ['error cause chain too deep', (event) => {
    let error: Record<string, unknown> = { type: 'E', message: 'm' };
    for (let depth = 0; depth < 30; depth++) error = { type: 'E', message: 'm', cause: error };
    event.error = error;
  }, '/error/cause'],
  ['service with an unknown field', (event) => (event.service = { name: 's', region: 'x' }), '/service'],
  ['schemaVersion 2', (event) => (event.schemaVersion = 2), '/schemaVersion'],
];

function poisoned(patch: Patch): string {
  const event = JSON.parse(envelope({ userId: 'hostile', template: 'poison' })) as Record<string, any>;
  patch(event);
  return JSON.stringify(event);
}

describe('poison values beside well-behaved clients', () => {
  it('refuses every poison with a 4xx naming its path, and loses no acknowledged event', async () => {
    const collector = await startCollector();
    const ingest = { authorization: `Bearer ${keys.ingest}`, 'content-type': 'application/x-ndjson' };
    const acknowledged: string[] = [];
    let clientsDone = false;
    try {
      // Well-behaved clients: 8 of them, 25 batches of 40 each, while the poison goes in.
      const wellBehaved = Array.from({ length: 8 }, async (_, client) => {
        for (let batch = 0; batch < 25; batch++) {
          const lines = Array.from({ length: 40 }, (_, index) => envelope({ userId: `good-${client}`, template: 'good %d', args: [batch * 40 + index] }));
          const response = await post(`${collector.url}/v1/events`, lines.join('\n'), ingest);
          expect(response.status).toBe(200);
          for (const line of lines) acknowledged.push(JSON.parse(line).id as string);
        }
      });
      const readiness: number[] = [];
      const probe = (async () => {
        while (!clientsDone) {
          readiness.push(await fetch(`${collector.url}/readyz`).then((response) => response.status, () => 0));
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      })();

      const answers: string[] = [];
      for (const [what, patch, path] of poisons) {
        // Alone: refused with the path.
        const alone = await post(`${collector.url}/v1/events`, poisoned(patch), ingest);
        const rejected = (alone.body['rejected'] as { path: string }[] | undefined)?.[0];
        const where = rejected?.path ?? String(alone.body['error']);
        // Nesting problems name the exact place, below the field the poison was put in.
        answers.push(`${what}: ${alone.status} ${where.startsWith(path) ? path : where}`);
        // Beside good events in one batch: the good ones are stored, the poison refused (422).
        const good = envelope({ userId: 'beside', template: 'beside poison' });
        const mixed = await post(`${collector.url}/v1/events`, [good, poisoned(patch)].join('\n'), ingest);
        expect(mixed.status, what).toBe(422);
        expect(mixed.body['accepted'], what).toBe(1);
        acknowledged.push(JSON.parse(good).id as string);
      }
      expect(answers).toEqual(poisons.map(([what, , path]) => `${what}: 400 ${path}`));

      // OTLP: AnyValues nested past any limit are the client's error, never a stack overflow or a 503.
      let deep: Record<string, unknown> = { stringValue: 'bottom' };
      for (let depth = 0; depth < 20_000; depth++) deep = { kvlistValue: { values: [{ key: 'k', value: deep }] } };
      const otlp = await post(`${collector.url}/v1/logs`, JSON.stringify({ resourceLogs: [{ scopeLogs: [{ logRecords: [{ body: { stringValue: 'x' }, attributes: [{ key: 'a', value: deep }] }] }] }] }), { authorization: `Bearer ${keys.ingest}` });
      expect(otlp.status).toBe(400);
      expect(otlp.body).toMatchObject({ error: 'too_deep', path: expect.stringMatching(/^\/resourceLogs\/0\/scopeLogs\/0\/logRecords\/0\/attributes\/0\/value(\/kvlistValue\/values\/0\/value)+$/) });
      // Beside a good record, the deep one is refused alone (OTLP's partial success, naming the path)
      // and the good one is stored.
      const mixed = await post(`${collector.url}/v1/logs`, JSON.stringify({ resourceLogs: [{ scopeLogs: [{ logRecords: [{ body: { stringValue: 'beside a deep record' } }, { body: deep }] }] }] }), { authorization: `Bearer ${keys.ingest}` });
      expect(mixed.status).toBe(200);
      expect(mixed.body).toMatchObject({ partialSuccess: { rejectedLogRecords: 1, errorMessage: expect.stringContaining('/resourceLogs/0/scopeLogs/0/logRecords/1/body/kvlistValue') } });
      const beside = await fetch(`${collector.url}/api/count?where=${encodeURIComponent('template=beside a deep record')}`, { headers: { authorization: `Bearer ${keys.admin}` } });
      expect(await beside.json()).toMatchObject({ count: 1, exact: true });
      const deepArray = JSON.stringify({ resourceLogs: [{ scopeLogs: [{ logRecords: [{ body: JSON.parse(`${'{"arrayValue":{"values":['.repeat(5000)}{"intValue":"1"}${']}}'.repeat(5000)}`) }] }] }] });
      expect((await post(`${collector.url}/v1/logs`, deepArray, { authorization: `Bearer ${keys.ingest}` })).status).toBe(400);
      // An OTLP time past what the stores hold is refused per record (OTLP's partial success), not stored.
      const future = await post(`${collector.url}/v1/logs`, JSON.stringify({ resourceLogs: [{ scopeLogs: [{ logRecords: [{ timeUnixNano: '99999999999999999999', body: { stringValue: 'x' } }] }] }] }), { authorization: `Bearer ${keys.ingest}` });
      expect(future.body).toMatchObject({ partialSuccess: { rejectedLogRecords: 1, errorMessage: expect.stringContaining('/ts') } });

      // A `__proto__` attribute is refused like the envelope's, not turned into a prototype that
      // would lend a trace id (or anything) to the record unscrubbed.
      const proto = await post(`${collector.url}/v1/logs`, JSON.stringify({ resourceLogs: [{ scopeLogs: [{ logRecords: [{ body: { stringValue: 'x' }, attributes: [{ key: '__proto__', value: { kvlistValue: { values: [{ key: 'trace_id', value: { stringValue: 'ann@example.com' } }] } } }] }] }] }] }), { authorization: `Bearer ${keys.ingest}` });
      expect(proto.body).toMatchObject({ partialSuccess: { rejectedLogRecords: 1, errorMessage: expect.stringContaining('__proto__') } });

      // Reads: bounds past the stores' time types are the client's error.
      const read = { authorization: `Bearer ${keys.admin}` };
      for (const query of [{ from: 9.2e15 }, { from: 1e20 }, { to: -1e20 }, { from: 0, to: 9.3e15 }, { where: [{ field: 'line', op: 'eq', value: 1e20 }] }, { where: [{ field: 'ts', op: 'gt', value: -1e20 }] }]) {
        const answer = await post(`${collector.url}/api/query`, JSON.stringify(query), read);
        expect(`${JSON.stringify(query)}: ${answer.status}`).toBe(`${JSON.stringify(query)}: 400`);
      }
      const count = await fetch(`${collector.url}/api/count?from=9200000000000000`, { headers: read });
      expect(count.status).toBe(400);
      expect(await count.json()).toMatchObject({ path: '/from' });

      await Promise.all(wellBehaved);
      clientsDone = true;
      await probe;
      expect(readiness.length).toBeGreaterThan(0);
      expect(readiness.every((status) => status === 200)).toBe(true);
      expect((await fetch(`${collector.url}/readyz`)).status).toBe(200);
      expect(await metric(collector.url, 'logmill_storage_dead_letters')).toBe(0);
    } finally {
      clientsDone = true;
      await collector.stop();
    }
    // Every acknowledged event is stored: zero lost.
    const store = await DuckDBStore.open(collector.data, { loadInterval: 60_000 });
    try {
      expect(acknowledged.length).toBe(8 * 25 * 40 + poisons.length);
      const stored = new Set((await store.read(`SELECT id::VARCHAR AS id FROM events WHERE user_id <> 'hostile'`)).map((row) => row['id']));
      expect(acknowledged.filter((id) => !stored.has(id))).toEqual([]);
      expect(await store.read(`SELECT id FROM events WHERE user_id = 'hostile'`)).toEqual([]);
      expect(await store.statistics()).toMatchObject({ deadLetters: 0 });
    } finally {
      await store.close();
    }
  }, 120_000);
});

