/**
 * On Node, the first warning or error logged while no sink is configured prints a one-time hint on
 * stderr, as Node prints its own warnings: without it an app that never called `prettySink()`,
 * `ndjsonSink()` or `httpSink()` drops its errors in silence. The hint is a sink at `warn` that
 * speaks only when it is alone and removes itself after its first event, so it costs nothing once
 * a real sink is there. Browsers have no such hint (their bundle pays for every byte).
 */
import { addSink, sinkRegistry } from '../events.js';
import type { LogmillEvent } from '../logging/event.js';
import { sharedState } from '../shared-state.js';

// One hint per process, even when both the ESM and the CommonJS builds are loaded.
const hint = /* @__PURE__ */ sharedState<{ installed: boolean; done: boolean }>('no-sink-hint.v1', () => ({ installed: false, done: false }));

function describe(event: LogmillEvent): string {
  const text = event.kind === 'event' ? event.name : event.message;
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

if (!hint.installed) {
  hint.installed = true;
  const remove = addSink((event) => {
    if (hint.done) return;
    hint.done = true;
    const alone = sinkRegistry.sinks.length === 1;
    // Removed after the loop that is dispatching this event, whose indices it would shift.
    queueMicrotask(remove);
    if (!alone) return;
    process.stderr.write(
      `logmill: ${event.severity} logged with no sink configured, so nothing is output: ${JSON.stringify(describe(event))}\n` +
      'logmill: add prettySink() for the console, ndjsonSink() for JSON lines or httpSink() for a collector; addSink(() => {}) discards on purpose (this hint is shown once)\n',
    );
  }, { level: 'warn' });
}
