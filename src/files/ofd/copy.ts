import { sealOfSesSignature } from '../../crypto/ses.js';
import { sm3 } from '../../crypto/sm3.js';
import { ANNOTATION_RED, copyLayout, WATERMARK_OPACITY, type PlacedLine } from '../copy-layout.js';
import { glyphOutline, unitsPerEm, type GlyphOutline } from '../glyph-outlines.js';
import type { FileSigner, LayoutAnnotation } from '../../core/layout-input.js';
import { ANNOTATION_NAMES } from './metadata.js';
import { signParts, SIGNATURE_PATH, SIGNS_DIR, type SignedPart } from './sign.js';
import { el, num, text } from './xml.js';
import { entryBytes, listZip } from './zip-read.js';
import { writeZip, type ZipPart } from './zip-write.js';

const PT = 25.4 / 72; // millimetres per point
const DOC = 'Doc_0';

/**
 * An annotated copy (电子证照加注件) of a signed original OFD: the original's parts as they are, plus
 * a layer laid over its page with the statement in the top margin and as a translucent diagonal
 * watermark, the JZJ* metadata among OFD.xml's CustomDatas, and the seal signature made again over
 * every part (the same seal, the same place on the page). Nothing of the page is laid out again:
 * the added layer follows the original's layers in Content.xml.
 *
 * The package is rewritten without recompressing it: the parts the copy does not change (the font
 * subset, the pictures, the resources) are copied as the original stores them, compressed bytes,
 * CRC and all, and their SM3 is taken from the original's own signature (a part altered on disk
 * then fails the copy's verification, as it fails the original's). Only the three changed XML parts
 * and the signature are inflated, made and deflated.
 *
 * The statement's CJK glyphs are their outlines (PathObjects, cached per character), so no font is
 * subsetted and embedded per copy; Latin runs use the original's Latin font.
 */
export function annotateOfd(original: Buffer, annotation: LayoutAnnotation, signer: FileSigner, opts: { now?: Date } = {}): Buffer {
  const at = opts.now ?? new Date();
  const zip = listZip(original);
  if (!zip.ok) throw new Error(`the original OFD is not readable: ${zip.problem}`);
  const entries = new Map(zip.entries.map((e) => [e.name, e]));
  const bytesOf = (path: string): Buffer => {
    const e = entries.get(path);
    if (!e) throw new Error(`the original OFD has no ${path}`);
    const b = entryBytes(e);
    if (typeof b === 'string') throw new Error(`the original OFD's ${path} is damaged: ${b}`);
    return b;
  };
  const get = (path: string): string => bytesOf(path).toString('utf8');

  const signature = get(SIGNATURE_PATH);
  const stamp = /<ofd:StampAnnot [^>]*PageRef="(\d+)"[^>]*Boundary="([^"]+)"/.exec(signature);
  let sealDer: Buffer | undefined;
  try { sealDer = sealOfSesSignature(bytesOf(`${SIGNS_DIR}/Sign_0/SignedValue.dat`)); } catch { /* answered below */ }
  if (!stamp || !sealDer) throw new Error('the original OFD carries no readable seal signature');
  const boundary = stamp[2]!.split(/\s+/).map(Number) as [number, number, number, number];
  const digests = new Map([...signature.matchAll(/<ofd:Reference FileRef="\/([^"]+)"><ofd:CheckValue>([A-Za-z0-9+/=]+)<\/ofd:CheckValue>/g)].map((m) => [m[1]!, Buffer.from(m[2]!, 'base64')]));

  const document = get(`${DOC}/Document.xml`);
  const maxId = Number(/<ofd:MaxUnitID>(\d+)<\/ofd:MaxUnitID>/.exec(document)?.[1]);
  const pageLoc = /<ofd:Page ID="\d+" BaseLoc="([^"]+)"/.exec(document)?.[1];
  if (!Number.isInteger(maxId) || !pageLoc) throw new Error('the original OFD\'s Document.xml is not as this project writes it');
  const pagePath = `${DOC}/${pageLoc}`;
  const latinFont = /<ofd:Font ID="(\d+)" FontName="Arial"/.exec(get(`${DOC}/PublicRes.xml`))?.[1];

  let id = maxId;
  const layout = copyLayout(annotation.text);
  const objects = [
    ...drawLine(layout.top, { centre: [0, 0], angle: 0 }, 255, () => ++id, latinFont),
    ...drawLine(layout.watermark, layout.watermark ?? { centre: [0, 0], angle: 0 }, Math.round(WATERMARK_OPACITY * 255), () => ++id, latinFont),
  ];
  const layer = el('Layer', { ID: ++id, Type: 'Foreground' }, ...objects);

  const changed = new Map<string, Buffer>([
    [pagePath, Buffer.from(insertBefore(get(pagePath), '</ofd:Content>', layer), 'utf8')],
    [`${DOC}/Document.xml`, Buffer.from(document.replace(/<ofd:MaxUnitID>\d+<\/ofd:MaxUnitID>/, `<ofd:MaxUnitID>${id}</ofd:MaxUnitID>`), 'utf8')],
    ['OFD.xml', Buffer.from(insertBefore(get('OFD.xml'), '</ofd:CustomDatas>', customDatas(annotation)), 'utf8')],
  ]);
  const kept = zip.entries.filter((e) => !e.name.startsWith(`${SIGNS_DIR}/`));
  const signed: SignedPart[] = kept.map((e) => {
    const bytes = changed.get(e.name);
    return { path: e.name, digest: bytes ? sm3(bytes) : digests.get(e.name) ?? sm3(bytesOf(e.name)) };
  });
  const signatureParts = signParts(signed, signer, sealDer, { pageId: Number(stamp[1]), boundary }, at);

  return writeZip([
    ...kept.map((e): ZipPart => {
      const bytes = changed.get(e.name);
      return bytes ? { name: e.name, bytes, level: 1 } : { copy: e };
    }),
    // The SES_Signature is mostly the seal's PNG picture, which deflate cannot shrink: it is stored.
    ...signatureParts.map((p): ZipPart => ({ name: p.path, bytes: p.bytes, level: 1, store: p.path.endsWith('.dat') })),
  ], at);
}

function insertBefore(xml: string, closing: string, addition: string): string {
  const at = xml.lastIndexOf(closing);
  if (at === -1) throw new Error(`the original OFD has no ${closing}`);
  return xml.slice(0, at) + addition + xml.slice(at);
}

function customDatas(a: LayoutAnnotation): string {
  return (Object.keys(ANNOTATION_NAMES) as (keyof typeof ANNOTATION_NAMES)[]).map((k) => text('CustomData', a[k], { Name: ANNOTATION_NAMES[k] })).join('');
}

/**
 * One line as page objects in millimetres: each CJK glyph a filled path in font units placed by its
 * CTM, Latin runs as text in the original's Latin font. The line is laid out from its start (x, y)
 * about `centre` and turned by `angle` about it (anticlockwise as seen; y points down).
 */
function drawLine(placed: PlacedLine | undefined, turn: { centre: [number, number]; angle: number }, alpha: number, nextId: () => number, latinFont?: string): string[] {
  if (!placed) return [];
  const out: string[] = [];
  const cos = Math.cos(turn.angle), sin = Math.sin(turn.angle);
  const [cx, cy] = [turn.centre[0] * PT, turn.centre[1] * PT];
  const py = placed.y * PT;
  const k = (placed.size * PT) / unitsPerEm();
  const color = el('FillColor', { Value: ANNOTATION_RED.slice(1).match(/../g)!.map((h) => parseInt(h, 16)).join(' ') });
  const common = { Boundary: `0 0 210 297`, Alpha: alpha === 255 ? undefined : alpha };
  let pen = placed.x * PT;
  for (const run of placed.line) {
    if (run.font === 'latin') {
      if (latinFont) {
        const deltaX = run.advances.slice(0, -1).map((a) => num(a * PT)).join(' ');
        out.push(el('TextObject', { ID: nextId(), ...common, CTM: [cos, -sin, sin, cos, cx, cy].map(num).join(' '), Font: latinFont, Size: num(placed.size * PT) },
          color, text('TextCode', run.text, { X: num(pen), Y: num(py), DeltaX: deltaX || undefined })));
      }
      pen += run.width * PT;
      continue;
    }
    [...run.text].forEach((ch, i) => {
      const g = glyphOutline(ch.codePointAt(0)!);
      const data = abbreviated(g);
      if (data) {
        const ctm = [k * cos, -k * sin, -k * sin, -k * cos, cx + pen * cos + py * sin, cy - pen * sin + py * cos];
        out.push(el('PathObject', { ID: nextId(), ...common, CTM: ctm.map((v) => String(Math.round(v * 1e6) / 1e6)).join(' '), Stroke: 'false', Fill: 'true' },
          color, text('AbbreviatedData', data)));
      }
      pen += run.advances[i]! * PT;
    });
  }
  return out;
}

const cache = new WeakMap<GlyphOutline, string>();
/** The outline as OFD path data (M, L, B, C), in font units. */
function abbreviated(g: GlyphOutline): string {
  let d = cache.get(g);
  if (d === undefined) {
    d = g.segments.map((s) => (s[0] === 'Z' ? 'C' : s[0] === 'C' ? `B ${s.slice(1).join(' ')}` : s.join(' '))).join(' ');
    cache.set(g, d);
  }
  return d;
}
