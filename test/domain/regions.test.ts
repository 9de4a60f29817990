import { test } from 'node:test';
import assert from 'node:assert/strict';
import { areaPrefix, dataSourceProblem, isAreaCode, isDataSource, issuerAreaOf, regionalDataSource, withinArea } from '../../src/domain/regions.js';
import { federationProblems, loadConfig } from '../../src/config.js';

test('division codes, their prefixes, and the issuer area a certificate ID carries', () => {
  assert.ok(isAreaCode('510000') && isAreaCode('330106') && !isAreaCode('990000') && !isAreaCode('51000'));
  assert.deepEqual(['510000', '510100', '510107'].map(areaPrefix), ['51', '5101', '510107']);
  assert.ok(withinArea('510000', '510104') && withinArea('510100', '510104') && !withinArea('510100', '510704') && !withinArea('330000', '510104'));
  // A published identifier: the issuer 11430000006122244L registered in 430000 (Hunan).
  assert.equal(issuerAreaOf('1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.001.U'), '430000');
  assert.equal(issuerAreaOf('not an id'), undefined);
});

test('appendix H data sources: 0xx a central department, 1 + two division digits a region', () => {
  assert.ok(isDataSource('151') && isDataSource('011') && !isDataSource('199') && !isDataSource('251') && !isDataSource('15'));
  assert.equal(regionalDataSource('510104'), '151');
  assert.equal(dataSourceProblem('151', ['510000', '510100']), undefined);
  assert.match(dataSourceProblem('151', ['330000'])!, /not in region 51/);
  assert.equal(dataSourceProblem('011', []), undefined);
});

test('node settings: checked together, each problem naming its setting', () => {
  assert.deepEqual(federationProblems(loadConfig({}, {})), [], 'a standalone province needs nothing');
  assert.throws(() => loadConfig({}, { ZHENGZHAO_ROLE: 'city' }), /--role \/ ZHENGZHAO_ROLE: province or hub, not "city"/);
  const half = federationProblems(loadConfig({}, { ZHENGZHAO_HUB_URL: 'http://hub:8080' }));
  assert.equal(half.length, 4);
  assert.match(half.join('\n'), /ZHENGZHAO_HUB_ACCOUNT.*\n.*ZHENGZHAO_HUB_SECRET.*\n.*ZHENGZHAO_AREA_CODE.*\n.*ZHENGZHAO_DATA_SOURCE/);
  const province = { ZHENGZHAO_HUB_URL: 'http://hub:8080', ZHENGZHAO_HUB_ACCOUNT: 'sc', ZHENGZHAO_HUB_SECRET: 's', ZHENGZHAO_AREA_CODE: '510000', ZHENGZHAO_DATA_SOURCE: '151' };
  assert.deepEqual(federationProblems(loadConfig({}, province)), []);
  assert.match(federationProblems(loadConfig({}, { ...province, ZHENGZHAO_DATA_SOURCE: '133' })).join(), /disagree: area code 510000 is not in region 33/);
  assert.match(federationProblems(loadConfig({ role: 'hub' }, province)).join(), /a hub does not call a hub/);
  assert.match(federationProblems(loadConfig({}, { ZHENGZHAO_AREA_CODE: '5100' })).join(), /ZHENGZHAO_AREA_CODE \(--area-code\) 5100: six digits/);
  assert.deepEqual(federationProblems(loadConfig({ role: 'hub' }, {})), []);
});
