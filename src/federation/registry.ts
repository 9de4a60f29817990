import type { MemberDirectory, RemoteNode } from '../core/reach/transport.js';
import { dataSourceProblem } from '../domain/regions.js';
import type { AccountRepo, AccountScheme } from '../store/accounts.js';
import type { MemberNodeEntry, NodeRepo } from '../store/nodes.js';
import type { CircuitState } from './breaker.js';
import { NationalClient, type HopSettings } from './client.js';
import { NATIONAL_INTERFACE, NationalNode } from './national-node.js';

export interface NewMemberNode {
  dataSource: string;
  name: string;
  areaCodes?: string[];
  baseUrl: string;
  accountId: string;
  scheme?: AccountScheme;
  secret?: string;
  inboundAccount?: string;
  services?: string[];
}

/** A registry entry as listed: no secret, and how its circuit stands in this process. */
export type MemberNodeListing = Omit<MemberNodeEntry, 'secret'> & { hasSecret: boolean; circuit: CircuitState };

const OFFERABLE = new Set(Object.values(NATIONAL_INTERFACE));

/**
 * The hub's registry of member nodes (the central directory of the network): who answers for each
 * data source, where, with which credentials the hub calls it, and which account it calls the hub
 * with. Entries are read on every routed call, so they are kept for a few seconds; a change made
 * through this process is seen at once. Each member has one client, and so one circuit breaker, for
 * as long as its address and credentials stay the same.
 */
export class NodeRegistry implements MemberDirectory {
  private cache?: { entries: MemberNodeEntry[]; until: number };
  private readonly clients = new Map<string, { key: string; node: NationalNode; client: NationalClient }>();

  constructor(
    private readonly repo: NodeRepo,
    private readonly accounts: AccountRepo,
    private readonly settings: HopSettings,
    private readonly now: () => number = Date.now,
  ) {}

  async add(n: NewMemberNode): Promise<MemberNodeListing> {
    const entry: MemberNodeEntry = {
      dataSource: n.dataSource?.trim() ?? '', name: n.name?.trim() ?? '', areaCodes: n.areaCodes ?? [], baseUrl: (n.baseUrl ?? '').replace(/\/+$/, ''),
      accountId: n.accountId ?? '', scheme: n.scheme ?? 'hmac-sm3', secret: n.secret || undefined, inboundAccount: n.inboundAccount || undefined,
      services: n.services ?? [],
    };
    const problem = dataSourceProblem(entry.dataSource, entry.areaCodes);
    if (problem) throw new Error(problem);
    if (entry.dataSource.startsWith('1') && entry.areaCodes.length === 0) throw new Error(`a regional node (data source ${entry.dataSource}) needs its area code(s)`);
    if (!entry.name || entry.name.length > 128) throw new Error('name: 1-128 characters');
    if (!/^https?:\/\/[^/\s]+(\/\S*)?$/.test(entry.baseUrl)) throw new Error(`url ${entry.baseUrl}: an http:// or https:// base URL (its national interface is under /elssp/v1)`);
    if (!/^[A-Za-z0-9_.-]{1,64}$/.test(entry.accountId)) throw new Error('account: the AccountId the hub calls it with, 1-64 letters, digits, _ . -');
    if (entry.scheme !== 'hmac-sm3' && entry.scheme !== 'appendix-c') throw new Error('scheme: hmac-sm3 or appendix-c');
    if (entry.scheme === 'hmac-sm3' && !entry.secret) throw new Error('secret: required for an hmac-sm3 account (the node printed it when the account was made there)');
    if (entry.scheme === 'appendix-c' && entry.secret) throw new Error('secret: an appendix-c account has none');
    const unknown = entry.services.find((s) => !OFFERABLE.has(s));
    if (unknown) throw new Error(`service ${unknown}: one of ${[...OFFERABLE].join(', ')}`);
    if (entry.inboundAccount) {
      if (!(await this.accounts.get(entry.inboundAccount))) {
        throw new Error(`inbound account ${entry.inboundAccount} does not exist here; make it first (zhengzhao accounts add --id ${entry.inboundAccount} …)`);
      }
      const other = await this.repo.byInboundAccount(entry.inboundAccount);
      if (other) throw new Error(`inbound account ${entry.inboundAccount} is already node ${other.dataSource}'s`);
    }
    if (!(await this.repo.insert(entry))) throw new Error(`node ${entry.dataSource} is already registered; remove it first to change it`);
    this.cache = undefined;
    return this.listing(entry);
  }

  async remove(dataSource: string): Promise<boolean> {
    const removed = await this.repo.remove(dataSource);
    this.cache = undefined;
    this.clients.get(dataSource)?.client.close();
    this.clients.delete(dataSource);
    return removed;
  }

  async list(): Promise<MemberNodeListing[]> {
    return (await this.entries(true)).map((e) => this.listing(e));
  }

  async node(dataSource: string): Promise<RemoteNode | undefined> {
    const entry = await this.find((e) => e.dataSource === dataSource);
    return entry && this.clientOf(entry).node;
  }

  async dataSourceOf(accountId: string): Promise<string | undefined> {
    return (await this.find((e) => e.inboundAccount === accountId))?.dataSource;
  }

  /**
   * An entry from the kept list, or, when it is not there, from the table: a member another process
   * registered (the command line beside a running hub) is found on its first call, not seconds later.
   */
  private async find(match: (e: MemberNodeEntry) => boolean): Promise<MemberNodeEntry | undefined> {
    return (await this.entries()).find(match) ?? (await this.entries(true)).find(match);
  }

  private async entries(fresh = false): Promise<MemberNodeEntry[]> {
    if (fresh || !this.cache || this.cache.until <= this.now()) {
      this.cache = { entries: await this.repo.list(), until: this.now() + 5_000 };
    }
    return this.cache.entries;
  }

  private clientOf(e: MemberNodeEntry) {
    const key = JSON.stringify([e.baseUrl, e.accountId, e.scheme, e.secret, e.services]);
    let c = this.clients.get(e.dataSource);
    if (!c || c.key !== key) {
      c?.client.close();
      const client = new NationalClient({ label: `node ${e.dataSource} (${e.name})`, baseUrl: e.baseUrl, credentials: { accountId: e.accountId, scheme: e.scheme, secret: e.secret } },
        this.settings, this.now);
      c = { key, client, node: new NationalNode(e.dataSource, client, e.services) };
      this.clients.set(e.dataSource, c);
    }
    return c;
  }

  private listing(e: MemberNodeEntry): MemberNodeListing {
    const { secret, ...rest } = e;
    return { ...rest, hasSecret: !!secret, circuit: this.clients.get(e.dataSource)?.client.breaker.state ?? 'closed' };
  }
}
