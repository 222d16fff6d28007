/** The transformer's hooks on Node, with the AsyncLocalStorage fallback installed. */
import './node-fallback.js';

export * from './hooks.js';
/** Node's, mirroring into AsyncLocalStorage, in place of the plain one in hooks.ts. */
export { mirroredSlot } from './node-mirrored-slot.js';
