/** What the readers of a reassembled TCP stream share: where messages and issues go, and how issues name the flow. */
import type { TcpFlow } from './tcp-flow.js';
import type { DecodeIssue, FrameMeta, SipPayload } from './types.js';

export interface StreamSink {
  message(p: SipPayload): void;
  issue(i: DecodeIssue): void;
}

export interface StreamContext {
  sink: StreamSink;
  /** The frame whose bytes are being read (completes any message finished now). */
  meta: FrameMeta;
  maxBufferedBytes: number;
  lookBytes: number;
}

export function flowName(flow: TcpFlow): string {
  return `${flow.src.ip}:${flow.src.port} -> ${flow.dst.ip}:${flow.dst.port}`;
}

export function reportIssue(context: StreamContext, flow: TcpFlow, code: string, what: string): void {
  const { meta } = context;
  context.sink.issue({
    code,
    message: `${what} (TCP ${flowName(flow)}, packet ${meta.packetNumber})`,
    file: meta.file,
    packetNumber: meta.packetNumber,
    offset: meta.offset,
  });
}

