import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decide, type Ask, type Place, type Way } from '../../src/core/reach/decide.js';

// The engine's one decision, as a table: where the node stands × what is asked → the way it takes.
const HUB: Place = { role: 'hub', hub: false, peers: false, upper: false };
const SICHUAN: Place = { role: 'province', areaCode: '510000', hub: true, peers: false, upper: false };
const ALONE_PROVINCE: Place = { role: 'province', areaCode: '510000', hub: false, peers: false, upper: false };
const SHANGHAI: Place = { role: 'province', areaCode: '310000', hub: true, peers: true, upper: false };
const SHANGHAI_NO_HUB: Place = { role: 'province', areaCode: '310000', hub: false, peers: true, upper: false };
const CITY: Place = { role: 'province', areaCode: '370400', hub: false, peers: false, upper: true };
const NO_AREA: Place = { role: 'province', hub: true, peers: false, upper: false };

const n = (kind: Ask['kind'], extra: Partial<Ask> = {}): Ask => ({ kind, hops: 0, flow: 'national', ...extra });
const t = (kind: Ask['kind'], extra: Partial<Ask> = {}): Ask => ({ kind, hops: 0, flow: 'trusted', ...extra });
const w = (local: Way['local'], onward: Way['onward'] = 'none', when: Way['when'] = 'always'): Way => ({ local, onward, when });

const TABLE: [string, Place, Ask, Way][] = [
  // the hub: retrieval and the type list from its catalog; the rest to the owners; nothing sent on twice
  ['hub retrieval', HUB, n('holder', { retrieve: true, hops: 1 }), w('alone')],
  ['hub data by holder', HUB, n('holder', { hops: 1 }), w('catalog', 'owners')],
  ['hub by ID from a member', HUB, n('id', { hops: 1, idArea: '320100' }), w('catalog', 'owners')],
  ['hub by ID from a calling system', HUB, n('id', { idArea: '320100' }), w('catalog', 'owners')],
  ['hub verification', HUB, n('verify', { hops: 1 }), w('catalog', 'owners')],
  ['hub types', HUB, n('types', { hops: 1 }), w('alone')],
  ['hub: a call sent on already', HUB, n('holder', { hops: 2 }), w('none', 'loop')],
  ['hub: an ID call sent on already', HUB, n('id', { hops: 2, idArea: '510100' }), w('none', 'loop')],
  // a province with a hub (ZWFW C 0124 5.2, DB51/T 2942 5.3)
  ['province holder', SICHUAN, n('holder'), w('first', 'hub')],
  ['province retrieval', SICHUAN, n('holder', { retrieve: true }), w('first', 'hub')],
  ['province own ID', SICHUAN, n('id', { idArea: '510104' }), w('alone')],
  ['province other ID held here', SICHUAN, n('id', { idArea: '320100', heldHere: true }), w('alone')],
  ['province other ID', SICHUAN, n('id', { idArea: '320100' }), w('none', 'hub')],
  ['province malformed ID', SICHUAN, n('id'), w('alone')],
  ['province verification', SICHUAN, n('verify'), w('first', 'hub', 'if-not-here')],
  ['province file of another area', SICHUAN, n('file', { idArea: '320100' }), w('first', 'hub', 'if-not-here')],
  ['province file of its own', SICHUAN, n('file', { idArea: '510100' }), w('alone')],
  ['province types', SICHUAN, n('types'), w('alone')],
  ['province: a call from another node', SICHUAN, n('holder', { hops: 1 }), w('alone')],
  ['province: an ID call from another node', SICHUAN, n('id', { hops: 1, idArea: '320100' }), w('alone')],
  ['province without area: every ID its own', NO_AREA, n('id', { idArea: '320100' }), w('alone')],
  ['province without hub', ALONE_PROVINCE, n('holder'), w('alone')],
  ['province without hub, other ID', ALONE_PROVINCE, n('id', { idArea: '320100' }), w('alone')],
  // YRD flow f: the hub first, then the region's provinces directly
  ['YRD holder', SHANGHAI, t('holder'), w('first', 'hub-then-direct')],
  ['YRD other ID', SHANGHAI, t('id', { idArea: '320100' }), w('none', 'hub-then-direct')],
  ['YRD own ID', SHANGHAI, t('id', { idArea: '310104' }), w('alone')],
  ['YRD file of another province', SHANGHAI, t('file', { idArea: '320100' }), w('first', 'hub-then-direct', 'if-not-here')],
  ['YRD no hub: direct', SHANGHAI_NO_HUB, t('holder'), w('first', 'direct')],
  ['YRD no hub, other ID: direct', SHANGHAI_NO_HUB, t('id', { idArea: '320100' }), w('none', 'direct')],
  ['YRD peer request (over the direct channel)', SHANGHAI, t('holder', { hops: 1 }), w('alone')],
  ['YRD alone', ALONE_PROVINCE, t('holder'), w('alone')],
  // Zaozhuang: a city passes province-level calls up, answers city-level ones itself
  ['city, province level', CITY, n('holder', { level: 'province' }), w('none', 'upper')],
  ['city, province level by ID', CITY, n('id', { level: 'province', idArea: '370400' }), w('none', 'upper')],
  ['city, city level', CITY, n('holder', { level: 'city' }), w('alone')],
  ['city, relayed to it', CITY, n('holder', { level: 'province', hops: 1 }), w('alone')],
  ['Zaozhuang province level at a province: through the hub', SICHUAN, n('holder', { level: 'province' }), w('first', 'hub')],
];

for (const [name, place, ask, way] of TABLE) {
  test(`decide: ${name}`, () => assert.deepEqual(decide(place, ask), way));
}
