/**
 * The CLI as users run it (issue 14): bin/sipscope.js over the one-file bundle dist/sipscope.cjs made by
 * `npm run build`; `--version` without loading the CLI; a crash's stack mapped to the TypeScript sources; and the
 * package as `npm pack` makes it, installed with `npm install -g` into a temporary prefix, runs its `bin`.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../..');
const bin = join(root, 'bin/sipscope.js');
const bundle = join(root, 'dist/sipscope.cjs');
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };

function run(args: string[], cwd = root) {
  return spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', timeout: 30_000, env: { ...process.env, NO_COLOR: '1' } });
}

beforeAll(() => {
  if (!existsSync(bundle)) throw new Error('dist/sipscope.cjs is missing: run `npm run build` first');
});

describe('bin/sipscope.js over the bundle', () => {
  it('--version prints package.json version, alone and after a command', () => {
    expect(run(['--version']).stdout).toBe(`${version}\n`);
    expect(run(['decode', '--version']).stdout).toBe(`${version}\n`);
  });

  it('runs the commands from the bundle (help, a capture command, a bad argument)', () => {
    const help = run(['--help']);
    expect(help.status).toBe(0);
    for (const command of ['register', 'options', 'decode', 'lint', 'analyze', 'calls', 'flow', 'extract']) expect(help.stdout).toContain(`sipscope ${command}`);
    const calls = run(['calls', 'fixtures/captures/recorded/revocation-udp.pcap']);
    expect(calls.status).toBe(0);
    expect(calls.stdout).toContain('1-14594@127.0.0.11');
    const bad = run(['register', 'sip:a@127.0.0.1', '--bogus-option']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/bogus-option/);
  });

  it('is one file: the bundle needs nothing from node_modules', () => {
    const text = readFileSync(bundle, 'utf8');
    const required = [...text.matchAll(/require\("([^"]+)"\)/g)].map((match) => match[1]);
    const packages = required.filter((name) => !name.startsWith('node:') && !builtinModules.includes(name));
    // ws' optional native helpers, loaded inside try/catch; DuckDB (a native library: query, analyze --dataset), the
    // package's one runtime dependency
    expect(new Set(packages)).toEqual(new Set(['bufferutil', 'utf-8-validate', '@duckdb/node-api']));
    const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    expect(Object.keys(manifest.dependencies)).toEqual(['@duckdb/node-api']);
    // bin/load-bundle.js runs it in a vm.Script, which has no loader for import(): every import() became require()
    expect(text).not.toMatch(/\bimport\(/);
  });

  it("a crash's stack names the TypeScript source lines (bin/stack-trace.js, through the source map)", async () => {
    const { main } = createRequire(import.meta.url)(bundle) as { main: (args: string[], io: unknown) => Promise<number> };
    const failingIo = { out() {}, err() { throw new Error('terminal gone'); }, style: {}, interactive: false, env: {}, stdin: process.stdin };
    const error = await main(['no-such-command'], failingIo).then(() => undefined, (thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).stack).toContain('dist/sipscope.cjs:');
    const { mappedStack } = (await import(join(root, 'bin/stack-trace.js'))) as { mappedStack(error: unknown): string };
    const mapped = mappedStack(error);
    expect(mapped).toMatch(/src\/cli\/index\.ts:\d+:\d+/);
    expect(mapped).not.toContain('dist/sipscope.cjs:');
  });
});

describe('the V8 code cache of the bundle', () => {
  it('is accepted by this Node (written by npm run build)', async () => {
    const { loadBundle } = (await import(join(root, 'bin/load-bundle.js'))) as { loadBundle(): { script: { cachedDataRejected?: boolean } } };
    expect(existsSync(`${bundle}.v8cache`)).toBe(true);
    expect(loadBundle().script.cachedDataRejected).toBe(false);
  });

  it('a damaged or foreign cache is rejected by V8 and the CLI runs as usual', () => {
    const copy = mkdtempSync(join(tmpdir(), 'sipscope-cache-'));
    cpSync(join(root, 'bin'), join(copy, 'bin'), { recursive: true });
    cpSync(join(root, 'package.json'), join(copy, 'package.json'));
    mkdirSync(join(copy, 'dist'));
    cpSync(bundle, join(copy, 'dist/sipscope.cjs'));
    writeFileSync(join(copy, 'dist/sipscope.cjs.v8cache'), Buffer.alloc(4096, 0x5a));
    const lint = spawnSync(process.execPath, [join(copy, 'bin/sipscope.js'), 'lint', join(root, 'fixtures/rfc4475/badvers.dat'), '--json'], { encoding: 'utf8' });
    expect(lint.status).toBe(1);
    expect(JSON.parse(lint.stdout)[0]).toMatchObject({ valid: false });
  });
});

describe('the packed package', () => {
  it('npm pack, then npm install -g into a temporary prefix: its sipscope runs', { timeout: 180_000 }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'sipscope-pack-'));
    const npmEnv = { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' };
    execFileSync('npm', ['pack', '--pack-destination', dir], { cwd: root, env: npmEnv, stdio: 'pipe' });
    const tarball = readdirSync(dir).find((name) => name.endsWith('.tgz'))!;
    const listing = execFileSync('tar', ['-tzf', join(dir, tarball)], { encoding: 'utf8' }).split('\n').filter(Boolean).sort();
    expect(listing).toEqual(expect.arrayContaining(['package/bin/sipscope.js', 'package/bin/load-bundle.js', 'package/bin/stack-trace.js', 'package/dist/sipscope.cjs', 'package/dist/sipscope.cjs.map', 'package/dist/sipscope.cjs.v8cache', 'package/package.json']));
    expect(listing.some((name) => name.startsWith('package/src/') || name.startsWith('package/test/'))).toBe(false);
    const prefix = join(dir, 'prefix');
    // --prefer-offline, not --offline: the runtime dependency (@duckdb/node-api) is resolved from the registry when
    // the npm cache holds its tarball (npm ci put it there) but not its registry document
    execFileSync('npm', ['install', '-g', '--prefer-offline', '--prefix', prefix, join(dir, tarball)], { env: npmEnv, stdio: 'pipe', timeout: 120_000 });
    const installed = join(prefix, 'bin', 'sipscope');
    const versionRun = spawnSync(installed, ['--version'], { encoding: 'utf8', cwd: dir });
    expect(versionRun.stdout).toBe(`${version}\n`);
    const lint = spawnSync(installed, ['lint', join(root, 'fixtures/rfc4475/badvers.dat'), '--json'], { encoding: 'utf8', cwd: dir });
    expect(lint.status).toBe(1);
    expect(JSON.parse(lint.stdout)[0]).toMatchObject({ valid: false, method: 'OPTIONS' });
  });
});
