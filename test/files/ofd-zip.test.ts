import { test } from 'node:test';
import assert from 'node:assert/strict';
import { zipSync } from 'fflate';
import { inspectOfd } from '../../src/files/ofd/index.js';
import { readZip, ZIP_LIMITS } from '../../src/files/ofd/zip-read.js';

const problemsOf = (bytes: Uint8Array) => {
  const r = inspectOfd(bytes);
  assert.equal(r.signed, false);
  assert.equal(r.signatureValid, false);
  return r.problems.join('; ');
};

test('not a ZIP, a truncated ZIP, a ZIP without OFD.xml, an OFD without signature: problems, never exceptions', () => {
  assert.match(problemsOf(Buffer.from('%PDF-1.7 not an ofd')), /not an OFD file/);
  assert.match(problemsOf(Buffer.alloc(0)), /not an OFD file/);
  const zip = Buffer.from(zipSync({ 'readme.txt': Buffer.from('hello') }));
  assert.match(problemsOf(zip), /OFD\.xml is missing/);
  assert.match(problemsOf(zip.subarray(0, zip.length - 10)), /no end of central directory/);
  const unsigned = zipSync({ 'OFD.xml': Buffer.from('<?xml version="1.0"?><ofd:OFD xmlns:ofd="http://www.ofdspec.org/2016"><ofd:DocBody><ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>') });
  assert.match(problemsOf(unsigned), /carries no signature/);
  assert.match(problemsOf(zipSync({ 'OFD.xml': Buffer.from('<ofd:OFD><unclosed') })), /not well-formed XML/);
  assert.match(problemsOf(zipSync({ 'OFD.xml': Buffer.from('<!DOCTYPE x [<!ENTITY a "aaaa">]><OFD>&a;</OFD>') })), /DTD is not accepted/);
  const random = Buffer.alloc(2000);
  for (let i = 0; i < random.length; i++) random[i] = (i * 7919) & 0xff;
  random.write('PK\x03\x04', 0, 'latin1');
  assert.match(problemsOf(random), /ZIP/);
});

test('zip bombs and path tricks are refused before inflating', () => {
  const big = zipSync({ 'OFD.xml': new Uint8Array(ZIP_LIMITS.entryBytes + 1) });
  assert.match(problemsOf(big), /entry OFD\.xml: too large/);

  // A central directory that understates the size: zlib stops at the declared size.
  const lying = Buffer.from(zipSync({ 'OFD.xml': new Uint8Array(100_000) }));
  const cd = lying.lastIndexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
  lying.writeUInt32LE(1000, cd + 24);
  const read = readZip(lying);
  assert.ok(read.ok && /does not inflate|inflates to/.test(read.damaged.get('OFD.xml') ?? ''), JSON.stringify(read.ok && [...read.damaged]));
  assert.match(problemsOf(lying), /OFD\.xml is damaged/);

  const many = Object.fromEntries(Array.from({ length: ZIP_LIMITS.entries + 1 }, (_, i) => [`f${i}`, new Uint8Array(1)]));
  assert.match(problemsOf(zipSync(many)), /too many entries/);
  assert.match(problemsOf(zipSync({ '../evil.xml': new Uint8Array(1) })), /unsafe name/);
  assert.match(problemsOf(zipSync({ 'a//b.xml': new Uint8Array(1) })), /unsafe name/);
});
