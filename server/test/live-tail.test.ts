/**
 * The live tail's bound on what a subscriber has not read: in bytes, so large events cannot make
 * a stalled subscriber hold hundreds of megabytes (a bound of 1000 events held 30 MB per
 * subscriber of 30 KB events), and what was dropped is said once the subscriber reads again.
 */
import { describe, expect, it } from 'vitest';
import type { EventRow } from '../domain/event-row.js';
import { LiveTail, maxQueuedBytes, maxSubscribers } from '../collector/live-tail.js';

function row(index: number, size: number): EventRow {
  return {
    project: 'default', id: `01890000-0000-7000-8000-${String(index).padStart(12, '0')}`, ts: 0, received_at: 0, kind: 'log', name: null, severity: 'INFO', severity_number: 9,
    template: 'big %s', message: `big ${'x'.repeat(size)}`, args: [], attributes: {}, context_vars: {}, stack: [], experiments: {}, user_id: null, session_id: null,
    module: null, file: null, line: null, function_name: null, error_type: null, error: null, service: null, trace_id: null, span_id: null,
  };
}

/** A subscriber's connection that never sends: everything written stays queued. */
function stalledOutput(): { chunks: string[]; write(chunk: string): void; queuedBytes(): number } {
  const chunks: string[] = [];
  return { chunks, write: (chunk) => void chunks.push(chunk), queuedBytes: () => chunks.reduce((sum, chunk) => sum + Buffer.byteLength(chunk), 0) };
}

describe('the live tail', () => {
  it('holds at most about a megabyte for a subscriber that does not read, and says how many events it dropped', () => {
    const tail = new LiveTail();
    const output = stalledOutput();
    const subscription = tail.subscribe({ project: 'default' }, output)!;
    for (let batch = 0; batch < 100; batch++) tail.publish(Array.from({ length: 10 }, (_, index) => row(batch * 10 + index, 30 * 1024)));
    // One event past the bound at most: 1000 events of 30 KB were published.
    expect(output.queuedBytes()).toBeLessThan(maxQueuedBytes + 32 * 1024);
    const delivered = output.chunks.length;
    expect(delivered).toBeGreaterThan(30);
    output.chunks.length = 0;
    subscription.drained();
    expect(output.chunks).toEqual([`event: dropped\ndata: ${JSON.stringify({ dropped: 1000 - delivered })}\n\n`]);
  });

  it(`serves at most ${maxSubscribers} subscribers at once, and takes another when one leaves`, () => {
    const tail = new LiveTail();
    const subscriptions = Array.from({ length: maxSubscribers }, () => tail.subscribe({ project: 'default' }, stalledOutput()));
    expect(subscriptions.every((subscription) => subscription !== undefined)).toBe(true);
    expect(tail.subscribe({ project: 'default' }, stalledOutput())).toBeUndefined();
    subscriptions[0]!.close();
    expect(tail.subscribe({ project: 'default' }, stalledOutput())).toBeDefined();
  });
});
