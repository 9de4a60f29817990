import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCopyText } from '../../src/store/copy-text.js';
import { openDb } from '../../src/store/db.js';
import { migrate } from '../../src/store/migrate.js';
import { FrontDbRepo, lastIdOfRowsText, storedRowsFromCopy } from '../../src/store/front-db.js';
import { catalogRow } from '../support/catalog-rows.js';
import { makeBackend, type Backend } from '../support/backends.js';

test('parseCopyText reads fields, nulls and every escape COPY writes or reads', () => {
  assert.deepEqual(parseCopyText('1\ta\\tb\t\\N\n2\tc\\\\d\\ne\\r\t\n'), [['1', 'a\tb', null], ['2', 'c\\d\ne\r', '']]);
  assert.deepEqual(parseCopyText('\\b\\f\\v\\101\\x42\\q\n'), [['\b\f\vABq']]);
  assert.deepEqual(parseCopyText('中文\t证照\n'), [['中文', '证照']]);
  assert.deepEqual(parseCopyText(''), []);
});

test('lic_data rows read as COPY text equal the rows read by query, awkward characters and nulls included', async () => {
  const b = await makeBackend();
  const db = await openDb({ dataDir: b.dataDir, databaseUrl: b.databaseUrl });
  try {
    await migrate(db);
    const front = new FrontDbRepo(db);
    const rows = [0, 1, 2].map((i) => catalogRow(i));
    rows[1] = { ...rows[1]!, name: 'tab\there\nnewline\\backslash 中文', holderType: null };
    rows[2] = { ...rows[2]!, holderName: '  spaced  ', issuerName: '\\N' };
    await front.insertRows(db, rows);
    const horizon = await front.horizon('lic_data');
    const byQuery = await front.rows(db, 0, horizon, 10);
    const text = await front.rowsText(db, 0, horizon, 10);
    const byCopy = storedRowsFromCopy(text);
    assert.equal(lastIdOfRowsText(text), byQuery[2]!.id);
    assert.equal(byCopy.length, 3);
    assert.deepEqual(byCopy, byQuery);
    assert.equal(byCopy[1]!.name, 'tab\there\nnewline\\backslash 中文');
    assert.equal(byCopy[1]!.holderType, null);
    assert.equal(byCopy[2]!.issuerName, '\\N');
    assert.deepEqual(storedRowsFromCopy(await front.rowsText(db, byCopy[0]!.id, horizon, 1)).map((r) => r.id), [byCopy[1]!.id]);
    await assert.rejects(front.rowsText(db, 0.5, horizon, 1), /integer bounds/);
  } finally {
    await db.close();
    await b.cleanup();
  }
});
