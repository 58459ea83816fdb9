/**
 * The accounts `sipscope serve` accepts: `user password` per line from a file (blank lines and `#` comments
 * skipped), plus changes made through the control API. A revoked user keeps its line but is refused with 403
 * (as Kamailio's auth_db refuses a deleted subscriber); restore lifts that. Passwords never leave this module
 * except into the digest verifier: listings give names and states only.
 */
import { readFileSync } from 'node:fs';
import { ServerError } from './errors.js';

export interface Account {
  user: string;
  password: string;
  /** Where the account came from: the users file, or the control API. */
  source: 'file' | 'control';
}

export interface AccountState {
  user: string;
  source: 'file' | 'control';
  revoked: boolean;
}

const USER_PATTERN = /^[A-Za-z0-9._~!$&'()*+,;=%-]{1,64}$/;

/** Parses a users file's text; throws ServerError naming the line of the first defect (never quoting a password). */
export function parseUsersFile(text: string, path: string): Map<string, string> {
  const users = new Map<string, string>();
  text.split(/\r?\n/).forEach((line, index) => {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const match = /^(\S+)\s+(\S.*)$/.exec(trimmed);
    if (!match) throw new ServerError('bad-users-file', `${path} line ${index + 1}: expected "user password"`);
    if (!USER_PATTERN.test(match[1])) throw new ServerError('bad-users-file', `${path} line ${index + 1}: user name "${match[1]}" is not a SIP user part`);
    // a second line for a user would leave which password counts to the order of the lines: refused, as a typo
    if (users.has(match[1])) throw new ServerError('bad-users-file', `${path} line ${index + 1}: user "${match[1]}" has a line already`);
    users.set(match[1], match[2].trim());
  });
  return users;
}

export class UserStore {
  private readonly accounts = new Map<string, Account>();
  private readonly revoked = new Set<string>();

  constructor(private readonly path?: string) {
    if (path !== undefined) this.reload();
  }

  /**
   * Reads the users file again: file accounts are replaced by its lines; accounts added through the control API
   * and revocations stay. Returns how many file accounts there are now.
   */
  reload(): number {
    if (this.path === undefined) return 0;
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (error) {
      throw new ServerError('bad-users-file', `${this.path}: cannot read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    const parsed = parseUsersFile(text, this.path);
    for (const [user, account] of [...this.accounts]) if (account.source === 'file' && !parsed.has(user)) this.accounts.delete(user);
    for (const [user, password] of parsed) {
      if (this.accounts.get(user)?.source !== 'control') this.accounts.set(user, { user, password, source: 'file' });
    }
    return parsed.size;
  }

  /** The password of an account that may authenticate now; undefined for unknown or revoked users. */
  passwordOf(user: string): string | undefined {
    if (this.revoked.has(user)) return undefined;
    return this.accounts.get(user)?.password;
  }

  isRevoked(user: string): boolean {
    return this.revoked.has(user);
  }

  add(user: string, password: string): void {
    if (!USER_PATTERN.test(user)) throw new ServerError('bad-control-request', `user name "${user}" is not a SIP user part`);
    if (password === '') throw new ServerError('bad-control-request', 'the password is empty');
    this.accounts.set(user, { user, password, source: 'control' });
    this.revoked.delete(user);
  }

  /** true when the user exists (its credential is refused from now on). */
  revoke(user: string): boolean {
    if (!this.accounts.has(user)) return false;
    this.revoked.add(user);
    return true;
  }

  restore(user: string): boolean {
    if (!this.accounts.has(user)) return false;
    this.revoked.delete(user);
    return true;
  }

  list(): AccountState[] {
    return [...this.accounts.values()].map((account) => ({ user: account.user, source: account.source, revoked: this.revoked.has(account.user) }));
  }
}
