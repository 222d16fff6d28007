/** Generated events for analytics tests: envelopes shaped like the runtime's, with chosen users and attributes. */
import { uuidv7 } from 'logmill';

export interface EventSpec {
  userId?: string;
  template?: string;
  args?: unknown[];
  name?: string;
  severity?: 'INFO' | 'WARN' | 'ERROR';
  attributes?: Record<string, unknown>;
  vars?: Record<string, unknown>;
  ts?: number;
}

const severityNumbers = { INFO: 9, WARN: 13, ERROR: 17 } as const;

export function envelope(spec: EventSpec): string {
  const severity = spec.severity ?? 'INFO';
  const template = spec.template ?? 'page viewed';
  return JSON.stringify({
    id: uuidv7(),
    ts: spec.ts ?? Date.now() - 3_600_000,
    kind: spec.name === undefined ? 'log' : 'event',
    severity,
    severityNumber: severityNumbers[severity],
    ...(spec.name === undefined ? {} : { name: spec.name }),
    template,
    args: spec.args ?? [],
    message: template,
    attributes: spec.attributes ?? {},
    context: { vars: { ...spec.vars, ...(spec.userId === undefined ? {} : { userId: spec.userId }) }, stack: [] },
    ...(spec.userId === undefined ? {} : { userId: spec.userId }),
    schemaVersion: 1,
  });
}

/** Sends envelopes in NDJSON batches of 1000 and checks every batch was accepted. */
export async function ingestAll(url: string, key: string, lines: readonly string[]): Promise<void> {
  for (let start = 0; start < lines.length; start += 1000) {
    const response = await fetch(`${url}/v1/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/x-ndjson' },
      body: lines.slice(start, start + 1000).join('\n'),
    });
    if (response.status !== 200) throw new Error(`ingest failed: ${response.status} ${await response.text()}`);
  }
}
