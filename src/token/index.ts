/** SIP tokens (JWT) and Kamailio auth_ephemeral credentials: decode, inspect, verify, mint, rotation. */
export * from './errors.js';
export * from './decode.js';
export * from './keys.js';
export * from './inspect.js';
export * from './verify.js';
export * from './mint.js';
export * from './ttl.js';
export * from './rotation.js';
export * from './ephemeral.js';
