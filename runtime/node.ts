/** The Node entry: everything in `index.ts`, plus the AsyncLocalStorage fallback. */
import './node-fallback.js';

export * from './index.js';
export { type NdjsonOptions, type NdjsonSink, ndjsonSink } from './sinks/ndjson.js';
