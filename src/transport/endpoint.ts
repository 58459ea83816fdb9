/** Where a transport goes: the transport names, an address and port, a resolved target (imported by errors.ts too). */

export type TransportName = 'udp' | 'tcp' | 'tls' | 'ws' | 'wss';

export interface Endpoint {
  address: string;
  port: number;
  family: 4 | 6;
}

/** A resolved place to send to (RFC 3263 §4): transport, address, port; `hostname` for TLS SNI and the WS Host. */
export interface TransportTarget extends Endpoint {
  transport: TransportName;
  hostname?: string;
}
