/**
 * Outgoing requests as a structured value (so ACK and the challenge round can be derived from them) and their
 * wire form (RFC 3261 §7: start line, header fields, empty line, body; Content-Length always present, §18.3).
 */
import { formatMessage, parseCSeq, type CSeq } from '../sip/index.js';


export interface OutgoingRequest {
  method: string;
  uri: string;
  /** Header fields in wire order as [name, value]; Content-Length is added by serializeRequest. */
  headers: [string, string][];
  body?: string;
}

/** Wire bytes of the request, written by the one serializer (src/sip/serializer.ts formatMessage). */
export function serializeRequest(request: OutgoingRequest): Buffer {
  // a loop, not map(): always a packed array, which formatMessage's optimised code expects (an optimised map()
  // returns a holey one and deoptimised it once per load-mode run)
  const headers: { name: string; value: string }[] = [];
  for (const [name, value] of request.headers) headers.push({ name, value });
  return formatMessage({ kind: 'request', method: request.method, uri: request.uri, headers, body: request.body });
}

/** The CSeq of a request we built (RFC 3261 §8.1.1.5: every request carries one), read by the one CSeq parser. */
export function requestCSeq(request: OutgoingRequest): CSeq {
  return parseCSeq(headerValue(request, 'CSeq') ?? '');
}

/**
 * The first value of a header field, its name compared without case (RFC 3261 §7.3.1). Names we wrote ourselves are
 * spelt as asked, so the exact comparison answers first; only a field of the same length is lowercased.
 */
export function headerValue(request: OutgoingRequest, name: string): string | undefined {
  let wanted: string | undefined;
  for (const [field, value] of request.headers) {
    if (field === name) return value;
    if (field.length !== name.length) continue;
    wanted ??= name.toLowerCase();
    if (field.toLowerCase() === wanted) return value;
  }
  return undefined;
}

/** A copy with the named header replaced in place (or appended when absent). */
export function withHeader(request: OutgoingRequest, name: string, value: string): OutgoingRequest {
  const wanted = name.toLowerCase();
  const headers = request.headers.map(([field, old]): [string, string] => [field, field.toLowerCase() === wanted ? value : old]);
  if (!request.headers.some(([field]) => field.toLowerCase() === wanted)) headers.push([name, value]);
  return { ...request, headers };
}

/** Sets the branch parameter of the top Via (each new transaction needs a new one, RFC 3261 §8.1.1.7). */
export function withBranch(request: OutgoingRequest, branch: string): OutgoingRequest {
  const via = headerValue(request, 'Via');
  if (via === undefined) throw new Error('request has no Via header');
  return withHeader(request, 'Via', via.replace(/;branch=[^;,\s]*/i, `;branch=${branch}`));
}

export function branchOf(request: OutgoingRequest): string {
  const match = /;branch=([^;,\s]+)/i.exec(headerValue(request, 'Via') ?? '');
  if (!match) throw new Error('request Via has no branch');
  return match[1];
}
