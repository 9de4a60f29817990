import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { renderSignedPdf } from '../../src/files/pdf-sign.js';
import { sm3Hex } from '../../src/crypto/sm3.js';
import { ANNOTATION, QR_TEXT, certificateLayout, makeSigner, signatureParts } from '../support/pdf-fixtures.js';

/**
 * The signed PDFs checked by tools that share no code with the project: Poppler reads the text,
 * metadata and signature structure and renders the page, ZBar decodes the QR code from the
 * rendering, BouncyCastle verifies the CMS, OpenSSL parses it and recomputes the digest.
 *
 * OpenSSL 3.0's `cms -verify` is not used for the SM2 signature itself: it computes SM2's Z with an
 * empty user ID and so rejects signatures made, as GM/T 0009 requires and BouncyCastle checks, with
 * the default ID 1234567812345678 (a signature made with an empty ID passes it, so the rest of the
 * container is as OpenSSL expects).
 */
const ARTIFACTS = new URL('../../test-artifacts/', import.meta.url).pathname;
const BC = ['bcprov', 'bcpkix', 'bcutil'].map((j) => `/usr/share/java/${j}.jar`);
const has = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
const tools = {
  poppler: has('pdftotext') && has('pdftoppm') && has('pdfinfo') && has('pdfsig'),
  zbar: has('zbarimg'),
  java: has('javac') && has('java') && BC.every((j) => existsSync(j)),
  openssl: has('openssl'),
};
// Under CI the tools are installed by .ci/run, so their absence is a failure, not a skip.
const skipUnless = (ok: boolean, what: string) => (!ok && !process.env.CI ? `${what} not installed` : false);

const dir = mkdtempSync(join(tmpdir(), 'zz-pdf-tools-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const sh = (cmd: string, args: string[]) => spawnSync(cmd, args, { cwd: dir, encoding: 'utf8' });

const signer = makeSigner();
const original = await renderSignedPdf(certificateLayout(), signer, { reason: '电子证照签发' });
const annotated = await renderSignedPdf({ ...certificateLayout(), annotation: ANNOTATION }, signer, { reason: '电子证照加注件' });
writeFileSync(join(dir, 'original.pdf'), original);
writeFileSync(join(dir, 'annotated.pdf'), annotated);

test('Poppler reads the holder, the annotation, the metadata and a signature over the whole file', { skip: skipUnless(tools.poppler, 'poppler-utils') }, () => {
  assert.ok(tools.poppler, 'poppler-utils (pdftotext, pdftoppm, pdfinfo, pdfsig) must be installed under CI');
  const text = sh('pdftotext', ['original.pdf', '-']).stdout;
  for (const s of ['结婚证', '张三', '李四', '××市××区民政局', 'J320000-2011-001327']) assert.ok(text.includes(s), `text has ${s}`);
  assert.ok(!text.includes('仅供'), 'the original has no annotation');
  assert.ok(sh('pdftotext', ['annotated.pdf', '-']).stdout.includes(ANNOTATION.text), 'the annotation line is text');

  const info = sh('pdfinfo', ['-custom', 'annotated.pdf']).stdout;
  assert.match(info, /ZZBS:\s+1\.2\.156\.3005\.2\./);
  assert.match(info, /CZZT:\s+张三/);
  assert.match(info, /JZJZZSY:\s+办理住房公积金提取/);
  assert.match(info, /JZJYXQJZSJ:\s+2026-12-31T23:59:59\+08:00/);
  assert.match(sh('pdfinfo', ['annotated.pdf']).stdout, /Pages:\s+1/);

  // pdfsig's NSS knows no SM3, so it cannot validate; it does find the field, type and coverage.
  const sig = sh('pdfsig', ['original.pdf']).stdout;
  assert.match(sig, /Signature Type: adbe\.pkcs7\.detached/);
  assert.match(sig, /Signer full Distinguished Name: CN=zhengzhao node pdf-test,O=zhengzhao,C=CN/);
  assert.match(sig, /Total document signed/);
});

test('the rendered pages show the QR code that ZBar decodes to the verification URL', { skip: skipUnless(tools.poppler && tools.zbar, 'poppler-utils or zbar-tools') }, () => {
  assert.ok(tools.poppler && tools.zbar, 'poppler-utils and zbar-tools must be installed under CI');
  mkdirSync(ARTIFACTS, { recursive: true });
  for (const name of ['original', 'annotated']) {
    // 60 dpi for people to look at (kept as artifacts); 100 dpi for ZBar, which needs about two
    // pixels per module and gets 1.9 at 60 dpi from this 90-point, 41-module code.
    assert.equal(sh('pdftoppm', ['-png', '-r', '60', '-singlefile', `${name}.pdf`, `${name}-60`]).status, 0);
    copyFileSync(join(dir, `${name}-60.png`), join(ARTIFACTS, `pdf-${name}.png`));
    assert.equal(sh('pdftoppm', ['-png', '-r', '100', '-singlefile', `${name}.pdf`, `${name}-100`]).status, 0);
    const qr = sh('zbarimg', ['--quiet', '--raw', '-Sdisable', '-Sqrcode.enable', `${name}-100.png`]);
    assert.equal(qr.status, 0, qr.stderr);
    assert.equal(qr.stdout.replace(/\n$/, ''), QR_TEXT);
  }
});

test('BouncyCastle verifies the CMS signature with the default SM2 user ID, and rejects a changed byte', { skip: skipUnless(tools.java, 'javac or BouncyCastle (libbcprov-java, libbcpkix-java)') }, () => {
  assert.ok(tools.java, 'a JDK and BouncyCastle must be installed under CI');
  const source = new URL('../support/java/CmsSm2Verify.java', import.meta.url).pathname;
  const cp = BC.join(':');
  const javac = sh('javac', ['-d', 'classes', '-cp', cp, source]);
  assert.equal(javac.status, 0, javac.stderr);
  const { cms, ranges } = signatureParts(original);
  writeFileSync(join(dir, 'sig.der'), cms);
  writeFileSync(join(dir, 'ranges.bin'), ranges);
  const ok = sh('java', ['-cp', `classes:${cp}`, 'CmsSm2Verify', 'sig.der', 'ranges.bin']);
  assert.equal(ok.status, 0, ok.stdout + ok.stderr);
  assert.match(ok.stdout, /^VERIFIED 1\.2\.156\.10197\.1\.501 1\.2\.156\.10197\.1\.401 C=CN,O=zhengzhao,CN=zhengzhao node pdf-test/);
  assert.ok(ok.stdout.trim().endsWith(signer.publicKeyHex), 'the same key');

  ranges[ranges.length >> 1] ^= 1;
  writeFileSync(join(dir, 'ranges-changed.bin'), ranges);
  const bad = sh('java', ['-cp', `classes:${cp}`, 'CmsSm2Verify', 'sig.der', 'ranges-changed.bin']);
  assert.notEqual(bad.status, 0);
  assert.doesNotMatch(bad.stdout, /VERIFIED/);
});

test('OpenSSL parses the CMS, and its messageDigest is the SM3 OpenSSL computes over the byte ranges', { skip: skipUnless(tools.openssl, 'openssl') }, () => {
  assert.ok(tools.openssl, 'openssl must be installed under CI');
  const { cms, ranges } = signatureParts(annotated);
  writeFileSync(join(dir, 'a-sig.der'), cms);
  writeFileSync(join(dir, 'a-ranges.bin'), ranges);
  const printed = sh('openssl', ['cms', '-cmsout', '-print', '-inform', 'DER', '-in', 'a-sig.der']);
  assert.equal(printed.status, 0, printed.stderr);
  assert.match(printed.stdout, /contentType: pkcs7-signedData/);
  assert.match(printed.stdout, /algorithm: sm3/);
  assert.match(printed.stdout, /algorithm: SM2-with-SM3/);
  for (const attr of ['contentType', 'signingTime', 'messageDigest', 'id-smime-aa-signingCertificateV2']) assert.match(printed.stdout, new RegExp(`object: ${attr}`));
  const digest = sh('openssl', ['dgst', '-sm3', '-r', 'a-ranges.bin']).stdout.split(' ')[0]!;
  assert.equal(digest, sm3Hex(readFileSync(join(dir, 'a-ranges.bin'))));
  // The digest as it stands in the messageDigest attribute: OCTET STRING of 32 bytes.
  assert.ok(cms.includes(Buffer.from(`0420${digest}`, 'hex')), 'messageDigest holds the SM3 of the ranges');
});
