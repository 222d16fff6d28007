/**
 * Logmill: logging and eventing with the logical async call stack and context variables on every
 * event. This entry imports nothing platform-specific; `logmill` resolves to `node.ts` on Node and
 * to `browser.ts` in browsers.
 */
import './format/full-message-renderer.js';

export * from './public-api.js';
