/** What the listeners of `sipscope serve` are asked to open (--listen), what they opened, and what they feed. */
import type { ServerCore } from './core.js';
import type { LimitedLog } from './intake.js';
import type { PcapngRecorder } from './recorder.js';

export interface ListenSpec {
  /** UDP and TCP on one port; TLS; SIP over WebSocket (RFC 7118) on HTTP or HTTPS (ws-listener.ts). */
  kind: 'udp+tcp' | 'tls' | 'ws' | 'wss';
  address: string;
  port: number;
}

export interface Listening {
  transport: 'udp' | 'tcp' | 'tls' | 'ws' | 'wss';
  address: string;
  port: number;
}

export interface ListenContext {
  core: ServerCore;
  badInput: LimitedLog;
  recorder?: PcapngRecorder;
  tls?: { cert: Buffer; key: Buffer };
}
