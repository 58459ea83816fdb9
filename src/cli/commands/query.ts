/**
 * `sipscope query DIR [SQL]`: SQL, or a named question, over a dataset written by `analyze --dataset`, on DuckDB
 * embedded. The tables (calls, findings, messages, registrations, outcomes) are views with `date` and `host` from
 * the partition directories. Exit 0 on an answer, 2 on a local error (no dataset, SQL error: DuckDB's message).
 */
import type { Argv } from 'yargs';
import { parseIsoMicros } from '../../analysis/index.js';
import type { CliCommand } from '../command.js';
import type { CliIO } from '../io.js';
import { LocalError, localErrorsExit2 } from './analysis-run.js';

const QUESTIONS = ['revocations', 'damaged-calls', 'durations'] as const;

export const queryCommand: CliCommand = {
  command: 'query <dir> [sql]',
  describe: 'SQL or a named question (--revocations, --damaged-calls, --durations) over a dataset of analyze --dataset',
  builder: (yargs: Argv) =>
    yargs
      .positional('dir', { type: 'string', describe: 'dataset directory (written by analyze --dataset)' })
      .positional('sql', { type: 'string', describe: 'SQL over the views calls, findings, messages, registrations, outcomes' })
      .option('revocations', { type: 'boolean', describe: 'revocation timeline per credential across all hosts' })
      .option('damaged-calls', { type: 'boolean', describe: 'calls whose re-INVITE/UPDATE was refused with 403' })
      .option('durations', { type: 'boolean', describe: 'p50/p95/p99/max call duration (nearest rank) and the drain window' })
      .option('by', { type: 'string', choices: ['host'], describe: 'with --durations: one row per host' })
      .option('user', { type: 'string', describe: 'only this username (alone: that user\'s calls)' })
      .option('since', { type: 'string', describe: 'only rows at or after this ISO 8601 time (a call: its start)' })
      .option('until', { type: 'string', describe: 'only rows at or before this ISO 8601 time' })
      .option('json', { type: 'boolean', describe: 'rows as a JSON array of objects' })
      .option('csv', { type: 'boolean', describe: 'rows as CSV with a header line' })
      .conflicts('json', 'csv')
      .example('$0 query /shared/sip --revocations', 'who was revoked, when, which calls it cut, on which hosts')
      .example('$0 query /shared/sip --durations --by host', 'drain window per host')
      .example(`$0 query /shared/sip "SELECT host, count(*) FROM messages WHERE status = 403 GROUP BY host"`, 'any SQL'),
  run: (argv, io: CliIO) =>
    localErrorsExit2(io, 'query', async () => {
      const sql = questionSql(argv);
      const dataset = await import('../../dataset/index.js');
      let connection;
      try {
        connection = await dataset.DatasetConnection.open(String(argv.dir));
      } catch (error) {
        if (error instanceof dataset.DatasetError) throw new LocalError(error.message);
        throw error;
      }
      try {
        for (const skipped of connection.skipped) io.err(`sipscope query: skipped ${skipped.file}: ${skipped.reason}`);
        const result = await connection.query(sql ?? (await namedSql(argv, dataset)));
        io.out(argv.json === true ? dataset.renderJson(result) : argv.csv === true ? dataset.renderCsv(result) : dataset.renderTable(result));
        return 0;
      } catch (error) {
        if (error instanceof dataset.DatasetError) throw new LocalError(error.message);
        throw error;
      } finally {
        connection.close();
      }
    }),
};

/** The SQL given on the command line, after checking it is not combined with a named question. */
function questionSql(argv: Record<string, unknown>): string | undefined {
  const named = QUESTIONS.filter((name) => argv[name] === true);
  if (named.length > 1) throw new LocalError(`ask one question at a time (${named.map((name) => `--${name}`).join(', ')})`);
  if (argv.sql !== undefined && (named.length > 0 || argv.user !== undefined || argv.since !== undefined || argv.until !== undefined)) {
    throw new LocalError('give either SQL or a named question with its filters (--user, --since, --until), not both');
  }
  if (argv.by !== undefined && argv.durations !== true) throw new LocalError('--by host goes with --durations');
  for (const name of ['since', 'until'] as const) {
    if (argv[name] !== undefined && parseIsoMicros(String(argv[name])) === undefined) {
      throw new LocalError(`--${name} ${JSON.stringify(argv[name])} is not an ISO 8601 time such as 2026-11-23T22:13:00.5Z`);
    }
  }
  if (argv.sql === undefined && named.length === 0 && argv.user === undefined) {
    throw new LocalError('give SQL or a question: --revocations, --damaged-calls, --durations [--by host], --user U');
  }
  return argv.sql === undefined ? undefined : String(argv.sql);
}

async function namedSql(argv: Record<string, unknown>, dataset: typeof import('../../dataset/index.js')): Promise<string> {
  const filter = {
    user: argv.user === undefined ? undefined : String(argv.user),
    since: argv.since === undefined ? undefined : String(argv.since),
    until: argv.until === undefined ? undefined : String(argv.until),
  };
  if (argv.revocations === true) return dataset.revocationsSql(filter);
  if (argv['damaged-calls'] === true) return dataset.damagedCallsSql(filter);
  if (argv.durations === true) return dataset.durationsSql(filter, argv.by === 'host');
  return dataset.callsSql(filter);
}
