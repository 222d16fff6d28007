/**
 * Logmill: logging and eventing with the logical async call stack and context variables on every
 * event. This entry imports nothing platform-specific; `logmill` resolves to `node.ts` on Node and
 * to `browser.ts` in browsers. The browser sink and error capture are here too, so code shared
 * between server and page (server-side rendering, tests under Node) imports them anywhere.
 */
import './format/full-message-renderer.js';

export * from './public-api.js';
export { type BrowserSink, type BrowserSinkOptions, browserSink } from './delivery/browser-sink.js';
export { type ErrorCaptureOptions, captureErrors } from './capture-errors.js';
