/**
 * `sipscope query DIR [SQL]`: SQL, or a named question, over a dataset written by `analyze --dataset`, on DuckDB
 * embedded. The tables (calls, findings, messages, registrations, outcomes) are views with `date` and `host` from
 * the partition directories. Exit 0 on an answer, 2 on a local error (no dataset, SQL error: DuckDB's message).
 */
import type { QuestionFilter } from '../../dataset/index.js';
import { defineCommand } from '../command.js';
import { badArgument, CliError, EXIT } from '../exit.js';
import { windowOptions } from './analysis-run.js';
import { printable } from '../../report/printable.js';

const QUESTIONS = ['revocations', 'damagedCalls', 'durations'] as const;
const FLAG = { revocations: '--revocations', damagedCalls: '--damaged-calls', durations: '--durations' } as const;

export const queryCommand = defineCommand({
  command: 'query <dir> [sql]',
  describe: 'SQL or a named question (--revocations, --damaged-calls, --durations) over a dataset of analyze --dataset',
  options: {
    dir: { positional: true, type: 'string', describe: 'dataset directory (written by analyze --dataset)' },
    sql: { positional: true, type: 'string', describe: 'SQL over the views calls, findings, messages, registrations, outcomes' },
    revocations: { type: 'boolean', default: false, describe: 'revocation timeline per credential across all hosts' },
    'damaged-calls': { type: 'boolean', default: false, describe: 'calls whose re-INVITE/UPDATE was refused with 403' },
    durations: { type: 'boolean', default: false, describe: 'p50/p95/p99/max call duration (nearest rank) and the drain window' },
    by: { type: 'string', choices: ['host'] as const, describe: 'with --durations: one row per host' },
    user: { type: 'string', describe: "only this username (alone: that user's calls)" },
    since: { type: 'string', describe: 'only rows at or after this ISO 8601 time (a call: its start)' },
    until: { type: 'string', describe: 'only rows at or before this ISO 8601 time' },
    json: { type: 'boolean', default: false, describe: 'rows as a JSON array of objects' },
    csv: { type: 'boolean', default: false, describe: 'rows as CSV with a header line' },
  },
  examples: [
    ['$0 query /shared/sip --revocations', 'who was revoked, when, which calls it cut, on which hosts'],
    ['$0 query /shared/sip --durations --by host', 'drain window per host'],
    ['$0 query /shared/sip "SELECT host, count(*) FROM messages WHERE status = 403 GROUP BY host"', 'any SQL'],
  ],
  async run(args, io) {
    const named = QUESTIONS.filter((name) => args[name]);
    if (named.length > 1) throw badArgument(`ask one question at a time (${named.map((name) => FLAG[name]).join(', ')})`);
    const filter: QuestionFilter = { user: args.user, since: args.since, until: args.until };
    if (args.sql !== undefined && (named.length > 0 || Object.values(filter).some((value) => value !== undefined))) {
      throw badArgument('give either SQL or a named question with its filters (--user, --since, --until), not both');
    }
    if (args.sql === undefined && named.length === 0 && args.user === undefined) {
      throw badArgument('give SQL or a question: --revocations, --damaged-calls, --durations [--by host], --user U');
    }
    if (args.sql !== undefined && args.sql.trim() === '') throw badArgument('the SQL is empty: give a query, or a named question (--revocations, --damaged-calls, --durations)');
    if (args.by !== undefined && !args.durations) throw badArgument('--by host goes with --durations');
    if (args.json && args.csv) throw badArgument('--json and --csv: choose one');
    // the same checks of --since/--until as the capture commands (the dataset's SQL takes the texts themselves)
    windowOptions(args);
    const dataset = await import('../../dataset/index.js');
    const sql =
      args.sql ??
      (args.revocations
        ? dataset.revocationsSql(filter)
        : args.damagedCalls
          ? dataset.damagedCallsSql(filter)
          : args.durations
            ? dataset.durationsSql(filter, args.by === 'host')
            : dataset.callsSql(filter));
    let connection;
    try {
      connection = await dataset.DatasetConnection.open(args.dir);
    } catch (error) {
      if (error instanceof dataset.DatasetError) throw new CliError(error.code, error.message, { cause: error });
      throw error;
    }
    try {
      for (const skipped of connection.skipped) io.err(`sipscope query: skipped ${skipped.file}: ${skipped.reason}`);
      const result = await connection.query(sql);
      io.out(args.json ? dataset.renderJson(result) : args.csv ? dataset.renderCsv(result) : dataset.renderTable(result, printable));
      return EXIT.ok;
    } catch (error) {
      if (error instanceof dataset.DatasetError) throw new CliError(error.code, error.message, { cause: error });
      throw error;
    } finally {
      connection.close();
    }
  },
});
