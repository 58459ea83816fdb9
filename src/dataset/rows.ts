/**
 * One row of each dataset table (see schema.ts for the meaning of each column). Keys are the column names; times
 * are microseconds since the Unix epoch (UTC); absent values are null.
 */

export interface MessageRow {
  time: number;
  file: string;
  packet: number;
  src_ip: string;
  src_port: number;
  dst_ip: string;
  dst_port: number;
  transport: string;
  method: string | null;
  status: number | null;
  call_id: string;
  cseq_number: number;
  cseq_method: string;
  from_user: string | null;
  to_user: string | null;
  auth_user: string | null;
  user_agent: string | null;
  server: string | null;
  retransmission: boolean;
}

export interface CallRow {
  call_id: string;
  from_uri: string;
  to_uri: string;
  username: string | null;
  owner: string | null;
  start_time: number;
  end_time: number | null;
  duration_ms: number | null;
  state: string;
  reinvites: number;
  dialogs: number;
  ended_by: string | null;
  answer_time: number | null;
  started_before_capture: boolean;
  reinvite_failure_time: number | null;
  forbidden_time: number | null;
  files: string[];
  first_packet: number | null;
  last_packet: number | null;
  packets: number[];
  packets_truncated: boolean;
}

export interface FindingRow {
  kind: string;
  severity: string;
  call_id: string | null;
  username: string | null;
  time: number;
  packets: number[];
  message: string;
}

export interface RegistrationRow {
  time: number;
  username: string | null;
  status: number;
  expires: number | null;
  credential_sent: boolean;
  call_id: string;
  cseq_number: number;
  request_packet: number | null;
  response_packet: number;
}

export interface OutcomeRow {
  time: number;
  call_id: string;
  cseq_number: number;
  method: string;
  status: number;
  auth_user: string | null;
  in_dialog: boolean;
  from_user: string | null;
  to_user: string | null;
  request_packet: number | null;
  response_packet: number;
}
