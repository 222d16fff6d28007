/** The browser entry: lexical capture and the ambient slot only; nothing from `node:`. */
export * from './index.js';
