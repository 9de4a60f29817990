import type { Command } from 'commander';
import type { Services } from '../node/services.js';
import type { YrdPeer } from '../federation/yrd-peers.js';
import type { KeyRefresh } from '../federation/network-keys.js';
import { syncKeys } from '../federation/members.js';
import { checkFederation, type ConfigFlags } from '../config.js';

interface Common extends ConfigFlags { json?: boolean }

/** The pieces of main.ts the commands here run through. */
export interface CliKit {
  withData(cmd: Command): Command;
  onData<T>(flags: Common, local: (s: Services) => Promise<T>): Promise<T>;
  out(flags: Common, value: unknown, human: () => string): void;
}

const peerLine = (p: YrdPeer) => [
  p.areaCode, p.name, p.baseUrl,
  p.encryptionKey ? `encrypt ${p.encryptionKey.kid}` : 'no encryption key (peers fetch)',
  `${p.signingKeys.length} signing key(s)`, p.fetchedAt ? `fetched ${p.fetchedAt}` : 'never fetched',
].join('\t');

const refreshLine = (r: KeyRefresh) => `${r.dataSource}\t${r.ok ? `${r.keys} key(s)` : `FAILED: ${r.error}`}`;

/** `peers …` (the YRD direct channel's directory), `sync-keys`, `keys …`. */
export function registerPeerCommands(program: Command, kit: CliKit): void {
  const { withData, onData, out } = kit;
  const peers = program.command('peers').description('the YRD direct channel (seed 004 flow f/g): other provinces this node calls, and that may call it, by area code');
  withData(peers.command('add').description('register a peer province; --fetch reads its published keys at once'))
    .requiredOption('--area <code>', 'its GB/T 2260 area code, e.g. 320000')
    .requiredOption('--name <name>', 'e.g. 江苏')
    .requiredOption('--url <url>', 'its base URL (keys at /.well-known/zhengzhao/keys, direct channel at /yrd/v1/peer)')
    .option('--fetch', 'read its keys now (else: peers fetch)')
    .action(async (flags: Common & { area: string; name: string; url: string; fetch?: boolean }) => {
      const input = { areaCode: flags.area, name: flags.name, baseUrl: flags.url };
      const p = await onData(flags, (s) => s.peers.add(input, { fetch: !!flags.fetch }));
      out(flags, p, () => peerLine(p));
    });
  withData(peers.command('list').description('list peers and the keys known of each'))
    .action(async (flags: Common) => {
      const list = await onData(flags, (s) => s.peers.list());
      out(flags, list, () => list.map(peerLine).join('\n') || '(none)');
    });
  withData(peers.command('remove <area>').description('remove a peer: its calls are refused and its keys forgotten'))
    .action(async (area: string, flags: Common) => {
      const r = await onData(flags, async (s) => {
        if (!(await s.peers.remove(area))) throw new Error(`no peer ${area}`);
        return { removed: area };
      });
      out(flags, r, () => `removed peer ${r.removed}`);
    });
  withData(peers.command('fetch [area]').description("read a peer's published keys (all peers without an area)"))
    .action(async (area: string | undefined, flags: Common) => {
      if (area) {
        const p = await onData(flags, (s) => s.peers.fetch(area));
        out(flags, p, () => peerLine(p));
        return;
      }
      const r = await onData(flags, (s) => s.peers.fetchAll());
      out(flags, r, () => r.map((x) => `${x.areaCode}\t${x.ok ? `${x.keys} key(s)` : `FAILED: ${x.error}`}`).join('\n') || '(no peers)');
      if (r.some((x) => !x.ok)) process.exitCode = 2;
    });

  withData(program.command('sync-keys').description("key distribution: a hub reads its members' published keys, a province takes the network's keys from its hub"))
    .action(async (flags: Common) => {
      const r = await onData(flags, (s) => {
        checkFederation(s.cfg);
        return syncKeys(s);
      });
      out(flags, r, () => [r.hub ? `from ${r.hub}:` : 'members:', ...r.nodes.map(refreshLine)].join('\n'));
      if (r.nodes.some((x) => !x.ok)) process.exitCode = 2;
    });

  const keys = program.command('keys').description("this node's exchange key and the keys it learned of other nodes");
  withData(keys.command('learned').description('list the public keys learned from peers, members or the hub'))
    .option('--owner <prefix>', 'only these owners: peer:320000, member:151, network:, hub')
    .action(async (flags: Common & { owner?: string }) => {
      const list = await onData(flags, (s) => s.peerKeys.list(flags.owner));
      out(flags, list, () => list.map((k) => [k.owner, k.use, k.kid, k.areaCodes.join(',') || '-', k.validTo ? `until ${k.validTo}` : 'current', k.learnedFrom].join('\t')).join('\n') || '(none)');
    });
  withData(keys.command('rotate-exchange').description('make a new exchange key; the old one still opens envelopes sealed to it'))
    .action(async (flags: Common) => {
      const r = await onData(flags, async (s) => ({ kid: await s.exchangeKeys.rotate() }));
      out(flags, r, () => `new exchange key ${r.kid}; peers read it with peers fetch / sync-keys`);
    });
}
