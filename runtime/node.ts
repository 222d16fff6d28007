/** The Node entry: everything in `index.ts`, plus the AsyncLocalStorage fallback. */
import './node-fallback.js';
import './sinks/no-sink-hint.js';
import './logging/test-doubles.js';

export * from './index.js';
export { type NdjsonOptions, type NdjsonSink, ndjsonSink } from './sinks/ndjson.js';
export { type HttpSink, type HttpSinkOptions, httpSink } from './delivery/http-sink.js';
export { type DeliveryOptions, type DeliveryProblem, type DeliveryStatistics, describeDeliveryProblem } from './delivery/delivery.js';
