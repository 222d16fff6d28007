// The OTLP/HTTP JSON exporter against a real HTTP server on loopback.
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { configureLogging, log, otlpExporter, withContext } from '../../runtime/node.js';

interface Received {
  resourceLogs: Array<{
    resource: { attributes: Array<{ key: string; value: Record<string, unknown> }> };
    scopeLogs: Array<{ scope: { name: string }; logRecords: Array<Record<string, unknown> & { attributes: Array<{ key: string; value: Record<string, unknown> }> }> }>;
  }>;
}

async function collector(statuses: number[]): Promise<{ url: string; bodies: Received[]; close: () => Promise<void> }> {
  const bodies: Received[] = [];
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    let text = '';
    request.on('data', (chunk: Buffer) => (text += chunk.toString()));
    request.on('end', () => {
      const status = statuses.shift() ?? 200;
      if (status === 200) bodies.push(JSON.parse(text) as Received);
      response.writeHead(status, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/v1/logs`, bodies, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

afterEach(() => configureLogging({ service: undefined }));

describe('OTLP/HTTP JSON exporter', () => {
  it('sends OTLP log records with semantic-convention attributes', async () => {
    const server = await collector([]);
    configureLogging({ service: { name: 'shop', version: '2.0.0' } });
    const exporter = otlpExporter({ url: server.url, headers: { authorization: 'Bearer test' } });
    withContext({ requestId: 'r1', userId: 'u7' }, () => {
      log.with({ password: 'secret!', cart: 3 }).warn('paid %s', 'ann');
      log.error('failed', new TypeError('nope'));
    });
    await exporter.shutdown();
    await server.close();
    expect(exporter.exported).toBe(2);
    const [body] = server.bodies;
    expect(body!.resourceLogs[0]!.resource.attributes).toEqual([
      { key: 'service.name', value: { stringValue: 'shop' } },
      { key: 'service.version', value: { stringValue: '2.0.0' } },
    ]);
    const [warn, error] = body!.resourceLogs[0]!.scopeLogs[0]!.logRecords;
    expect(warn).toMatchObject({ severityNumber: 13, severityText: 'WARN', body: { stringValue: 'paid ann' } });
    expect(String(warn!['timeUnixNano'])).toMatch(/^\d{19}$/);
    const attributes = Object.fromEntries(warn!.attributes.map((attribute) => [attribute.key, attribute.value]));
    expect(attributes).toMatchObject({
      'logmill.template': { stringValue: 'paid %s' },
      password: { stringValue: '[Filtered]' },
      cart: { intValue: '3' },
      'logmill.context.requestId': { stringValue: 'r1' },
      'enduser.id': { stringValue: 'u7' },
      'logmill.args': { arrayValue: { values: [{ stringValue: 'ann' }] } },
    });
    const errorAttributes = Object.fromEntries(error!.attributes.map((attribute) => [attribute.key, attribute.value]));
    expect(errorAttributes['exception.type']).toEqual({ stringValue: 'TypeError' });
    expect(errorAttributes['exception.message']).toEqual({ stringValue: 'nope' });
  });

  it('retries 5xx and 429, and drops (counting) after other refusals', async () => {
    const server = await collector([503, 429, 200, 400]);
    const exporter = otlpExporter({ url: server.url, interval: 60_000 });
    log.info('first batch');
    await exporter.flush();
    expect(exporter.exported).toBe(1);
    log.info('refused batch');
    await exporter.shutdown();
    await server.close();
    expect(exporter.dropped).toBe(1);
    expect(server.bodies).toHaveLength(1);
  });

  it('never throws when the collector is unreachable', async () => {
    const exporter = otlpExporter({ url: 'http://127.0.0.1:9/v1/logs', attempts: 2 });
    expect(() => log.info('nobody listens')).not.toThrow();
    await exporter.shutdown();
    expect(exporter.dropped).toBe(1);
  });
});
