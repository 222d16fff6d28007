/**
 * The browser entry: lexical capture and the ambient slot only; nothing from `node:`. Messages that
 * need more than `%s` and `%d` are rendered by the collector, unless the page imports
 * `logmill/format` (Python-exact rendering, about 4 KB min+gzip).
 */
export * from './public-api.js';
export { type BrowserSink, type BrowserSinkOptions, browserSink } from './delivery/browser-sink.js';
export type { DeliveryOptions, DeliveryProblem, DeliveryStatistics } from './delivery/delivery.js';
// The checked captureErrors: browser builds also run where there is no window (React Native, workers).
export { type ErrorCaptureOptions, captureErrors } from './capture-errors.js';
