import type { Certificate, CertificateSummary, CertificateType } from '../../domain/model.js';
import type { FileFormat } from '../file-tickets.js';
import type { FileLink, HolderSelector, VerifyClaim } from '../sharing.js';

/**
 * What the engine (Reach) declares of the nodes it talks to. The core says what a transport must
 * do; src/federation implements it on the hop channel (timeout, retries, circuit breaker,
 * correlation headers). The core imports nothing from src/federation.
 */

/** What a call takes to the next node: the stated purpose, the correlation ID, the hop count on arrival, the time left. */
export interface Onward {
  reason?: string;
  correlationId: string;
  hops: number;
  /** How long this node's own caller still waits (the channel keeps a margin back). */
  budgetMs?: number;
  /**
   * This hop's own limit when the flow sets one above the channel's per-hop default (seed 004 flow
   * f: the hub is given 10 s before the direct channel is tried; a 5 s hop default must not cut in first).
   */
  timeoutMs?: number;
}

/** The sharing calls a node may send on to another. */
export type RoutedOperation = 'retrieve' | 'dataByHolder' | 'filesByHolder' | 'dataById' | 'fileById' | 'verify' | 'listTypes';

/**
 * Another node, spoken to in canonical terms (src/federation speaks the national interface to it).
 * Its refusals come back as ServiceError with the code it answered; no answer at all (timeout,
 * refused connection, open circuit) as 1, an interface it lacks as 2.
 */
export interface RemoteNode {
  /** How records and messages name it: "hub", or a member's data-source code. */
  readonly name: string;
  /** Whether it offers this call at all (a member may offer only some interfaces). */
  offers(op: RoutedOperation): boolean;
  retrieve(on: Onward, sel: HolderSelector): Promise<CertificateSummary[]>;
  dataByHolder(on: Onward, sel: HolderSelector): Promise<Certificate[]>;
  filesByHolder(on: Onward, sel: HolderSelector, format: FileFormat): Promise<FileLink[]>;
  dataById(on: Onward, id: string): Promise<Certificate>;
  fileById(on: Onward, id: string, format: FileFormat): Promise<FileLink>;
  verify(on: Onward, claim: VerifyClaim): Promise<boolean>;
  listTypes(on: Onward): Promise<CertificateType[]>;
}

/** The hub's registry of member nodes, as routing needs it. */
export interface MemberDirectory {
  /** The node answering for a data source (appendix H), if one is registered. */
  node(dataSource: string): Promise<RemoteNode | undefined>;
  /** The data source of the member that calls the hub with this account, if it is a member's. */
  dataSourceOf(accountId: string): Promise<string | undefined>;
}

/**
 * The upper-level node of a city (DB3704/T 0042 interfaceType 0: province-level data is the
 * province's): a call passed up in the dialect's own envelope, its answer passed back as it came.
 * `problem` says why none came (the channel's words, for the caller's code 1 or 99).
 */
export interface UpperNode {
  readonly name: string;
  relay(on: Onward, iface: string, params: Readonly<Record<string, unknown>>): Promise<unknown>;
}

/** Why a transport got no answer: no answer in time or no connection (code 1), or something unreadable (99). */
export class NoAnswer extends Error {
  constructor(readonly problem: 'timeout' | 'unreachable' | 'circuit-open' | 'bad-answer' | 'credentials-refused', message: string) {
    super(message);
    this.name = 'NoAnswer';
  }
}
