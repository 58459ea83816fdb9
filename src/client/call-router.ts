/**
 * Hands what the peer sends on a shared transport to the call it belongs to (by Call-ID): its in-dialog requests
 * and the retransmitted 2xx responses the transaction layer no longer matches. Requests for no call get 481
 * (RFC 3261 §12.2.2). A request retransmitted by the peer gets the same answer again without reaching the call
 * (the server transaction's job, §17.2), from a bounded cache.
 */
import { buildResponseTo, getHeader, topViaOf, type SipRequest, type SipResponse } from '../sip/index.js';
import type { TransactionLayer } from './transaction.js';

export interface CallEndpoint {
  /** Answers a request of the peer: the response bytes (the endpoint builds them), or undefined for ACK. */
  request(request: SipRequest): Buffer | undefined;
  strayResponse(response: SipResponse): void;
}

const ANSWER_CACHE_LIMIT = 1024;

export class CallRouter {
  private readonly calls = new Map<string, CallEndpoint>();
  private readonly answered = new Map<string, Buffer>();

  constructor(private readonly layer: TransactionLayer) {
    layer.core = {
      request: (request) => this.request(request),
      strayResponse: (response) => {
        const callId = getHeader(response, 'call-id');
        if (callId !== undefined) this.calls.get(callId)?.strayResponse(response);
      },
    };
  }

  add(callId: string, endpoint: CallEndpoint): void {
    this.calls.set(callId, endpoint);
  }

  remove(callId: string): void {
    this.calls.delete(callId);
  }

  private request(request: SipRequest): void {
    let branch: string | undefined;
    try {
      branch = topViaOf(request)?.branch;
    } catch {
      return; // no Via we can answer to
    }
    const key = `${branch ?? ''} ${request.method}`;
    const again = branch !== undefined ? this.answered.get(key) : undefined;
    if (again) {
      this.send(again);
      return;
    }
    const callId = getHeader(request, 'call-id');
    const endpoint = callId === undefined ? undefined : this.calls.get(callId);
    let answer: Buffer | undefined;
    if (endpoint) answer = endpoint.request(request);
    else if (request.method !== 'ACK') answer = buildResponseTo(request, { status: 481, reason: 'Call/Transaction Does Not Exist', toTag: 'sipscope' });
    if (!answer) return;
    if (branch !== undefined) {
      if (this.answered.size >= ANSWER_CACHE_LIMIT) this.answered.delete(this.answered.keys().next().value!);
      this.answered.set(key, answer);
    }
    this.send(answer);
  }

  private send(bytes: Buffer): void {
    try {
      this.layer.sendStateless(bytes);
    } catch {
      // the transport failed: the call learns it from its own next transaction
    }
  }
}
