import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sealPicturePng, sealPictureSvg } from '../../src/files/seal-picture.js';
import { decodePng } from '../support/png.js';

test('the seal picture is a red round seal with a star on a transparent background', () => {
  const png = decodePng(sealPicturePng('北京市朝阳区民政局'));
  assert.equal(png.width, 496);
  assert.equal(png.height, 496);
  assert.equal(png.pixel(2, 2)[3], 0, 'the corner is transparent');
  const [r, g, b, a] = png.pixel(248, 248);
  assert.ok(a > 200 && r > 180 && g < 60 && b < 60, `the centre (the star) is red: ${[r, g, b, a]}`);
  assert.equal(png.pixel(248, 400)[3], 0, 'below the star, inside the ring, is empty');
  const ring = png.pixel(248, 6);
  assert.ok(ring[3] > 200 && ring[0] > 180, 'the ring is drawn at the top edge');
});

test('the name is drawn as glyph outlines, one per character the font has', () => {
  const svg = sealPictureSvg('北京市朝阳区民政局');
  assert.equal((svg.match(/<path transform=/g) ?? []).length, 9);
  assert.equal((sealPictureSvg('ABC民政局').match(/<path transform=/g) ?? []).length, 3, 'characters the CJK cut lacks are left out');
});
