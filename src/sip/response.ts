/**
 * Responses built from the request they answer (RFC 3261 §8.2.6.2): every Via in order, From, Call-ID and CSeq
 * copied; To copied with a tag added when the request's To had none (a UAS's dialog-creating or stateless answer).
 * One builder for the client's in-dialog answers and the embedded server's.
 */
import { getHeader, getHeaders, type SipRequest } from './message.js';
import { formatMessage } from './serializer.js';

export interface ResponseSpec {
  status: number;
  reason: string;
  /** Tag put on To when the request's To has none (not for 100 Trying, §8.2.6.2). */
  toTag?: string;
  headers?: [string, string][];
  body?: string;
  contentType?: string;
}

export function buildResponseTo(request: SipRequest, spec: ResponseSpec): Buffer {
  const headers: Array<{ name: string; value: string }> = [];
  for (const via of getHeaders(request, 'via')) headers.push({ name: 'Via', value: via });
  headers.push({ name: 'From', value: getHeader(request, 'from') ?? '' });
  const to = getHeader(request, 'to') ?? '';
  const tagged = spec.status > 100 && spec.toTag !== undefined && !/;\s*tag=/i.test(to) ? `${to};tag=${spec.toTag}` : to;
  headers.push({ name: 'To', value: tagged });
  headers.push({ name: 'Call-ID', value: getHeader(request, 'call-id') ?? '' });
  headers.push({ name: 'CSeq', value: getHeader(request, 'cseq') ?? '' });
  for (const [name, value] of spec.headers ?? []) headers.push({ name, value });
  if (spec.body !== undefined && spec.body !== '') headers.push({ name: 'Content-Type', value: spec.contentType ?? 'application/sdp' });
  return formatMessage({ kind: 'response', status: spec.status, reason: spec.reason, headers, body: spec.body });
}
