/**
 * What the HTML report is made from: the analysis result (src/analysis types, read only), the messages of the calls
 * whose ladders are embedded, and the registrations and 403s per credential for the timeline. The CLI gathers
 * these; src/report/html turns them into one self-contained page.
 */
import type { AnalysisResult } from '../../analysis/types.js';
import type { DecodeIssue, Endpoint } from '../../capture/types.js';

/** One message of a call as a ladder arrow and, when clicked, its text. */
export interface ReportMessage {
  packetNumber: number;
  timeUs: number;
  src: Endpoint;
  dst: Endpoint;
  transport: string;
  /** Method of a request, or `status reason` of a response (credentials in a URI redacted). */
  label: string;
  status?: number;
  /** CSeq as written ("6 INVITE"). */
  cseq: string;
  retransmission: boolean;
  /** The sender's User-Agent (requests) or Server (responses) header, when present. */
  agent?: string;
  /** The whole message as text, Authorization/Proxy-Authorization `response` redacted unless --show-secrets. */
  text: string;
}

/** The messages of one Call-ID, in capture order. */
export interface CallDetail {
  callId: string;
  messages: ReportMessage[];
  /** Messages left out beyond the per-call limit. */
  omitted: number;
}

/** Registrations (2xx to REGISTER) and 403 responses seen for one credential username, times in µs. */
export interface CredentialEvents {
  username: string;
  registrations: number[];
  forbidden: number[];
}

export interface HtmlReportInput {
  result: AnalysisResult;
  /** Capture files as the user named them. */
  files: string[];
  /** Embedded message detail by Call-ID (calls with findings and up to --max-calls others). */
  details: ReadonlyMap<string, CallDetail>;
  credentials: readonly CredentialEvents[];
  /** The first decoding problems (truncated packets, TCP gaps, ...); summary.decodeErrors counts them all. */
  decodeIssues: readonly DecodeIssue[];
  /** Calls whose detail was not embedded because of --max-calls (they are in the tables only). */
  callsWithoutDetail: number;
  /** Credentials are shown as captured (--show-secrets). */
  showSecrets: boolean;
  /** The filters the analysis ran with, shown in the header ("--user alice", "--since ..."). */
  filters: string[];
  /** "sipscope 0.1.0" and the like. */
  generator: string;
}
