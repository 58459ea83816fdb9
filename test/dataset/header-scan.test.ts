/** header-scan: the header values the messages and registrations tables take from the bytes, as the parser reads them. */
import { describe, expect, it } from 'vitest';
import { grantedExpires, scanHeaders } from '../../src/dataset/header-scan.js';
import { getHeader, parseMessage } from '../../src/sip/index.js';
import { csvLine, messageCsvLine } from '../../src/dataset/staging.js';
import { TABLES } from '../../src/dataset/schema.js';

const bytes = (text: string) => new TextEncoder().encode(text);

describe('scanHeaders', () => {
  it('finds User-Agent and Server in any case, with space before the colon, folded, UTF-8; stops at the body', () => {
    const message =
      'SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP a;branch=z9hG4bK1\r\nsErVeR : Kamailio\r\n (5.6 \u00e9dition)\r\nuser-agent:x\r\nExpires: 600\r\n' +
      'm: <sip:a@b>;expires=300\r\nContent-Length: 24\r\n\r\nUser-Agent: in the body\r\n';
    const found = scanHeaders(bytes(message), true);
    const parsed = parseMessage(bytes(message));
    expect(found.server).toBe(getHeader(parsed, 'server'));
    expect(found.server).toBe('Kamailio (5.6 \u00e9dition)');
    expect(found.userAgent).toBe('x');
    expect(found).toMatchObject({ expires: '600', contact: '<sip:a@b>;expires=300' });
    expect(grantedExpires(found)).toBe(600);
    expect(grantedExpires({ ...found, expires: null })).toBe(300);
    expect(scanHeaders(bytes(message), false)).toMatchObject({ expires: null, contact: null });
  });

  it('null when absent; a header whose name only starts like a wanted one is not taken', () => {
    const found = scanHeaders(bytes('OPTIONS sip:a SIP/2.0\r\nServerX: no\r\nUser-Agents: no\r\nCall-ID: 1\r\n\r\n'), true);
    expect(found).toEqual({ userAgent: null, server: null, expires: null, contact: null });
  });
});

describe('messageCsvLine', () => {
  it('is csvLine for the messages table, quoting what CSV needs and leaving nulls empty', () => {
    const row = {
      time: 1764460800123456, file: 'a,b.pcap', packet: 7, src_ip: '::1', src_port: 5060, dst_ip: '10.0.0.1', dst_port: 5061,
      transport: 'udp', method: null, status: 200, call_id: 'x"y', cseq_number: 2, cseq_method: 'INVITE', from_user: '',
      to_user: null, auth_user: 'alice', user_agent: 'SIPp\nnew', server: null, retransmission: true,
    };
    expect(messageCsvLine(row)).toBe(csvLine(row, TABLES.messages));
    expect(messageCsvLine(row)).toBe('1764460800123456,"a,b.pcap",7,::1,5060,10.0.0.1,5061,udp,,200,"x""y",2,INVITE,"",,alice,"SIPp\nnew",,true\n');
  });
});
