/**
 * Assertions shared by the interop tests: exit codes with the run's output and Kamailio's log in the failure
 * message, the `--json` result of `sipscope register`, and the bindings Kamailio really holds (`kamcmd ul.dump`).
 */
import { expect } from 'vitest';
import type { KamailioInstance } from './harness.js';
import { describeRun, parseJsonOutput, type CommandResult } from './processes.js';

export function expectExit(result: CommandResult, expectedCode: number, logs: () => string): void {
  expect(result.code, `expected exit ${expectedCode} from\n${describeRun(result)}\n${logs()}`).toBe(expectedCode);
}

export interface RegisterJson {
  ok: boolean;
  status?: number;
  reason?: string;
  realm?: string;
  algorithm?: string;
  qop?: string;
  rttMs?: number;
  retransmissions?: number;
  transactions?: { request: string; status?: number; rttMs?: number }[];
  bindings?: { uri: string; expires?: number }[];
  removal?: { ok: boolean; status: number | null } | null;
  error?: { code: string; message: string };
}

/** The JSON printed by `sipscope register --json`, with the fields the issue lists checked for type. */
export function registerJson(result: CommandResult): RegisterJson {
  const json = parseJsonOutput(result) as unknown as RegisterJson;
  expect(typeof json.ok, `"ok" in ${result.stdout}`).toBe('boolean');
  expect(Array.isArray(json.transactions), `"transactions" in ${result.stdout}`).toBe(true);
  expect(typeof json.retransmissions, `"retransmissions" in ${result.stdout}`).toBe('number');
  return json;
}

/** Contact URIs without the angle brackets a name-addr may carry. */
export function bareUri(uri: string): string {
  return uri.trim().replace(/^<(.*)>$/, '$1');
}

export function bindingUris(json: RegisterJson): string[] {
  return (json.bindings ?? []).map((binding) => bareUri(binding.uri));
}

export interface LocationBinding {
  aor: string;
  address: string;
  expires: number;
  socket: string;
  userAgent: string;
}

/** Parses `kamcmd ul.dump` (usrloc's RPC tree) into the contacts held per AoR. */
export function parseUlDump(text: string): LocationBinding[] {
  const bindings: LocationBinding[] = [];
  let aor = '';
  let current: Partial<LocationBinding> | undefined;
  for (const line of text.split('\n')) {
    const match = /^\s*([A-Za-z-]+): (.*)$/.exec(line);
    if (!match) continue;
    const [, key, value] = match;
    if (key === 'AoR') aor = value;
    else if (key === 'Address') {
      current = { aor, address: value };
      bindings.push(current as LocationBinding);
    } else if (current && key === 'Expires') current.expires = Number.parseInt(value, 10);
    else if (current && key === 'Socket') current.socket = value;
    else if (current && key === 'User-Agent') current.userAgent = value;
  }
  return bindings;
}

export async function locationBindings(instance: KamailioInstance): Promise<LocationBinding[]> {
  const dump = await instance.kamcmd('ul.dump');
  expect(dump.code, `kamcmd ul.dump failed: ${dump.stderr}`).toBe(0);
  return parseUlDump(dump.stdout);
}
