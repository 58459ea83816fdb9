/**
 * The embedded message detail of one Call-ID as the page's ladder reads it: endpoint columns and compact message
 * rows (arrays, not objects), times as µs offsets from the report's origin.
 */
import type { CallDetail } from './model.js';

/** Columns of the ladders: address:port and the agent seen sending from it. */
export type EndpointColumn = [string, string];
/** time offset µs, from column, to column, label, packet, retransmission (0/1), status (0 for requests), CSeq, transport, text. */
export type MessageRow = [number, number, number, string, number, 0 | 1, number, string, string, string];
/** Call-ID, endpoint columns, messages, messages left out. */
export type DetailRow = [string, EndpointColumn[], MessageRow[], number];

/** One Call-ID's embedded message detail as a row; endpoints in order of first appearance. */
export function detailRow(detail: CallDetail, originUs: number): DetailRow {
  const columns: EndpointColumn[] = [];
  const columnOf = new Map<string, number>();
  const column = (ip: string, port: number): number => {
    const label = ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
    let index = columnOf.get(label);
    if (index === undefined) {
      columnOf.set(label, (index = columns.length));
      columns.push([label, '']);
    }
    return index;
  };
  const messages = detail.messages.map((message): MessageRow => {
    const from = column(message.src.ip, message.src.port);
    const to = column(message.dst.ip, message.dst.port);
    if (message.agent !== undefined && columns[from][1] === '') columns[from][1] = message.agent;
    return [
      message.timeUs - originUs,
      from,
      to,
      message.label,
      message.packetNumber,
      message.retransmission ? 1 : 0,
      message.status ?? 0,
      message.cseq,
      message.transport,
      message.text,
    ];
  });
  return [detail.callId, columns, messages, detail.omitted];
}
