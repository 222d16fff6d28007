/** The transformer's hooks on Node, with the AsyncLocalStorage fallback installed. */
import './node-fallback.js';

export * from './hooks.js';
