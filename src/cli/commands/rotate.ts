/**
 * `sipscope rotate check|drain|verify|watch`: prove each step of a SIP credential rotation, with verdicts that can
 * gate an automated rotation. Exit codes as `register`: 0 the gate is open, 1 it is shut (a credential refused, a
 * call still up, the old credential still accepted), 2 a local error, 3 no answer to judge (registrar or live
 * source silent).
 */
import type { Argv } from 'yargs';
import type { RotationCredential, ProbeSettings } from '../../client/rotation/probe.js';
import type { RotationReport } from '../../client/rotation/gate.js';
import type { CliCommand } from '../command.js';
import { addCheckOptions, CliArgumentError, EXIT, parseDuration, sessionOptionsOf, traceTo } from '../check-options.js';
import type { CliIO } from '../io.js';
import { PasswordSourceError, readPassword } from '../password.js';
import { RotationSourceError } from '../rotation-sources.js';

const STEPS = ['check', 'drain', 'verify', 'watch'] as const;
type Step = (typeof STEPS)[number];

async function credentialOf(argv: Record<string, unknown>, io: CliIO, role: 'old' | 'new'): Promise<RotationCredential> {
  const user = argv[`${role}-user`];
  if (typeof user !== 'string' || user === '') throw new CliArgumentError(`give --${role}-user`);
  const password = await readPassword(
    { passwordEnv: argv[`${role}-password-env`] as string | undefined, passwordFile: argv[`${role}-password-file`] as string | undefined },
    io.env, io.stdin, (text) => io.err(text),
  ).catch((error: unknown) => {
    // name the option of this credential, not the generic one
    if (error instanceof PasswordSourceError) throw new PasswordSourceError(error.message.replace(/--password-/g, `--${role}-password-`));
    throw error;
  });
  if (password === undefined) throw new PasswordSourceError(`give the ${role} credential's password with --${role}-password-env or --${role}-password-file`);
  return { role, user, authUser: argv[`${role}-auth-user`] as string | undefined, password };
}

function durationOption(argv: Record<string, unknown>, name: string, fallbackMs: number): number {
  const value = argv[name];
  return value === undefined ? fallbackMs : parseDuration(String(value), `--${name}`);
}

export const rotateCommand: CliCommand = {
  command: 'rotate <step>',
  describe: 'prove each step of a SIP credential rotation: check (before), drain (wait), verify (after), watch (drain + revoke + verify)',
  builder: (yargs: Argv) =>
    addCheckOptions(yargs)
      .positional('step', { type: 'string', choices: STEPS as unknown as string[], describe: 'which step of the rotation' })
      .option('uri', { type: 'string', describe: 'registrar (or AOR domain) URI, e.g. sip:example.com' })
      .option('old-user', { type: 'string', describe: 'user of the credential being retired' })
      .option('old-auth-user', { type: 'string', describe: 'digest username of the old credential (default --old-user)' })
      .option('old-password-env', { type: 'string', describe: "environment variable holding the old credential's password" })
      .option('old-password-file', { type: 'string', describe: "file whose first line is the old credential's password" })
      .option('new-user', { type: 'string', describe: 'user of the new credential (same as --old-user when only the password changes)' })
      .option('new-auth-user', { type: 'string', describe: 'digest username of the new credential (default --new-user)' })
      .option('new-password-env', { type: 'string', describe: "environment variable holding the new credential's password" })
      .option('new-password-file', { type: 'string', describe: "file whose first line is the new credential's password" })
      .option('wait', { type: 'string', describe: 'verify/watch: keep polling the old credential until refused, at most this long (e.g. 60s, 5m)' })
      .option('poll', { type: 'string', default: '5s', describe: 'verify/watch: time between polls of the old credential' })
      .option('window', { type: 'string', describe: 'drain/watch: minimum drain window (e.g. 90s); default the p99 of --window-from, else 0' })
      .option('window-from', { type: 'string', array: true, describe: 'drain/watch: captures whose p99 call duration is the drain window' })
      .option('recheck', { type: 'string', default: '30s', describe: "drain/watch: re-check the new credential's registration this often" })
      .option('max-wait', { type: 'string', describe: 'drain/watch: give up (exit 1) after this long (default: window + 1 h)' })
      .option('hep-listen', { type: 'string', describe: "drain/watch: live source of the old credential's calls: HEP over UDP on ADDR:PORT" })
      .option('pcap-stdin', { type: 'boolean', default: false, describe: "drain/watch: live source: a pcap stream on stdin (tcpdump -U -w - ...)" })
      .option('revoke-cmd', { type: 'string', describe: "watch: the operator's revocation command, run by /bin/sh once the drain is over" })
      .option('jsonl', { type: 'boolean', default: false, describe: 'print progress and the report as JSON lines' })
      .example('$0 rotate check --uri sip:example.com --old-user alice --old-password-env OLD --new-user alice2 --new-password-env NEW', 'before revoking')
      .example('$0 rotate verify --uri sip:example.com --old-user alice --old-password-env OLD --new-user alice2 --new-password-env NEW --wait 2m --poll 5s', 'after revoking'),
  async run(argv, io) {
    const step = argv.step as Step;
    const { renderRotationJUnit, renderRotationText, rotationJson } = await import('../../report/rotation.js');
    let reports: RotationReport[];
    try {
      reports = await runStep(step, argv, io);
    } catch (error) {
      if (error instanceof CliArgumentError || error instanceof PasswordSourceError || error instanceof RotationSourceError) {
        if (argv.json === true || argv.jsonl === true) io.out(JSON.stringify({ step, ok: false, error: { code: error.code, message: error.message } }));
        else io.err(`sipscope: ${error.message}`);
        return EXIT.local;
      }
      throw error;
    }
    if (typeof argv.junit === 'string') {
      const { writeFile } = await import('node:fs/promises');
      try {
        await writeFile(argv.junit, renderRotationJUnit(reports));
      } catch (error) {
        io.err(`sipscope: --junit ${argv.junit}: cannot write (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
        return EXIT.local;
      }
    }
    for (const report of reports) {
      if (argv.jsonl === true) io.out(JSON.stringify({ type: 'report', ...rotationJson(report) }));
      else if (argv.json !== true) io.out(renderRotationText(report, io.style));
    }
    if (argv.json === true) io.out(JSON.stringify(reports.length === 1 ? rotationJson(reports[0]) : reports.map(rotationJson), null, 2));
    return exitOf(reports);
  },
};

/** 0 when every step passed; 3 when the first failing step could not be judged (no answer); else 1. */
function exitOf(reports: readonly RotationReport[]): number {
  const failed = reports.find((report) => !report.ok);
  if (!failed) return EXIT.ok;
  const shut = failed.verdicts.find((verdict) => verdict.outcome !== 'pass');
  return shut?.outcome === 'unreachable' ? EXIT.remote : EXIT.finalFailure;
}

async function runStep(step: Step, argv: Record<string, unknown>, io: CliIO): Promise<RotationReport[]> {
  if (typeof argv.uri !== 'string') throw new CliArgumentError('give the registrar with --uri SIP-URI');
  const session = await sessionOptionsOf(argv, argv.verbose === true ? traceTo(io) : undefined);
  const settings: ProbeSettings = { ...session, userAgent: argv['user-agent'] as string | undefined };
  const old = await credentialOf(argv, io, 'old');
  const fresh = await credentialOf(argv, io, 'new');
  const { sameCredential, rotateCheck, rotateVerify } = await import('../../client/rotation/gate.js');
  if (sameCredential(old, fresh)) throw new CliArgumentError('the old and the new credential are the same (same username and password): nothing is rotated');
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    if (step === 'check') return [await rotateCheck(settings, old, fresh)];
    const verify = () => rotateVerify(settings, old, fresh, {
      waitMs: argv.wait === undefined ? 0 : parseDuration(String(argv.wait), '--wait'),
      pollMs: durationOption(argv, 'poll', 5000),
      signal: controller.signal,
      onPoll: (probe) => progress(io, argv, { type: 'poll', role: probe.role, state: probe.state, status: probe.status ?? null, at: new Date(probe.startedAt).toISOString() }),
    });
    if (step === 'verify') return [await verify()];
    const drained = await drain(argv, io, settings, old, fresh, controller.signal);
    if (step === 'drain' || !drained.ok) return [drained];
    const { runRevocation } = await import('../rotation-sources.js');
    if (typeof argv['revoke-cmd'] !== 'string') throw new CliArgumentError('watch needs --revoke-cmd: the command that revokes the old credential');
    const revocation = await runRevocation(argv['revoke-cmd'], [old.password, fresh.password], io.env);
    progress(io, argv, { type: 'revoked', exitCode: revocation.exitCode, at: new Date(revocation.at).toISOString() });
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

async function drain(argv: Record<string, unknown>, io: CliIO, settings: ProbeSettings, old: RotationCredential, fresh: RotationCredential, signal: AbortSignal): Promise<RotationReport> {
  const { windowOf, openLiveSource } = await import('../rotation-sources.js');
  const { rotateDrain } = await import('../../client/rotation/drain.js');
  const window = await windowOf(argv.window as string | undefined, argv['window-from'] as string[] | undefined);
  const source = await openLiveSource({ hepListen: argv['hep-listen'] as string | undefined, pcapStdin: argv['pcap-stdin'] === true, stdin: io.stdin }, old.authUser ?? old.user, (issue) => progress(io, argv, { type: 'source-issue', ...issue }));
  if (!source && window.ms === 0) throw new CliArgumentError('drain needs a window (--window, --window-from) or a live source (--hep-listen, --pcap-stdin)');
  try {
    return await rotateDrain(settings, fresh, {
      windowMs: window.ms,
      windowSource: window.source,
      recheckMs: durationOption(argv, 'recheck', 30_000),
      limitMs: durationOption(argv, 'max-wait', window.ms + 3_600_000),
      source,
      signal,
      onProgress: (state) => progress(io, argv, { type: 'progress', ...state }),
      onRecheck: (probe) => progress(io, argv, { type: 'recheck', state: probe.state, status: probe.status ?? null }),
    });
  } finally {
    await source?.close();
  }
}

/** Progress goes to stderr as text, or to stdout as JSON lines with --jsonl. */
function progress(io: CliIO, argv: Record<string, unknown>, event: Record<string, unknown>): void {
  if (argv.jsonl === true) {
    io.out(JSON.stringify(event));
    return;
  }
  if (argv.json === true || argv.nagios === true) return;
  if (event.type === 'progress') {
    const calls = event.activeCalls === undefined ? '' : `, ${event.activeCalls} call(s) of the old credential up (${event.sourceMessages} messages seen)`;
    io.err(`drain: ${Math.ceil((event.windowLeftMs as number) / 1000)} s of the window left${calls}`);
  } else if (event.type === 'poll') {
    io.err(`poll: the ${event.role} credential is ${event.state}${event.status === null ? '' : ` (${event.status})`}`);
  } else if (event.type === 'recheck') {
    io.err(`re-check: the new credential is ${event.state}`);
  } else if (event.type === 'source-issue') {
    io.err(`live source: ${event.code}: ${event.message}`);
  }
}
