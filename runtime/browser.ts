/** The browser entry: lexical capture and the ambient slot only; nothing from `node:`. */
export * from './index.js';
export { type BrowserSink, type BrowserSinkOptions, browserSink } from './delivery/browser-sink.js';
export type { DeliveryOptions, DeliveryStatistics } from './delivery/delivery.js';
export { type ErrorCaptureOptions, captureErrors } from './browser-errors.js';
