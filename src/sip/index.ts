export * from './errors.js';
export * from './message.js';
export * from './parser.js';
export * from './framing.js';
export * from './digest/index.js';
