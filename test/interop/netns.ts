/**
 * A network namespace of the test's own, with only loopback up, and a deterministic packet-loss rule in it:
 * nftables drops every other UDP datagram sent to a port (`numgen inc mod 2 == 0`: the 1st, 3rd, 5th ...),
 * with a counter of what it dropped. Deterministic on purpose: random netem loss could make the test flake
 * (and sch_netem is not built into every kernel).
 */
import { runCommand, runChecked } from './processes.js';

const tableName = 'sipscope_loss';

export interface LossNamespace {
  name: string;
  /** (Re)creates the rule, so the 1st datagram after this call to `port` is dropped. */
  dropEveryOtherUdpDatagramTo(port: number): Promise<void>;
  /** Datagrams the rule has dropped since it was (re)created. */
  droppedDatagrams(): Promise<number>;
  remove(): Promise<void>;
}

/** Why a namespace cannot be made here (not root, no `ip netns`, no nftables), or undefined when it can. */
export async function lossNamespaceUnavailableReason(): Promise<string | undefined> {
  if (process.getuid?.() !== 0) return 'needs root to create a network namespace';
  const probeName = `sipscope-probe-${process.pid}`;
  const created = await runCommand('ip', ['netns', 'add', probeName], { timeoutMs: 5000 }).catch((error: Error) => ({ code: -1, stderr: error.message }));
  if (created.code !== 0) return `ip netns add failed: ${created.stderr.trim()}`;
  try {
    const nft = await runCommand('nft', ['add', 'table', 'inet', tableName], { timeoutMs: 5000, netns: probeName }).catch((error: Error) => ({ code: -1, stderr: error.message }));
    if (nft.code !== 0) return `nftables unusable in a namespace (install the Debian package nftables): ${nft.stderr.trim()}`;
  } finally {
    await runCommand('ip', ['netns', 'delete', probeName], { timeoutMs: 5000 });
  }
  return undefined;
}

export async function createLossNamespace(name: string): Promise<LossNamespace> {
  const limit = { timeoutMs: 5000 };
  await runChecked('ip', ['netns', 'add', name], limit);
  const inside = { ...limit, netns: name };
  const remove = async () => {
    await runCommand('ip', ['netns', 'delete', name], limit);
  };
  try {
    await runChecked('ip', ['link', 'set', 'lo', 'up'], inside);
  } catch (error) {
    await remove();
    throw error;
  }
  return {
    name,
    async dropEveryOtherUdpDatagramTo(port) {
      await runCommand('nft', ['delete', 'table', 'inet', tableName], inside);
      const ruleset = [
        `table inet ${tableName} {`,
        '  chain input {',
        '    type filter hook input priority 0; policy accept;',
        `    udp dport ${port} numgen inc mod 2 0 counter drop`,
        '  }',
        '}',
        '',
      ].join('\n');
      await runChecked('nft', ['-f', '-'], { ...inside, input: ruleset });
    },
    async droppedDatagrams() {
      const listing = await runChecked('nft', ['-j', 'list', 'table', 'inet', tableName], inside);
      const parsed = JSON.parse(listing.stdout) as { nftables: { rule?: { expr: { counter?: { packets: number } }[] } }[] };
      const counters = parsed.nftables.flatMap((entry) => entry.rule?.expr ?? []).flatMap((expr) => (expr.counter ? [expr.counter.packets] : []));
      if (counters.length !== 1) throw new Error(`expected one nft counter in ${listing.stdout}`);
      return counters[0];
    },
    remove,
  };
}
