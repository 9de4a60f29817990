import type { NodeRole } from '../domain/node-role.js';
import type { YrdPeerRegistry } from './yrd-peers.js';
import { syncKeys, type MemberAdmin } from './members.js';

/** What the refresh reads of a node. */
export interface RefreshingNode extends MemberAdmin { cfg: { role: NodeRole; hub?: { url?: string } }; peers: YrdPeerRegistry }

/**
 * Keeps learned keys current while a node serves: a hub reads its members' keys, a province with
 * a hub takes the network's keys from it, and any node with YRD peers reads theirs; first soon after
 * start, then every `intervalMs`. A failure is reported and tried again next time; what was learned
 * before stays in use meanwhile.
 */
export function refreshKeysEvery(s: RefreshingNode, intervalMs: number, report: (line: string) => void): { stop(): Promise<void> } {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  const once = async () => {
    if (s.cfg.role === 'hub' || s.cfg.hub?.url) {
      try {
        for (const r of (await syncKeys(s)).nodes) if (!r.ok) report(`keys of ${r.dataSource} not read: ${r.error}`);
      } catch (err) {
        report(`network keys not read: ${(err as Error).message}`);
      }
    }
    for (const r of await s.peers.fetchAll()) if (!r.ok) report(`keys of peer ${r.areaCode} not read: ${r.error}`);
  };
  const tick = () => {
    running = once().catch((err: Error) => report(`key refresh failed: ${err.message}`))
      .finally(() => { if (!stopped) timer = setTimeout(tick, intervalMs); });
  };
  timer = setTimeout(tick, 1000);
  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
