/**
 * `sipscope token inspect|verify|mint|rotation-check|ephemeral`: browser-calling SIP tokens (HS256 JWT: iss, sub,
 * iat, exp) and Kamailio auth_ephemeral credentials. Keys and secrets come from environment variables or files,
 * never argv; keys and whole tokens are never printed. Exit 0 valid / done, 1 invalid token or credential, 2 local
 * error (bad option, missing or unusable key, unreadable file).
 */
import { printable } from '../../report/printable.js';
import { TokenError } from '../../token/errors.js';
import { camelCase } from '../option-table.js';
import { defineCommand } from '../command.js';
import { badArgument, CliError, EXIT, unexpectedArguments } from '../exit.js';
import type { CliIO } from '../io.js';
import { ACTION_OPTIONS, TOKEN_OPTIONS, type TokenAction, type TokenArguments } from './token-options.js';

type ActionRunner = (args: TokenArguments, io: CliIO, nowS: number) => Promise<number>;

// each action's file is loaded when it runs: jose (verify, mint, rotation-check) only then
const ACTIONS: Readonly<Record<TokenAction, () => Promise<ActionRunner>>> = {
  inspect: async () => (await import('./token-inspect.js')).runInspect,
  verify: async () => (await import('./token-verify.js')).runVerify,
  mint: async () => (await import('./token-mint.js')).runMint,
  'rotation-check': async () => (await import('./token-rotation.js')).runRotationCheck,
  ephemeral: async () => (await import('./token-ephemeral.js')).runEphemeral,
};

const isGiven = (value: unknown): boolean => value !== undefined && value !== false && !(Array.isArray(value) && value.length === 0);

/** An option (or positionals: `tokens`) given that the action does not read: refused rather than silently ignored. */
function strayOption(args: TokenArguments): string | undefined {
  const allowed = new Set<string>(['action', ...ACTION_OPTIONS[args.action]]);
  const values = args as unknown as Record<string, unknown>;
  return Object.keys(TOKEN_OPTIONS).find((name) => !allowed.has(name) && isGiven(values[camelCase(name)]));
}

export const tokenCommand = defineCommand({
  command: 'token <action> [tokens..]',
  describe: 'SIP tokens (HS256 JWT) and Kamailio auth_ephemeral credentials: inspect, verify, mint, rotation-check, ephemeral',
  options: TOKEN_OPTIONS,
  examples: [
    ['$0 token inspect - < token.txt', 'header, claims, times and policy warnings'],
    ['$0 token verify --token-env SIP_TOKEN --key-env JWT_KEY --next-key-env JWT_NEXT_KEY', 'which key verifies it; exit 0 valid, 1 invalid'],
    ['$0 token mint --key-env JWT_KEY --sub 0b6f4c1e-8d2a-4f3b-9c5d-7e1a2b3c4d5e --iss acme --out tok', 'a token for staging, written to ./tok'],
    ['$0 token rotation-check --key-env JWT_KEY --next-key-env JWT_NEXT_KEY --token-file live-tokens.txt', 'is promoting next now safe?'],
    ['$0 token ephemeral --secret-env AUTHEPH_SECRET --user alice --password-out pw', 'Kamailio auth_ephemeral credentials'],
  ],
  async run(args, io) {
    const stray = strayOption(args);
    // mint and ephemeral take no positionals: what is there may be the key itself, so it is counted, not shown
    if (stray === 'tokens') throw unexpectedArguments(args.tokens.length, `token ${args.action}`);
    if (stray !== undefined) throw badArgument(`--${stray} does not go with token ${args.action}`);
    const runAction = await ACTIONS[args.action]();
    try {
      return await runAction(args, io, Date.now() / 1000);
    } catch (error) {
      if (!(error instanceof TokenError)) throw error;
      // a key of ours that cannot be used: a local error like a missing one
      if (error.local) throw new CliError(error.code, error.message, { cause: error });
      if (args.json) io.out(JSON.stringify({ ok: false, valid: false, error: { code: error.code, message: error.message } }, null, 2));
      io.err(`sipscope token: ${printable(error.message)}`);
      return EXIT.failed;
    }
  },
  reportError(error, args, io) {
    if (args.json) io.out(JSON.stringify({ ok: false, error: { code: error.code, message: error.message } }, null, 2));
    io.err(`sipscope token: ${printable(error.message)}`);
    return EXIT.local;
  },
});
