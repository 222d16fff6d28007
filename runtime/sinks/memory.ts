/** An in-memory sink for tests: keeps every event it receives. */
import { type SinkOptions, addSink } from '../events.js';
import { checkKnownOptions } from '../invalid-argument.js';
import type { LogmillEvent } from '../logging/event.js';

export interface MemorySink {
  readonly events: LogmillEvent[];
  /** The rendered messages, in order. */
  messages(): string[];
  clear(): void;
  /** Stops receiving events. */
  close(): void;
}

export function memorySink(options: SinkOptions = {}): MemorySink {
  checkKnownOptions(options, ['level'], 'memorySink');
  const events: LogmillEvent[] = [];
  const remove = addSink((event) => events.push(event), options);
  return {
    events,
    messages: () => events.map((event) => event.message),
    clear: () => void events.splice(0, events.length),
    close: remove,
  };
}
