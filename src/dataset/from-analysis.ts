/**
 * The one adapter between the analysis and a dataset sink: it turns what the analysis sees and produces into
 * table rows. Fed today by the batch Analyzer (each decoded message with the analysis' reading of it, then the
 * finished result); the streaming analyzer's events (a finished call, a finding) map onto call() and finding().
 *
 * Besides the rows of the analysis result, it keeps per transaction (Call-ID, CSeq, method) what the request said
 * on any hop (credential, in-dialog), so that each final response becomes an `outcomes` row (and a
 * `registrations` row for REGISTER) attributed as the analysis attributes it (analysis/analyzer.ts outcomeOf),
 * and per call what the call summary lacks (capture files, answer time, last frame). Both are bounded.
 */
import type { AnalysisResult, CallSummary, Finding, ObservedMessage } from '../analysis/index.js';
import type { SipPayload } from '../capture/types.js';
import { parseUri, unescapeUri } from '../sip/index.js';
import { GenerationalMap } from './bounded.js';
import { grantedExpires, scanHeaders } from './header-scan.js';
import type { DatasetSink } from './sink.js';

interface RequestSeen {
  authUser: string | null;
  inDialog: boolean;
  requestPacket: number;
  fromUser: string | null;
  toUser: string | null;
}

interface CallSeen {
  files: Set<string>;
  answerUs?: number;
  startedBeforeCapture: boolean;
  lastPacket: number;
}

/** Most transactions remembered (oldest forgotten first), as the analysis bounds its dedupe set. */
const MAX_REQUESTS = 50_000;
/** Most calls tracked at once: the analysis' own call limit (analysis/calls.ts DEFAULT_CALL_LIMITS.maxCalls). */
const MAX_CALLS = 200_000;
const MAX_JUDGED = 50_000;
const USER_CACHE_ENTRIES = 8192;

export class AnalysisRows {
  private readonly requests = new GenerationalMap<RequestSeen>(MAX_REQUESTS);
  private readonly judged = new GenerationalMap<true>(MAX_JUDGED);
  private readonly calls = new Map<string, CallSeen>();
  /** First reinvite-forbidden time per Call-ID, until the call's row is written. */
  private readonly forbidden = new Map<string, number>();
  private readonly users = new Map<string, string | null>();
  /**
   * A finished call whose row waits for its findings: the streaming analyzer reports a call and then the findings
   * its end reveals (a reinvite-forbidden gives the row its forbidden_time); the next event writes it.
   */
  private pendingCall?: CallSummary;

  constructor(private readonly sink: DatasetSink) {}

  /** One usable message as the analysis read it (`observed`), with the decoded payload it came from. */
  message(payload: SipPayload, observed: ObservedMessage, retransmission: boolean): void {
    if (this.pendingCall) this.writeCall();
    const fields = observed.fields;
    const headers = scanHeaders(payload.bytes, observed.kind === 'response' && fields.cseqMethod === 'REGISTER');
    const fromUser = this.userOf(fields.fromUri);
    const toUser = this.userOf(fields.toUri);
    const authUser = fields.credential?.username ?? null;
    this.sink.message({
      time: observed.timeUs,
      file: observed.file,
      packet: observed.packetNumber,
      src_ip: observed.src.ip,
      src_port: observed.src.port,
      dst_ip: observed.dst.ip,
      dst_port: observed.dst.port,
      transport: payload.transport,
      method: observed.kind === 'request' ? observed.method : null,
      status: observed.kind === 'response' ? observed.status : null,
      call_id: fields.callId,
      cseq_number: fields.cseqNumber,
      cseq_method: fields.cseqMethod,
      from_user: fromUser,
      to_user: toUser,
      auth_user: authUser,
      user_agent: headers.userAgent,
      server: headers.server,
      retransmission,
    });
    this.trackCall(observed, retransmission);
    if (retransmission) return;
    const key = `${fields.callId} ${fields.cseqNumber} ${fields.cseqMethod}`;
    if (observed.kind === 'request') {
      if (observed.method === 'ACK') return; // no response: nothing to attribute
      const seen = this.requests.get(key);
      if (seen) {
        seen.authUser ??= authUser;
      } else {
        this.requests.set(key, { authUser, inDialog: fields.toTag !== undefined, requestPacket: observed.packetNumber, fromUser, toUser });
      }
      return;
    }
    const status = observed.status;
    if (status < 200) return;
    // one outcome per request and status over all hops: its first frame (as the analysis judges them)
    const judgedKey = `${key} ${status}`;
    if (this.judged.has(judgedKey)) return;
    this.judged.set(judgedKey, true);
    const request = this.requests.get(key);
    const outcome = {
      time: observed.timeUs,
      call_id: fields.callId,
      cseq_number: fields.cseqNumber,
      method: fields.cseqMethod,
      status,
      auth_user: request?.authUser ?? null,
      in_dialog: request?.inDialog ?? false,
      from_user: request?.fromUser ?? fromUser,
      to_user: request?.toUser ?? toUser,
      request_packet: request?.requestPacket ?? null,
      response_packet: observed.packetNumber,
    };
    this.sink.outcome(outcome);
    if (fields.cseqMethod === 'REGISTER') {
      this.sink.registration({
        time: outcome.time,
        // RFC 3261 §10.2: the To header of a REGISTER names the address-of-record
        username: outcome.auth_user ?? outcome.to_user,
        status,
        expires: status < 300 ? grantedExpires(headers) : null,
        credential_sent: outcome.auth_user !== null,
        call_id: outcome.call_id,
        cseq_number: outcome.cseq_number,
        request_packet: outcome.request_packet,
        response_packet: outcome.response_packet,
      });
    }
  }

  /** A finding of the analysis (batch result or streamed event). */
  finding(finding: Finding): void {
    if (finding.kind === 'reinvite-forbidden' && finding.callId !== undefined) {
      const earlier = this.forbidden.get(finding.callId);
      if (earlier === undefined || finding.timeUs < earlier) this.forbidden.set(finding.callId, finding.timeUs);
    }
    this.sink.finding({
      kind: finding.kind,
      severity: finding.severity,
      call_id: finding.callId ?? null,
      username: finding.username ?? null,
      time: finding.timeUs,
      packets: finding.packets,
      message: finding.message,
    });
  }

  /** A finished call; its row is written once the findings reported right after it are in. */
  call(summary: CallSummary): void {
    if (this.pendingCall) this.writeCall();
    this.pendingCall = summary;
  }

  /** The end of the analysis: writes the last call's row. */
  end(): void {
    if (this.pendingCall) this.writeCall();
  }

  /** The batch analysis' result: its findings, then its calls. */
  finish(result: AnalysisResult): void {
    for (const finding of result.findings) this.finding(finding);
    for (const call of result.calls) this.call(call);
    this.end();
  }

  /** Writes the pending call's row; its per-call state is dropped. */
  private writeCall(): void {
    const summary = this.pendingCall!;
    this.pendingCall = undefined;
    const seen = this.calls.get(summary.callId);
    const forbiddenUs = this.forbidden.get(summary.callId);
    this.calls.delete(summary.callId);
    this.forbidden.delete(summary.callId);
    const packets = summary.packets;
    this.sink.call({
      call_id: summary.callId,
      from_uri: summary.from,
      to_uri: summary.to,
      username: summary.username ?? null,
      owner: summary.owner ?? null,
      start_time: summary.startUs,
      end_time: summary.endUs ?? null,
      duration_ms: summary.durationMs ?? null,
      state: summary.state,
      reinvites: summary.reinvites,
      dialogs: summary.dialogs,
      ended_by: summary.endedBy ?? null,
      answer_time: seen?.answerUs ?? null,
      started_before_capture: seen?.startedBeforeCapture ?? false,
      reinvite_failure_time: summary.reinviteFailureUs ?? null,
      forbidden_time: forbiddenUs ?? null,
      files: seen ? [...seen.files] : [],
      first_packet: packets.length > 0 ? packets[0] : null,
      last_packet: seen?.lastPacket ?? (packets.length > 0 ? packets[packets.length - 1] : null),
      packets,
      packets_truncated: summary.packetsTruncated,
    });
  }

  /**
   * What a call row needs beyond the call summary, tracked as the analysis' CallTable opens calls (an INVITE of a
   * new Call-ID) and answers them (the first 2xx to an initial INVITE; at once for a call that began before the
   * capture, analysis/calls.ts).
   */
  private trackCall(observed: ObservedMessage, retransmission: boolean): void {
    const fields = observed.fields;
    let call = this.calls.get(fields.callId);
    if (!call) {
      if (observed.kind !== 'request' || observed.method !== 'INVITE' || this.calls.size >= MAX_CALLS) return;
      const startedBeforeCapture = fields.toTag !== undefined;
      call = { files: new Set(), startedBeforeCapture, answerUs: startedBeforeCapture ? observed.timeUs : undefined, lastPacket: 0 };
      this.calls.set(fields.callId, call);
    }
    call.files.add(observed.file);
    for (const packet of observed.packets) if (packet > call.lastPacket) call.lastPacket = packet;
    if (retransmission || call.answerUs !== undefined || observed.kind !== 'response') return;
    const status = observed.status;
    if (fields.cseqMethod !== 'INVITE' || status < 200 || status >= 300) return;
    const request = this.requests.get(`${fields.callId} ${fields.cseqNumber} INVITE`);
    if (!request?.inDialog) call.answerUs = observed.timeUs;
  }

  /** User part of a URI, unescaped; cached (a dialog repeats its From and To), bounded. */
  private userOf(uri: string): string | null {
    let user = this.users.get(uri);
    if (user === undefined) {
      try {
        const parsed = parseUri(uri);
        user = parsed.user === undefined ? null : unescapeUri(parsed.user);
      } catch {
        user = null;
      }
      if (this.users.size >= USER_CACHE_ENTRIES) this.users.clear();
      this.users.set(uri, user);
    }
    return user;
  }
}
