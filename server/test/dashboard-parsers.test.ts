/**
 * The dashboard's two parsers, against the formats their servers really produce: the live tail's
 * Server-Sent Events (split at arbitrary points, as a network delivers them) and the collector's
 * own `/metrics` text.
 */
import { describe, expect, it } from 'vitest';
import { time } from '../dashboard/src/format.js';
import { parsePrometheusText, total } from '../dashboard/src/prometheus.js';
import { ServerSentEventParser } from '../dashboard/src/sse.js';
import { type CollectorProcess, keys, post, startCollector } from './helpers/collector-process.js';
import { envelopeLines } from './helpers/envelopes.js';

describe('ServerSentEventParser', () => {
  const stream = ': logmill live tail\n\ndata: {"a":1}\n\nevent: dropped\ndata: {"dropped":3}\n\ndata: line one\r\ndata: line two\r\n\r\ndata:no space\rdata: x\r\r: heartbeat\n\n';
  const expected = [
    { event: 'message', data: '{"a":1}' },
    { event: 'dropped', data: '{"dropped":3}' },
    { event: 'message', data: 'line one\nline two' },
    { event: 'message', data: 'no space\nx' },
  ];

  it('reads events, named events, multi-line data and every line ending', () => {
    expect(new ServerSentEventParser().push(stream)).toEqual(expected);
  });

  it('gives the same events however the stream is split', () => {
    for (let size = 1; size <= 7; size++) {
      const parser = new ServerSentEventParser();
      const events = [];
      for (let index = 0; index < stream.length; index += size) events.push(...parser.push(stream.slice(index, index + size)));
      expect(events).toEqual(expected);
    }
  });
});

describe('parsePrometheusText', () => {
  let collector: CollectorProcess;

  it("reads the collector's /metrics: counters by label, gauges, histogram samples", async () => {
    collector = await startCollector();
    try {
      const ingest = { authorization: `Bearer ${keys.ingest}`, 'content-type': 'application/x-ndjson' };
      expect((await post(`${collector.url}/v1/events`, envelopeLines(2).join('\n'), ingest)).status).toBe(200);
      expect((await post(`${collector.url}/v1/events`, 'not json', ingest)).status).toBe(400);
      const samples = parsePrometheusText(await (await fetch(`${collector.url}/metrics`, { headers: { authorization: `Bearer ${keys.admin}` } })).text());
      expect(total(samples, 'logmill_events_accepted_total')).toBe(2);
      expect(total(samples, 'logmill_requests_rejected_total')).toBeGreaterThanOrEqual(1);
      expect(samples.some((sample) => sample.name === 'logmill_requests_rejected_total' && sample.labels['reason'] !== undefined)).toBe(true);
      expect(total(samples, 'logmill_uptime_seconds')).toBeGreaterThan(0);
      const infinite = samples.find((sample) => sample.name === 'logmill_batch_events_bucket' && sample.labels['le'] === '+Inf');
      expect(infinite?.value).toBeGreaterThanOrEqual(1);
      expect(infinite?.value).toBe(total(samples, 'logmill_batch_events_count'));
    } finally {
      await collector.stop();
    }
  });

  it('unescapes label values and reads infinities', () => {
    const samples = parsePrometheusText('# HELP x y\n# TYPE x counter\nx{path="a\\"b\\\\c\\nd",code="200"} 3\nx{code="500"} +Inf\n');
    expect(samples).toEqual([
      { name: 'x', labels: { path: 'a"b\\c\nd', code: '200' }, value: 3 },
      { name: 'x', labels: { code: '500' }, value: Infinity },
    ]);
    expect(total(samples, 'x', { code: '200' })).toBe(3);
  });
});

describe('time', () => {
  it('prints an event time in UTC from every form the API gives, whatever the browser\'s zone', () => {
    const zone = process.env['TZ'];
    process.env['TZ'] = 'America/New_York';
    try {
      for (const value of ['2026-12-07 06:48:56.459', '2026-12-07T06:48:56.459Z', Date.UTC(2026, 11, 7, 6, 48, 56, 459), String(Date.UTC(2026, 11, 7, 6, 48, 56, 459))]) {
        expect(time(value)).toBe('2026-12-07 06:48:56.459');
      }
      expect(time('2026-12-07 06:48:56')).toBe('2026-12-07 06:48:56.000');
    } finally {
      if (zone === undefined) delete process.env['TZ'];
      else process.env['TZ'] = zone;
    }
  });
});
