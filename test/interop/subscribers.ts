/**
 * The subscriber database Kamailio's auth_db reads on every authorization: an SQLite file created with the
 * `sqlite3` CLI from the schema shipped by the Debian kamailio packages (standard + auth_db tables).
 * Deleting a row while Kamailio runs revokes that user's password at once.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { runChecked } from './processes.js';

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

/** Creates the database file with the Kamailio schema and the given subscribers (SQL fed on stdin, not argv). */
export async function createSubscriberDb(databasePath: string, subscribers: Subscriber[]): Promise<void> {
  await runChecked('sqlite3', ['-bail', databasePath], { timeoutMs: 30_000, input: `${schemaSql()}\n${insertSql(subscribers)}` });
}

export async function addSubscribers(databasePath: string, subscribers: Subscriber[]): Promise<void> {
  await runChecked('sqlite3', ['-bail', databasePath], { timeoutMs: 30_000, input: insertSql(subscribers) });
}

/** Deletes a subscriber row (revocation); returns how many rows went. */
export async function deleteSubscriber(databasePath: string, username: string): Promise<number> {
  const result = await runChecked('sqlite3', ['-bail', databasePath], {
    timeoutMs: 10_000,
    input: `DELETE FROM subscriber WHERE username = ${sqlString(username)};\nSELECT changes();\n`,
  });
  return Number.parseInt(result.stdout.trim(), 10);
}

export async function countSubscribers(databasePath: string, username: string): Promise<number> {
  const result = await runChecked('sqlite3', ['-bail', databasePath], {
    timeoutMs: 10_000,
    input: `SELECT count(*) FROM subscriber WHERE username = ${sqlString(username)};\n`,
  });
  return Number.parseInt(result.stdout.trim(), 10);
}
