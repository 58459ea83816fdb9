/**
 * The subscriber database Kamailio's auth_db reads on every authorization: an SQLite file created with the
 * `sqlite3` CLI from the schema shipped by the Debian kamailio packages (standard + auth_db tables).
 * Deleting a row while Kamailio runs revokes that user's password at once.
 *
 * The file is in WAL mode (https://sqlite.org/wal.html) because the tests write it while Kamailio reads it.
 * Kamailio's db_sqlite (5.6) sets no busy timeout: in the default rollback-journal mode an auth_db query that
 * meets the lock of a commit (addSubscribers/deleteSubscriber of a test running side by side) fails at once with
 * "database is locked", www_authorize returns -1 instead of -3, and the registrar answers 401 instead of 403
 * (an "unknown user -> 403" check then sees 401 -> 401). In WAL mode a writer never blocks Kamailio's readers;
 * the writers (this file's sqlite3 runs) wait for each other through a busy timeout instead of failing.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { killGroup, runChecked, waitForExit, type CommandResult } from './processes.js';

const schemaDirectory = '/usr/share/kamailio/db_sqlite';
const schemaFiles = ['standard-create.sql', 'auth_db-create.sql'];

export interface Subscriber {
  username: string;
  domain: string;
  password: string;
}

/** A fresh random password for a throw-away test account (never a fixed string in the repo). */
export function randomPassword(): string {
  return `pw-${randomBytes(9).toString('base64url')}`;
}

function sqlString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

function schemaSql(): string {
  return schemaFiles
    .map((file) => {
      const schemaPath = path.join(schemaDirectory, file);
      if (!existsSync(schemaPath)) {
        throw new Error(`Kamailio SQLite schema ${schemaPath} is missing: install the Debian package kamailio-sqlite-modules`);
      }
      return readFileSync(schemaPath, 'utf8');
    })
    .join('\n');
}

function insertSql(subscribers: Subscriber[]): string {
  const rows = subscribers.map(
    (subscriber) =>
      `INSERT INTO subscriber (username, domain, password) VALUES (${sqlString(subscriber.username)}, ${sqlString(subscriber.domain)}, ${sqlString(subscriber.password)});`,
  );
  return `BEGIN;\n${rows.join('\n')}\nCOMMIT;\n`;
}

/** Runs SQL (on stdin, never argv) with the sqlite3 CLI; a lock held by another writer is waited for, not an error. */
function runSqlite(databasePath: string, sql: string, timeoutMs: number): Promise<CommandResult> {
  return runChecked('sqlite3', ['-bail', '-cmd', `.timeout ${timeoutMs / 2}`, databasePath], { timeoutMs, input: sql });
}

/** Creates the database file with the Kamailio schema and the given subscribers (SQL fed on stdin, not argv). */
export async function createSubscriberDb(databasePath: string, subscribers: Subscriber[]): Promise<void> {
  // journal_mode=WAL is stored in the file: every later connection (Kamailio's, sqlite3's) uses it
  const result = await runSqlite(databasePath, `PRAGMA journal_mode=WAL;\n${schemaSql()}\n${insertSql(subscribers)}`, 30_000);
  if (result.stdout.trim() !== 'wal') throw new Error(`${databasePath}: SQLite did not switch to WAL mode (printed ${result.stdout.trim()})`);
}

export async function addSubscribers(databasePath: string, subscribers: Subscriber[]): Promise<void> {
  await runSqlite(databasePath, insertSql(subscribers), 30_000);
}

/** Deletes a subscriber row (revocation); returns how many rows went. */
export async function deleteSubscriber(databasePath: string, username: string): Promise<number> {
  const result = await runSqlite(databasePath, `DELETE FROM subscriber WHERE username = ${sqlString(username)};\nSELECT changes();\n`, 10_000);
  return Number.parseInt(result.stdout.trim(), 10);
}

/** Changes a subscriber's password in place (an "immediate" rotation: same username, the old password dead at once). */
export async function setSubscriberPassword(databasePath: string, username: string, password: string): Promise<number> {
  const result = await runSqlite(databasePath, `UPDATE subscriber SET password = ${sqlString(password)} WHERE username = ${sqlString(username)};\nSELECT changes();\n`, 10_000);
  return Number.parseInt(result.stdout.trim(), 10);
}

export async function countSubscribers(databasePath: string, username: string): Promise<number> {
  const result = await runSqlite(databasePath, `SELECT count(*) FROM subscriber WHERE username = ${sqlString(username)};\n`, 10_000);
  return Number.parseInt(result.stdout.trim(), 10);
}

export interface HeldWriteLock {
  /** Commits the (empty) transaction and waits for sqlite3 to end. */
  release(): Promise<void>;
}

/**
 * Opens a write transaction with SQLite's strongest lock (BEGIN EXCLUSIVE) and holds it until `release()`: the
 * commit window of addSubscribers/deleteSubscriber stretched out, so a test can show what Kamailio answers
 * meanwhile. sqlite3 is killed after `timeoutMs` in any case.
 */
export function holdWriteLock(databasePath: string, timeoutMs: number): Promise<HeldWriteLock> {
  const child = spawn('sqlite3', ['-bail', databasePath], { stdio: ['pipe', 'pipe', 'pipe'], detached: true });
  const timer = setTimeout(() => killGroup(child.pid, 'SIGKILL'), timeoutMs);
  child.once('close', () => clearTimeout(timer));
  let stdout = '';
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  child.stdin.on('error', () => undefined);
  const release = async () => {
    child.stdin.end('COMMIT;\n');
    if (!(await waitForExit(child, 5000))) killGroup(child.pid, 'SIGKILL');
  };
  return new Promise((resolve, reject) => {
    child.once('error', (error) => reject(new Error(`cannot run sqlite3: ${error.message}`)));
    // settles the promise only when "locked" never came (a later reject after resolve is a no-op)
    child.once('close', (code) => reject(new Error(`sqlite3 ended before it held the lock on ${databasePath} (code ${code}): ${stderr}`)));
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      if (stdout.includes('locked')) resolve({ release });
    });
    // .print is flushed at once, so "locked" arrives while the transaction is open
    child.stdin.write('BEGIN EXCLUSIVE;\n.print locked\n');
  });
}
