/**
 * Generates bad ingest requests, deterministically from a seed: malformed, oversized, deeply
 * nested, wrongly typed, wrongly encoded, hostile (prototype poisoning), and unauthorized. None of
 * them carries a single valid event, so a collector that handles them right stores nothing.
 */
import { gzipSync } from 'node:zlib';
import { seededRandom } from '../../analytics/seeded-random.js';
import { keys } from './collector-process.js';
import { envelopeLines } from './envelopes.js';

export interface BadRequest {
  kind: string;
  body: string | Buffer;
  headers: Record<string, string>;
  path?: string;
}

/** The same seed gives the same requests. */
export const random = seededRandom;

const json = { 'content-type': 'application/json', authorization: `Bearer ${keys.ingest}` };
const ndjson = { 'content-type': 'application/x-ndjson', authorization: `Bearer ${keys.ingest}` };

function nested(depth: number, leaf: unknown, array: boolean): unknown {
  let value = leaf;
  for (let level = 0; level < depth; level++) value = array ? [value] : { n: value };
  return value;
}

export function badRequests(count: number, seed = 1): BadRequest[] {
  const next = random(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const templates = envelopeLines(50, 'hostile').map((line) => JSON.parse(line) as Record<string, unknown>);
  const event = (): Record<string, unknown> => structuredClone(pick(templates));
  // Values each field's schema refuses.
  const wrongValues: Record<string, unknown[]> = {
    id: [null, 1, 'text', '', 'x'.repeat(300), '0b2a3e8c-5f0e-4b1a-9c3d-2e4f6a8b0c1d'],
    ts: [null, 'text', -1, 1.5, [], {}],
    kind: [null, 'text', 1, ''],
    severity: ['text', 'info', 1, null],
    severityNumber: [0, 25, 1.5, 'text', null],
    template: [null, 1, [], {}],
    args: [null, 'text', {}, 1],
    message: [null, 1, [], {}],
    attributes: [null, 'text', [], 1],
    context: [null, {}, { vars: {} }, { stack: [] }, 'text', { vars: {}, stack: [{}] }, { vars: [], stack: [] }],
    schemaVersion: [2, '1', null, 0],
    userId: [1, null, {}, []],
    code: [{}, 'text', { module: 1, file: 'f', line: 1, function: 'g' }],
    name: ['', 1, 'x'.repeat(201)],
    error: [{}, 'text', { type: 1, message: 'm' }],
    service: ['text', { name: 1 }, { extra: 1 }],
    traceId: ['xyz', 1, 'ABC'],
  };
  const fields = Object.keys(wrongValues);

  const generators: Array<() => BadRequest> = [
    // Malformed JSON: truncated batches, stray bytes, JavaScript that is not JSON.
    () => {
      const text = JSON.stringify([event(), event()]);
      return { kind: 'truncated', body: text.slice(0, 1 + Math.floor(next() * (text.length - 2))), headers: json };
    },
    () => ({ kind: 'not-json', body: pick(['{', '[', '{"a":}', "{'id':1}", 'NaN', '[1,]', 'undefined', '\u0000', '{"a":1}}', 'nul']), headers: json }),
    () => ({ kind: 'random-bytes', body: Buffer.from(Array.from({ length: 1 + Math.floor(next() * 400) }, () => Math.floor(next() * 256))), headers: pick([json, ndjson]) }),
    // Wrongly typed fields and unknown fields.
    () => {
      const bad = event();
      const field = pick(fields);
      bad[field] = pick(wrongValues[field]!);
      return { kind: 'wrong-type', body: JSON.stringify(next() < 0.5 ? bad : [bad]), headers: json };
    },
    () => {
      const bad = event();
      // Not 'message': browsers may leave it for the collector to render.
      delete bad[pick(['id', 'ts', 'kind', 'severity', 'template', 'args', 'attributes', 'context', 'schemaVersion'])];
      return { kind: 'missing-field', body: JSON.stringify([bad]), headers: json };
    },
    () => {
      const bad = event();
      bad[`extra${Math.floor(next() * 100)}`] = 1;
      return { kind: 'unknown-field', body: `${JSON.stringify(bad)}\n`, headers: ndjson };
    },
    () => ({ kind: 'not-events', body: JSON.stringify(pick([[1, 2, 3], ['a'], [null], [[]], 42, 'str', null, true])), headers: json }),
    // Deep nesting, in objects and arrays.
    () => {
      const bad = event();
      bad['attributes'] = { deep: nested(17 + Math.floor(next() * 3000), 1, next() < 0.5) };
      return { kind: 'deep', body: JSON.stringify([bad]), headers: json };
    },
    // Oversized strings, events, key counts, batches.
    () => {
      const bad = event();
      // A string value past the limit is kept, truncated; a key past it is refused.
      bad['attributes'] = { ['k'.repeat(32 * 1024 + 1 + Math.floor(next() * 1000))]: 1 };
      return { kind: 'long-key', body: JSON.stringify([bad]), headers: json };
    },
    () => {
      const bad = event();
      bad['attributes'] = Object.fromEntries(Array.from({ length: 257 + Math.floor(next() * 100) }, (_, index) => [`k${index}`, index]));
      return { kind: 'many-keys', body: JSON.stringify([bad]), headers: json };
    },
    () => {
      const bad = event();
      bad['attributes'] = Object.fromEntries(Array.from({ length: 10 }, (_, index) => [`k${index}`, 'v'.repeat(30_000)]));
      return { kind: 'large-event', body: JSON.stringify([bad]), headers: json };
    },
    () => ({ kind: 'many-events', body: `[${Array.from({ length: 1001 }, () => '{}').join(',')}]`, headers: json }),
    // Wrong encodings: invalid UTF-8, other charsets, unknown or broken compression.
    () => {
      const text = Buffer.from(JSON.stringify([event()]));
      const at = Math.floor(next() * text.length);
      return { kind: 'invalid-utf8', body: Buffer.concat([text.subarray(0, at), Buffer.from([pick([0xc3, 0xff, 0xe2, 0x80])]), text.subarray(at)]), headers: json };
    },
    () => ({ kind: 'charset', body: JSON.stringify([event()]), headers: { ...json, 'content-type': `application/json; charset=${pick(['latin1', 'utf-16', 'shift_jis'])}` } }),
    () => ({ kind: 'encoding', body: JSON.stringify([event()]), headers: { ...json, 'content-encoding': pick(['br', 'zstd', 'compress']) } }),
    () => ({ kind: 'bad-gzip', body: Buffer.concat([gzipSync('[{}]').subarray(0, 12), Buffer.from('garbage')]), headers: { ...json, 'content-encoding': 'gzip' } }),
    () => ({ kind: 'content-type', body: JSON.stringify([event()]), headers: { ...json, 'content-type': pick(['application/xml', 'multipart/form-data; boundary=x', 'image/png', 'application/x-www-form-urlencoded']) } }),
    () => ({ kind: 'empty', body: pick(['', ' ', '\n\n', '[]']), headers: pick([json, ndjson]) }),
    // Prototype poisoning, at the top and nested.
    () => {
      const text = JSON.stringify(event());
      const where = pick(['top', 'attributes', 'vars', 'constructor']);
      const poisoned = where === 'top'
        ? text.replace('{', '{"__proto__":{"admin":true},')
        : where === 'attributes'
          ? text.replace('"attributes":{', '"attributes":{"__proto__":{"polluted":1},')
          : where === 'vars'
            ? text.replace('"vars":{', '"vars":{"__proto__":{"polluted":1},')
            : text.replace('"attributes":{', '"attributes":{"constructor":{"prototype":{"polluted":1}},');
      return { kind: 'proto', body: next() < 0.5 ? `[${poisoned}]` : `${poisoned}\n`, headers: pick([json, ndjson]) };
    },
    // Keys: none, unknown, or a read key used to write.
    () => ({
      kind: 'auth',
      body: JSON.stringify([event()]),
      headers: pick<Record<string, string>>([
        { 'content-type': 'application/json' },
        { 'content-type': 'application/json', authorization: 'Bearer not-a-real-key-0000000' },
        { 'content-type': 'application/json', authorization: `Bearer ${keys.read}` },
        { 'content-type': 'application/json', authorization: `Basic ${keys.ingest}` },
      ]),
    }),
    // NDJSON where every line is bad.
    () => ({
      kind: 'ndjson-all-bad',
      body: Array.from({ length: 1 + Math.floor(next() * 20) }, () => pick(['{', '[]', '{"id":1}', JSON.stringify({ ...event(), ts: -5 })])).join('\n'),
      headers: ndjson,
    }),
    // OTLP with nothing valid in it.
    () => ({ kind: 'otlp', path: '/v1/logs', body: pick(['{}', '[]', '{"resourceLogs":7}', '{"resourceLogs":[{"scopeLogs":"x"}]', 'x']), headers: json }),
  ];

  const requests: BadRequest[] = [];
  for (let index = 0; index < count; index++) requests.push(generators[index % generators.length]!());
  // A few that are expensive to build or send: over the body limit, and a compression bomb.
  for (let index = 0; index < 5; index++) {
    requests.push({ kind: 'huge-body', body: Buffer.alloc(5 * 1024 * 1024 + 10, 0x20), headers: json });
    requests.push({ kind: 'gzip-bomb', body: gzipSync(Buffer.alloc(64 * 1024 * 1024, 0x20)), headers: { ...json, 'content-encoding': 'gzip' } });
  }
  return requests;
}
