import type { NodeRole } from '../domain/node-role.js';
import type { KeyRefresh, NetworkKeys } from './network-keys.js';
import type { MemberNodeListing, NewMemberNode, NodeRegistry } from './registry.js';

/** What managing member nodes reads of a node. */
export interface MemberAdmin { cfg: { role: NodeRole }; networkKeys: NetworkKeys; nodes: NodeRegistry }

/**
 * Registering a member on a hub also reads its published keys, so the network's keys list it at
 * once. A member that cannot be read yet is registered all the same (it may start after the hub);
 * the periodic refresh or `sync-keys` reads it later, and the answer says so.
 */
export async function addMemberNode(s: MemberAdmin, input: NewMemberNode): Promise<MemberNodeListing & { keys: KeyRefresh }> {
  const n = await s.nodes.add(input);
  return { ...n, keys: await s.networkKeys.refreshMember(n.dataSource) };
}

/** A member leaves: its keys are no longer published nor trusted here. */
export async function removeMemberNode(s: MemberAdmin, dataSource: string): Promise<boolean> {
  const removed = await s.nodes.remove(dataSource);
  if (removed) await s.networkKeys.forgetMember(dataSource);
  return removed;
}

/** What `sync-keys` does for the node's role: a hub reads its members, a province takes the network's keys from its hub. */
export async function syncKeys(s: MemberAdmin): Promise<{ role: string; hub?: string; nodes: KeyRefresh[] }> {
  if (s.cfg.role === 'hub') return { role: 'hub', nodes: await s.networkKeys.refreshMembers() };
  const r = await s.networkKeys.syncFromHub();
  return { role: 'province', ...r };
}
