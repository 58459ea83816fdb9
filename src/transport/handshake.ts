/** What a WebSocket handshake (RFC 6455 §4.1) carries and gets back beyond the upgrade itself. */

/**
 * A bearer token presented at the WebSocket handshake (browser-calling gateways check it before the upgrade):
 * as a query parameter of the request URI, or as a request header. The value is never logged or shown.
 */
export interface HandshakeToken {
  value: string;
  placement: 'query' | 'header';
  /** Query parameter or header name, e.g. `token` or `Authorization` (sent as `Bearer <token>`). */
  name: string;
  /** The token's `exp` (seconds since the epoch) when known, for reporting its remaining lifetime. */
  expiresAt?: number;
}

/** The HTTP answer to the WebSocket upgrade (RFC 6455 §4.1): 101 on success, else e.g. 401 or 403. */
export interface HandshakeAnswer {
  status: number;
  reason: string;
}
