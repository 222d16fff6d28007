/**
 * Who an OTLP record is about: OpenTelemetry's `enduser.id`/`user.id` and `session.id` on the record
 * or on its resource become the event's user and session, so erasure and export find records that
 * name a person only the OpenTelemetry way, and what they did before signing in.
 */
import { describe, expect, it } from 'vitest';
import { otlpToEnvelopes } from '../collector/otlp-to-envelope.js';

const text = (key: string, value: string) => ({ key, value: { stringValue: value } });

function request(resource: { key: string; value: { stringValue: string } }[], records: { key: string; value: { stringValue: string } }[][]) {
  return { resourceLogs: [{ resource: { attributes: resource }, scopeLogs: [{ logRecords: records.map((attributes, index) => ({ timeUnixNano: `${1_795_600_000_000 + index}000000`, body: { stringValue: `line ${index}` }, attributes })) }] }] };
}

describe('the person of an OTLP record', () => {
  it('comes from the resource when the record does not name one, and the record wins when it does', () => {
    const envelopes = otlpToEnvelopes(request([text('service.name', 'app'), text('enduser.id', 'ria'), text('session.id', 'tab-1')], [[], [text('user.id', 'sam'), text('session.id', 'tab-2')]]), Date.now());
    expect(envelopes.map((envelope) => [envelope.userId, envelope.sessionId])).toEqual([
      ['ria', 'tab-1'],
      ['sam', 'tab-2'],
    ]);
  });

  it('is nobody when neither names one, and an empty id is no id', () => {
    const envelopes = otlpToEnvelopes(request([text('enduser.id', '')], [[], [text('session.id', 'tab-3')]]), Date.now());
    expect(envelopes.map((envelope) => [envelope.userId, envelope.sessionId])).toEqual([
      [undefined, undefined],
      [undefined, 'tab-3'],
    ]);
  });
});
