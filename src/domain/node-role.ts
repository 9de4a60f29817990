/** What a node is in the national network (ZWFW C 0124 5.5): a province (also a city or a central department) or the national hub. */
export type NodeRole = 'province' | 'hub';
export const NODE_ROLES: readonly NodeRole[] = ['province', 'hub'];
