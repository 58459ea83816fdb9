/**
 * `sipscope rotate check|drain|verify|watch`: prove each step of a SIP credential rotation, with verdicts that can
 * gate an automated rotation. Exit codes as `register`: 0 the gate is open, 1 it is shut (a credential refused, a
 * call still up, the old credential still accepted), 2 a local error, 3 no answer to judge (registrar or live
 * source silent).
 */
import type { RotationCredential, ProbeSettings } from '../../client/rotation/probe.js';
import type { RotationReport } from '../../client/rotation/gate.js';
import { defineCommand } from '../command.js';
import { CHECK_OPTIONS, parseDuration, refuseControlCharacters, refuseUnusableUri, targetOptionsOf, traceTo } from '../check-options.js';
import { badArgument, CliError, EXIT } from '../exit.js';
import type { CliIO } from '../io.js';
import { printable } from '../../report/printable.js';
import type { ArgumentsOf, OptionTable } from '../option-table.js';
import { readPassword } from '../password.js';

const STEPS = ['check', 'drain', 'verify', 'watch'] as const;

// the connection options of register/options, without its <uri> positional, its single credential, and the
// monitoring-plugin line of one check (a rotation's steps are gates with reports of their own, not a service state)
const { uri: _uri, user: _user, 'auth-user': _authUser, 'password-env': _passwordEnv, 'password-file': _passwordFile,
  'password-stdin': _passwordStdin, password: _password, contact: _contact, header: _header, nagios: _nagios,
  'warn-retrans': _warnRetrans, 'warn-rtt': _warnRtt, 'crit-rtt': _critRtt, ...CONNECTION_OPTIONS } = CHECK_OPTIONS;

const ROTATE_OPTIONS = {
  step: { positional: true, type: 'string', choices: STEPS, describe: 'which step of the rotation' },
  uri: { type: 'string', demandOption: true, describe: 'registrar (or AOR domain) URI, e.g. sip:example.com' },
  ...CONNECTION_OPTIONS,
  'old-user': { type: 'string', demandOption: true, describe: 'user of the credential being retired' },
  'old-auth-user': { type: 'string', describe: 'digest username of the old credential (default --old-user)' },
  'old-password-env': { type: 'string', describe: "environment variable holding the old credential's password" },
  'old-password-file': { type: 'string', describe: "file whose first line is the old credential's password" },
  'new-user': { type: 'string', demandOption: true, describe: 'user of the new credential (same as --old-user when only the password changes)' },
  'new-auth-user': { type: 'string', describe: 'digest username of the new credential (default --new-user)' },
  'new-password-env': { type: 'string', describe: "environment variable holding the new credential's password" },
  'new-password-file': { type: 'string', describe: "file whose first line is the new credential's password" },
  call: { type: 'string', describe: 'check: also place a short test call to this URI with each credential' },
  'call-duration': { type: 'string', default: '3s', describe: 'check --call: how long each test call is held' },
  'call-refresh': { type: 'string', default: '1s', describe: 'check --call: re-INVITE the test call this often' },
  wait: { type: 'string', describe: 'verify/watch: keep polling the old credential until refused, at most this long (e.g. 60s, 5m)' },
  poll: { type: 'string', default: '5s', describe: 'verify/watch: time between polls of the old credential' },
  window: { type: 'string', describe: 'drain/watch: minimum drain window (e.g. 90s); default the p99 of --window-from, else 0' },
  'window-from': { type: 'string', array: true, describe: 'drain/watch: captures whose p99 call duration is the drain window' },
  recheck: { type: 'string', default: '30s', describe: "drain/watch: re-check the new credential's registration this often" },
  'max-wait': { type: 'string', describe: 'drain/watch: give up (exit 1) after this long (default: window + 1 h)' },
  'hep-listen': { type: 'string', describe: "drain/watch: live source of the old credential's calls: HEP over UDP on ADDR:PORT (port 0: a free one, named on stderr)" },
  'pcap-stdin': { type: 'boolean', default: false, describe: 'drain/watch: live source: a pcap stream on stdin (tcpdump -U --immediate-mode -w - ...)' },
  'source-grace': { type: 'string', describe: 'drain/watch: how long the live source may show no SIP message before it counts as silent (default 5s; the window, when longer)' },
  'revoke-cmd': { type: 'string', describe: "watch: the operator's revocation command, run by /bin/sh once the drain is over" },
  jsonl: { type: 'boolean', default: false, describe: 'print progress and the report as JSON lines' },
} as const satisfies OptionTable;

type RotateArguments = ArgumentsOf<typeof ROTATE_OPTIONS>;

async function credentialOf(args: RotateArguments, io: CliIO, role: 'old' | 'new'): Promise<RotationCredential> {
  const user = role === 'old' ? args.oldUser : args.newUser;
  if (user === '') throw badArgument(`--${role}-user is empty`);
  const password = await readPassword(
    role === 'old'
      ? { option: 'old-password', passwordEnv: args.oldPasswordEnv, passwordFile: args.oldPasswordFile }
      : { option: 'new-password', passwordEnv: args.newPasswordEnv, passwordFile: args.newPasswordFile },
    io.env, io.stdin, (text) => io.err(text),
  );
  if (password === undefined) throw new CliError('password-missing', `give the ${role} credential's password with --${role}-password-env or --${role}-password-file`);
  return { role, user, authUser: role === 'old' ? args.oldAuthUser : args.newAuthUser, password };
}

function durationOption(value: string | undefined, name: string, fallbackMs: number): number {
  return value === undefined ? fallbackMs : parseDuration(value, `--${name}`);
}

export const rotateCommand = defineCommand({
  command: 'rotate <step>',
  describe: 'prove each step of a SIP credential rotation: check (before), drain (wait), verify (after), watch (drain + revoke + verify)',
  options: ROTATE_OPTIONS,
  examples: [
    ['$0 rotate check --uri sip:example.com --old-user alice --old-password-env OLD --new-user alice2 --new-password-env NEW', 'before revoking'],
    ['$0 rotate verify --uri sip:example.com --old-user alice --old-password-env OLD --new-user alice2 --new-password-env NEW --wait 2m --poll 5s', 'after revoking'],
  ],
  async run(args, io) {
    const { renderRotationJUnit, renderRotationText, rotationJson } = await import('../../report/rotation.js');
    const reports = await runStep(args, io);
    if (args.junit !== undefined) {
      const { writeFile } = await import('node:fs/promises');
      try {
        await writeFile(args.junit, renderRotationJUnit(reports));
      } catch (error) {
        throw new CliError('unwritable-file', `--junit ${args.junit}: cannot write (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
      }
    }
    for (const report of reports) {
      if (args.jsonl) io.out(JSON.stringify({ type: 'report', ...rotationJson(report) }));
      else if (!args.json) io.out(renderRotationText(report, io.style));
    }
    // one shape per step: watch (drain, then revocation and verify) is always a list, even when the drain halted it
    if (args.json) io.out(JSON.stringify(args.step === 'watch' ? reports.map(rotationJson) : rotationJson(reports[0]), null, 2));
    return exitOf(reports);
  },
  reportError(error, args, io) {
    if (args.json || args.jsonl) io.out(JSON.stringify({ step: args.step, ok: false, error: { code: error.code, message: error.message } }));
    // as every text output: a control character (a line break in a URI given) is shown as \xNN, never raw
    else io.err(`sipscope rotate: ${printable(error.message)}`);
    return EXIT.local;
  },
});

/**
 * 0 when every step passed; when the first failing step could not be judged, 3 for no answer and 2 for a local
 * error (the probe could not be made here); else 1.
 */
function exitOf(reports: readonly RotationReport[]): number {
  const failed = reports.find((report) => !report.ok);
  if (!failed) return EXIT.ok;
  const shut = failed.verdicts.find((verdict) => verdict.outcome !== 'pass');
  return shut?.outcome === 'unreachable' ? EXIT.remote : shut?.outcome === 'local-error' ? EXIT.local : EXIT.failed;
}

async function runStep(args: RotateArguments, io: CliIO): Promise<RotationReport[]> {
  const { step } = args;
  const target = await targetOptionsOf(args, args.verbose ? traceTo(io) : undefined, io.env);
  if (args.call !== undefined) refuseUnusableUri(args.call, '--call URI');
  // each probe's From/To, Authorization and User-Agent carry these as given
  refuseControlCharacters({
    '--old-user': args.oldUser, '--old-auth-user': args.oldAuthUser, '--new-user': args.newUser, '--new-auth-user': args.newAuthUser, '--user-agent': args.userAgent,
  });
  const settings: ProbeSettings = { ...target, userAgent: args.userAgent };
  const old = await credentialOf(args, io, 'old');
  const fresh = await credentialOf(args, io, 'new');
  const { sameCredential, rotateCheck, rotateVerify } = await import('../../client/rotation/gate.js');
  if (sameCredential(old, fresh)) throw badArgument('the old and the new credential are the same (same username and password): nothing is rotated');
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  if (step === 'watch' && args.revokeCmd === undefined) throw badArgument('watch needs --revoke-cmd: the command that revokes the old credential');
  try {
    if (step === 'check') {
      const call = args.call === undefined ? undefined
        : { uri: args.call, durationMs: parseDuration(args.callDuration, '--call-duration'), refreshMs: parseDuration(args.callRefresh, '--call-refresh') };
      return [await rotateCheck(settings, old, fresh, call)];
    }
    const verify = () => rotateVerify(settings, old, fresh, {
      waitMs: durationOption(args.wait, 'wait', 0),
      pollMs: durationOption(args.poll, 'poll', 5000),
      signal: controller.signal,
      onPoll: (probe) => progress(io, args, { type: 'poll', role: probe.role, state: probe.state, status: probe.status ?? null, at: new Date(probe.startedAt).toISOString() }),
    });
    if (step === 'verify') return [await verify()];
    const drained = await drain(args, io, settings, old, fresh, controller.signal);
    if (step === 'drain' || !drained.ok) return [drained];
    const { runRevocation } = await import('../rotation-sources.js');
    const revocation = await runRevocation(args.revokeCmd!, [old.password, fresh.password], io.env);
    progress(io, args, { type: 'revoked', exitCode: revocation.exitCode, at: new Date(revocation.at).toISOString() });
    const verified = await verify();
    verified.step = 'watch';
    verified.revocation = revocation;
    if (revocation.exitCode !== 0) {
      verified.ok = false;
      verified.verdicts.unshift({ name: 'revoked', outcome: 'fail', message: `the revocation command exited ${revocation.exitCode ?? 'by a signal'}` });
      verified.summary = `revocation command failed: ${verified.summary}`;
    }
    return [drained, verified];
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}

async function drain(args: RotateArguments, io: CliIO, settings: ProbeSettings, old: RotationCredential, fresh: RotationCredential, signal: AbortSignal): Promise<RotationReport> {
  const { windowOf, openLiveSource } = await import('../rotation-sources.js');
  const { DEFAULT_SOURCE_GRACE_MS, rotateDrain } = await import('../../client/rotation/drain.js');
  const window = await windowOf(args.window, args.windowFrom);
  if (window.ms === 0 && args.hepListen === undefined && !args.pcapStdin) throw badArgument('drain needs a window (--window, --window-from) or a live source (--hep-listen, --pcap-stdin)');
  if (args.sourceGrace !== undefined && args.hepListen === undefined && !args.pcapStdin) throw badArgument('--source-grace goes with a live source (--hep-listen, --pcap-stdin)');
  const source = await openLiveSource({ hepListen: args.hepListen, pcapStdin: args.pcapStdin, stdin: io.stdin }, old.authUser ?? old.user, (issue) => progress(io, args, { type: 'source-issue', ...issue }));
  // the bound address, not the one asked for: with port 0 the system chose it, and a caller reads it from here
  if (source?.listening !== undefined) io.err(source.listening);
  try {
    return await rotateDrain(settings, fresh, {
      windowMs: window.ms,
      windowSource: window.source,
      sourceGraceMs: durationOption(args.sourceGrace, 'source-grace', DEFAULT_SOURCE_GRACE_MS),
      recheckMs: durationOption(args.recheck, 'recheck', 30_000),
      limitMs: durationOption(args.maxWait, 'max-wait', window.ms + 3_600_000),
      source,
      signal,
      onProgress: (state) => progress(io, args, { type: 'progress', ...state }),
      onRecheck: (probe) => progress(io, args, { type: 'recheck', state: probe.state, status: probe.status ?? null }),
    });
  } finally {
    await source?.close();
  }
}

/** Progress goes to stderr as text, or to stdout as JSON lines with --jsonl. */
function progress(io: CliIO, args: RotateArguments, event: Record<string, unknown>): void {
  if (args.jsonl) {
    io.out(JSON.stringify(event));
    return;
  }
  if (args.json) return;
  if (event.type === 'progress') {
    const calls = event.activeCalls === undefined ? ''
      : event.sourceMessages === 0 ? ', waiting for the live source\'s first SIP message'
        : `, ${event.activeCalls} call(s) of the old credential up (${event.sourceMessages} messages seen)`;
    io.err(`drain: ${Math.ceil((event.windowLeftMs as number) / 1000)} s of the window left${calls}`);
  } else if (event.type === 'poll') {
    io.err(`poll: the ${event.role} credential is ${event.state}${event.status === null ? '' : ` (${event.status})`}`);
  } else if (event.type === 'recheck') {
    io.err(`re-check: the new credential is ${event.state}`);
  } else if (event.type === 'source-issue') {
    io.err(`live source: ${event.code}: ${event.message}`);
  }
}
