import { withinArea } from '../../domain/regions.js';

/** Where this node stands in the network, as far as the way of a call depends on it. */
export interface Place {
  role: 'hub' | 'province';
  /** The node's division (GB/T 2260); a province without one takes every certificate for its own. */
  areaCode?: string;
  /** A hub to ask (a province's national hub). */
  hub: boolean;
  /** Provinces of its region it may ask directly (seed 004 flow f). */
  peers: boolean;
  /** An upper-level node that answers province-level calls (a Zaozhuang city's province). */
  upper: boolean;
}

/**
 * What is asked, as far as its way depends on it.
 * - `holder`: by holder (retrieval, data, files); `retrieve` marks retrieval, which a hub answers from its catalog;
 * - `id`: by certificate ID, `idArea` the issuer's registration area the ID carries (undefined: malformed), `heldHere` whether this node keeps it;
 * - `verify`: by the certificate's fields; `file`: by its file (the file names its certificate ID, `idArea` as above);
 * - `types`: the type list, always a node's own.
 * `hops`: nodes the call passed before this one. `flow`: the national network (5.2) or the YRD holder-authorised
 * flow f; `level`: a Zaozhuang call's province or city level.
 */
export interface Ask {
  kind: 'holder' | 'id' | 'verify' | 'file' | 'types';
  retrieve?: boolean;
  hops: number;
  flow: 'national' | 'trusted';
  idArea?: string;
  heldHere?: boolean;
  level?: 'province' | 'city';
}

/**
 * What the node does with it.
 * local: `alone` (its own answer is the answer), `first` (its own answer, then onward), `catalog`
 * (a hub's catalog names the owners), `none` (not answered here).
 * onward: `none`; `hub`; `owners` (a hub's members the catalog names); `hub-then-direct` (flow f);
 * `direct` (flow f without a hub); `upper` (the upper-level node); `loop` (refused: another node already sent it).
 * when: `always`, or `if-not-here` (only when this node had nothing).
 */
export interface Way {
  local: 'alone' | 'first' | 'catalog' | 'none';
  onward: 'none' | 'hub' | 'owners' | 'hub-then-direct' | 'direct' | 'upper' | 'loop';
  when: 'always' | 'if-not-here';
}

const ALONE: Way = { local: 'alone', onward: 'none', when: 'always' };

/**
 * The engine's one decision (ZWFW C 0124 5.2; DB51/T 2942 5.3-5.5; DB3704/T 0042 interfaceType;
 * seed 004 flow f): where a call goes, from what is asked and where this node stands. Pure, so the
 * whole table is tested (test/unit/reach-decide.test.ts).
 *
 * @example
 * decide({ role: 'province', areaCode: '510000', hub: true, peers: false, upper: false },
 *        { kind: 'id', hops: 0, flow: 'national', idArea: '320100' })
 * // → { local: 'none', onward: 'hub', when: 'always' }
 */
export function decide(place: Place, ask: Ask): Way {
  if (place.role === 'hub') {
    // Retrieval is what the catalog is: every member's entries. The type list is the hub's own.
    if (ask.kind === 'types' || (ask.kind === 'holder' && ask.retrieve) || ask.kind === 'file') return ALONE;
    // Hop 1 is a member's call; anything further was sent on by another node already.
    if (ask.hops > 1) return { local: 'none', onward: 'loop', when: 'always' };
    return { local: 'catalog', onward: 'owners', when: 'always' };
  }
  // A call from another node is answered from this node's own data: nothing loops.
  if (ask.hops > 0 || ask.kind === 'types') return ALONE;
  // A city passes province-level calls to its province, as they came (DB3704/T 0042: 省级数据).
  if (place.upper && ask.level === 'province') return { local: 'none', onward: 'upper', when: 'always' };
  const onward = beyond(place, ask.flow);
  if (onward === 'none') return ALONE;
  switch (ask.kind) {
    case 'holder':
      // A holder's certificates may lie in several regions: always asked, answers merged.
      return { local: 'first', onward, when: 'always' };
    case 'id': {
      if (ask.idArea === undefined || ask.heldHere || ofArea(place, ask.idArea)) return ALONE;
      return { local: 'none', onward, when: 'always' };
    }
    case 'file':
      if (ask.idArea === undefined || ofArea(place, ask.idArea)) return ALONE;
      return { local: 'first', onward, when: 'if-not-here' };
    case 'verify':
      // A claim about a certificate this node holds is decided here.
      return { local: 'first', onward: onward === 'hub-then-direct' ? 'hub' : onward, when: 'if-not-here' };
  }
}

/** The way out of this node for its callers' calls: the hub; under flow f the hub then the region's provinces. */
function beyond(place: Place, flow: Ask['flow']): Way['onward'] {
  if (flow === 'trusted') return place.hub ? 'hub-then-direct' : place.peers ? 'direct' : 'none';
  return place.hub ? 'hub' : 'none';
}

function ofArea(place: Place, area: string): boolean {
  return place.areaCode === undefined || withinArea(place.areaCode, area);
}
