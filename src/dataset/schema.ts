/**
 * The tables of a sipscope dataset and their columns: the one place the writer, the query views, the tests and
 * docs/dataset.md take them from. Types are DuckDB SQL types; on disk (Parquet) a `TIMESTAMPTZ` is INT64
 * TIMESTAMP(unit=MICROS, isAdjustedToUTC=true): microseconds since the Unix epoch, UTC. `host` and `date` are not
 * stored in the files: they are the hive partition directories (`TABLE/date=YYYY-MM-DD/host=NAME/`), which
 * DuckDB, Spark and pyarrow add to every row as columns.
 */

export type ColumnType = 'TIMESTAMPTZ' | 'VARCHAR' | 'BIGINT' | 'INTEGER' | 'DOUBLE' | 'BOOLEAN' | 'BIGINT[]' | 'VARCHAR[]';

export interface ColumnSpec {
  name: string;
  type: ColumnType;
  describe: string;
}

export const TABLE_NAMES = ['calls', 'findings', 'messages', 'registrations', 'outcomes'] as const;
export type TableName = (typeof TABLE_NAMES)[number];

const column = (name: string, type: ColumnType, describe: string): ColumnSpec => ({ name, type, describe });

export const TABLES: Readonly<Record<TableName, readonly ColumnSpec[]>> = {
  calls: [
    column('call_id', 'VARCHAR', 'Call-ID'),
    column('from_uri', 'VARCHAR', 'From URI of the first INVITE (no display name, no tag)'),
    column('to_uri', 'VARCHAR', 'To URI of the first INVITE'),
    column('username', 'VARCHAR', 'credential username the call authenticated with: of the accepted initial INVITE, else the first one a request of the call carried'),
    column('owner', 'VARCHAR', 'username the call is attributed to: `username`, else the user part of the From URI'),
    column('start_time', 'TIMESTAMPTZ', 'the first INVITE request'),
    column('end_time', 'TIMESTAMPTZ', 'the first BYE (or the final response / 481 / 408 that ended it); null while up'),
    column('duration_ms', 'DOUBLE', 'end_time - start_time in ms (3 decimals); null without end'),
    column('state', 'VARCHAR', 'attempted, ringing, answered, ended, failed, cancelled, torn-down or active'),
    column('reinvites', 'INTEGER', 'distinct re-INVITEs'),
    column('dialogs', 'INTEGER', 'dialogs the INVITE created (more than one when forked)'),
    column('ended_by', 'VARCHAR', 'caller or callee (who sent the BYE); null without BYE'),
    column('answer_time', 'TIMESTAMPTZ', 'the first 2xx to the initial INVITE (the INVITE time when the call began before the capture)'),
    column('started_before_capture', 'BOOLEAN', 'the first INVITE seen was already inside a dialog (such a call has no duration statistics)'),
    column('reinvite_failure_time', 'TIMESTAMPTZ', 'the first failed re-INVITE/UPDATE of the confirmed dialog (any final >= 300 but 401/407/491)'),
    column('forbidden_time', 'TIMESTAMPTZ', 'the first 403 to a re-INVITE/UPDATE of the confirmed dialog (a reinvite-forbidden finding)'),
    column('files', 'VARCHAR[]', 'capture files that held a message of the call'),
    column('first_packet', 'BIGINT', 'first frame of the call'),
    column('last_packet', 'BIGINT', 'last frame of the call'),
    column('packets', 'BIGINT[]', 'every frame of the call, ascending (at most 20,000)'),
    column('packets_truncated', 'BOOLEAN', 'the packet list was cut at its limit'),
  ],
  findings: [
    column('kind', 'VARCHAR', 'finding kind (reinvite-forbidden, register-forbidden, ...)'),
    column('severity', 'VARCHAR', 'error, warning or info'),
    column('call_id', 'VARCHAR', 'Call-ID, null when the finding has none'),
    column('username', 'VARCHAR', 'username, null when the finding has none'),
    column('time', 'TIMESTAMPTZ', 'when it happened'),
    column('packets', 'BIGINT[]', 'frames that prove it, ascending'),
    column('message', 'VARCHAR', 'one-line explanation'),
  ],
  messages: [
    column('time', 'TIMESTAMPTZ', 'capture time of the frame that completed the message'),
    column('file', 'VARCHAR', 'capture file (as given on the command line)'),
    column('packet', 'BIGINT', 'frame number (across the files of the run, as mergecap numbers them)'),
    column('src_ip', 'VARCHAR', 'source address'),
    column('src_port', 'INTEGER', 'source port'),
    column('dst_ip', 'VARCHAR', 'destination address'),
    column('dst_port', 'INTEGER', 'destination port'),
    column('transport', 'VARCHAR', 'udp, tcp, ws or sctp'),
    column('method', 'VARCHAR', 'request method; null for a response'),
    column('status', 'INTEGER', 'response status; null for a request'),
    column('call_id', 'VARCHAR', 'Call-ID'),
    column('cseq_number', 'BIGINT', 'CSeq number'),
    column('cseq_method', 'VARCHAR', 'CSeq method'),
    column('from_user', 'VARCHAR', 'user part of the From URI'),
    column('to_user', 'VARCHAR', 'user part of the To URI'),
    column('auth_user', 'VARCHAR', 'username of the Authorization / Proxy-Authorization of a request'),
    column('user_agent', 'VARCHAR', 'User-Agent header'),
    column('server', 'VARCHAR', 'Server header'),
    column('retransmission', 'BOOLEAN', 'a retransmission of a message already seen on the same hop'),
  ],
  registrations: [
    column('time', 'TIMESTAMPTZ', 'the final response to the REGISTER'),
    column('username', 'VARCHAR', 'credential username of the REGISTER, else its To user (the address-of-record)'),
    column('status', 'INTEGER', 'final status'),
    column('expires', 'INTEGER', 'binding lifetime granted by a 2xx (Expires header, else the Contact expires parameter); null otherwise'),
    column('credential_sent', 'BOOLEAN', 'the REGISTER carried Authorization for this username'),
    column('call_id', 'VARCHAR', 'Call-ID of the REGISTER'),
    column('cseq_number', 'BIGINT', 'CSeq number'),
    column('request_packet', 'BIGINT', 'frame of the REGISTER (null when not captured)'),
    column('response_packet', 'BIGINT', 'frame of the final response'),
  ],
  outcomes: [
    column('time', 'TIMESTAMPTZ', 'first frame of the final response'),
    column('call_id', 'VARCHAR', 'Call-ID'),
    column('cseq_number', 'BIGINT', 'CSeq number'),
    column('method', 'VARCHAR', 'method of the request (CSeq method)'),
    column('status', 'INTEGER', 'final status (>= 200)'),
    column('auth_user', 'VARCHAR', 'username of the credential the request carried on any hop; null when none'),
    column('in_dialog', 'BOOLEAN', 'the request was sent inside a dialog (To tag present)'),
    column('from_user', 'VARCHAR', 'user part of the From URI'),
    column('to_user', 'VARCHAR', 'user part of the To URI'),
    column('request_packet', 'BIGINT', 'frame of the request (null when not captured)'),
    column('response_packet', 'BIGINT', 'frame of the final response'),
  ],
};

/** The column every row of a table is partitioned by (its UTC date). */
export const PARTITION_TIME: Readonly<Record<TableName, string>> = {
  calls: 'start_time',
  findings: 'time',
  messages: 'time',
  registrations: 'time',
  outcomes: 'time',
};
