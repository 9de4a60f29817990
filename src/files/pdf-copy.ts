import { sm3 } from '../crypto/sm3.js';
import { readCertificate, type CertificateParts } from '../crypto/x509-read.js';
import { ANNOTATION_RED, copyLayout, PAGE_PT, WATERMARK_OPACITY, type PlacedLine } from './copy-layout.js';
import { glyphOutline, unitsPerEm, type GlyphOutline } from './glyph-outlines.js';
import type { FileSigner, LayoutAnnotation } from '../core/layout-input.js';
import { isRef, readTrailer, resolve, type PdfDict, type PdfValue } from './pdf-objects.js';
import { pdfCms, type PdfSignOptions } from './pdf-sign.js';
import { IncrementalUpdate, lastXrefOffset, name, raw, ref, serialize, textString, type PdfOut } from './pdf-write.js';
import { cjkFont } from './text-layout.js';

/**
 * An annotated copy (电子证照加注件) of a signed original PDF, as an incremental update (ISO 32000-1
 * 7.5.6) appended to the original's bytes, which stay as they are: a content stream with the
 * statement in the top margin and as a diagonal watermark, the JZJ* metadata in a new revision of
 * the information dictionary, and a second signature field whose signature covers the whole file,
 * the original's signature included. Nothing of the original page is laid out again.
 *
 * The statement's CJK glyphs are drawn from their outlines (cached per character) through a Type 3
 * font with a ToUnicode map: no font is subsetted or embedded per copy, and the text still extracts
 * and searches as text. Latin runs use Helvetica, as the original does.
 */
export function annotatePdf(original: Buffer, annotation: LayoutAnnotation, signer: FileSigner, opts: PdfSignOptions = {}): Buffer {
  const signingTime = new Date(Math.floor((opts.signingTime ?? new Date()).getTime() / 1000) * 1000);
  const trailer = readTrailer(original);
  const root = trailer && resolve(original, trailer.get('Root'));
  if (!trailer || !(root instanceof Map)) throw new Error('the original PDF has no readable catalog');
  const pages = resolve(original, root.get('Pages'));
  const kids = pages instanceof Map ? resolve(original, pages.get('Kids')) : undefined;
  const pageRef = Array.isArray(kids) ? kids[0] : undefined;
  const page = resolve(original, pageRef);
  if (!isRef(pageRef) || !(page instanceof Map)) throw new Error('the original PDF has no readable first page');

  const u = new IncrementalUpdate(original, trailer);
  const layout = copyLayout(annotation.text);
  const fonts = new Type3Fonts();
  const content = ['Q', drawLine(layout.top, fonts, false), drawLine(layout.watermark, fonts, true, layout.watermark)].join('\n');

  // The original's content is wrapped in q … Q, so what it left in the graphics state (pdfkit flips
  // the y axis) does not reach the copy's drawing.
  const open = u.allocate();
  u.stream(open, 'q');
  const drawing = u.allocate();
  u.stream(drawing, content);

  const originalResources = asDict(resolve(original, page.get('Resources')));
  const resources = new Map<string, PdfOut>(originalResources);
  const fontDict = new Map<string, PdfOut>(asDict(resolve(original, originalResources.get('Font'))));
  fontDict.set('ZH', new Map<string, PdfOut>([['Type', name('Font')], ['Subtype', name('Type1')], ['BaseFont', name('Helvetica')], ['Encoding', name('WinAnsiEncoding')]]));
  fonts.write(u).forEach((num, i) => fontDict.set(`ZA${i}`, ref(num)));
  resources.set('Font', fontDict);
  const states = new Map<string, PdfOut>(asDict(resolve(original, originalResources.get('ExtGState'))));
  states.set('ZG', new Map<string, PdfOut>([['Type', name('ExtGState')], ['ca', WATERMARK_OPACITY]]));
  resources.set('ExtGState', states);
  const resourcesNum = u.allocate();
  u.object(resourcesNum, resources);

  // The signature: its field and widget, its place in the AcroForm and on the page.
  const sigNum = u.allocate();
  const widgetNum = u.allocate();
  const contentsLength = signer.certificateDer.length + 1024;
  u.object(sigNum, [
    '<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /adbe.pkcs7.detached',
    `/ByteRange [0 ${PLACEHOLDER} ${PLACEHOLDER} ${PLACEHOLDER}]`,
    `/Contents <${'0'.repeat(contentsLength * 2)}>`,
    `/M (D:${signingTime.toISOString().replace(/[-:T]/g, '').slice(0, 14)}Z)`,
    ...(opts.name ? [`/Name ${serialize(textString(opts.name))}`] : []),
    ...(opts.reason ? [`/Reason ${serialize(textString(opts.reason))}`] : []),
    '/Prop_Build << /Filter << /Name /Adobe.PPKLite >> /App << /Name /zhengzhao >> >> >>',
  ].join('\n'));
  const form = root.get('AcroForm');
  const formDict = asDict(resolve(original, form));
  const fields = resolve(original, formDict.get('Fields'));
  const fieldCount = Array.isArray(fields) ? fields.length : 0;
  u.object(widgetNum, new Map<string, PdfOut>([
    ['Type', name('Annot')], ['Subtype', name('Widget')], ['FT', name('Sig')], ['Rect', [0, 0, 0, 0]], ['F', 4],
    ['V', ref(sigNum)], ['T', textString(`Signature${fieldCount + 1}`)], ['P', pageRef],
  ]));
  const newForm = new Map<string, PdfOut>(formDict);
  newForm.set('Type', name('AcroForm'));
  newForm.set('SigFlags', 3);
  newForm.set('Fields', [...(Array.isArray(fields) ? fields : []), ref(widgetNum)]);
  if (isRef(form)) u.object(form.num, newForm);
  else {
    const rootRef = trailer.get('Root');
    if (!isRef(rootRef)) throw new Error('the catalog is not an indirect object');
    u.object(rootRef.num, new Map<string, PdfOut>([...root, ['AcroForm', newForm]]));
  }

  const contents = page.get('Contents');
  const annots = resolve(original, page.get('Annots'));
  u.object(pageRef.num, new Map<string, PdfOut>([
    ...page,
    ['Contents', [ref(open), ...(Array.isArray(contents) ? contents : contents ? [contents] : []), ref(drawing)]],
    ['Resources', ref(resourcesNum)],
    ['Annots', [...(Array.isArray(annots) ? annots : []), ref(widgetNum)]],
  ]));

  // The information dictionary again, with the copy's metadata and this signature's time.
  const infoRef = trailer.get('Info');
  const info = new Map<string, PdfOut>(asDict(resolve(original, infoRef)));
  const meta: Record<string, string> = {
    JZJZZSJ: annotation.madeAt, JZJZZZ: annotation.maker, JZJZZSY: annotation.reason, JZJYXQJZSJ: annotation.expiresAt,
    ZZQZSJ: signingTime.toISOString(),
  };
  for (const [k, v] of Object.entries(meta)) info.set(k, textString(v));
  const infoNum = isRef(infoRef) ? infoRef.num : u.allocate();
  u.object(infoNum, info);

  const file = u.finish(lastXrefOffset(original), ref(infoNum));
  return fillSignature(file, signer, signingTime);
}

const PLACEHOLDER = '0000000000';

/** Writes the /ByteRange and the CMS over it into the update's signature dictionary. */
function fillSignature(file: Buffer, signer: FileSigner, signingTime: Date): Buffer {
  const rangeAt = file.lastIndexOf('/ByteRange [');
  const rangeEnd = file.indexOf(']', rangeAt) + 1;
  const start = file.indexOf('<', rangeEnd);
  const end = file.indexOf('>', start) + 1;
  const range = `/ByteRange [0 ${start} ${end} ${file.length - end}]`;
  file.write(range.padEnd(rangeEnd - rangeAt, ' '), rangeAt, 'latin1');
  const cms = pdfCms(signer, certificateParts(signer.certificateDer), sm3(Buffer.concat([file.subarray(0, start), file.subarray(end)])), signingTime);
  const hex = cms.toString('hex');
  if (hex.length > end - start - 2) throw new Error('the CMS signature does not fit its placeholder');
  file.write(hex, start + 1, 'latin1');
  return file;
}

let parsedCert: { der: Buffer; parts: CertificateParts } | undefined;
function certificateParts(der: Buffer): CertificateParts {
  if (!parsedCert || !parsedCert.der.equals(der)) parsedCert = { der, parts: readCertificate(der) };
  return parsedCert.parts;
}

function asDict(v: PdfValue | undefined): PdfDict {
  return v instanceof Map ? v : new Map();
}

const rgb = (hex: string) => [1, 3, 5].map((i) => Math.round((parseInt(hex.slice(i, i + 2), 16) / 255) * 1000) / 1000).join(' ');
const n = (v: number) => String(Math.round(v * 1000) / 1000);

/**
 * One line of the statement as text operators in the page's default space (y up). The watermark is
 * placed about its centre and turned; it is drawn through the translucent graphics state.
 */
function drawLine(placed: PlacedLine | undefined, fonts: Type3Fonts, translucent: boolean, turn?: { centre: [number, number]; angle: number }): string {
  if (!placed) return '';
  const ops: string[] = ['q', `${rgb(ANNOTATION_RED)} rg`];
  if (translucent) ops.push('/ZG gs');
  if (turn) {
    const [cx, cy] = turn.centre;
    const c = Math.cos(turn.angle), s = Math.sin(turn.angle);
    ops.push(`${n(c)} ${n(s)} ${n(-s)} ${n(c)} ${n(cx)} ${n(PAGE_PT.height - cy)} cm`);
    ops.push(`BT 1 0 0 1 ${n(placed.x)} ${n(-placed.y)} Tm`);
  } else {
    ops.push(`BT 1 0 0 1 ${n(placed.x)} ${n(PAGE_PT.height - placed.y)} Tm`);
  }
  for (const run of placed.line) {
    if (run.font === 'latin') {
      ops.push(`/ZH ${n(placed.size)} Tf <${Buffer.from(run.text, 'latin1').toString('hex')}> Tj`);
      continue;
    }
    // Consecutive characters of the same Type 3 font share one Tj.
    let font = -1;
    let codes = '';
    const flush = () => { if (codes) ops.push(`/ZA${font} ${n(placed.size)} Tf <${codes}> Tj`); codes = ''; };
    for (const ch of run.text) {
      const [f, code] = fonts.code(ch.codePointAt(0)!);
      if (f !== font) { flush(); font = f; }
      codes += code.toString(16).padStart(2, '0');
    }
    flush();
  }
  ops.push('ET', 'Q');
  return ops.join('\n');
}

/** The Type 3 fonts of one copy: 256 codes each, assigned to characters as they are first drawn. */
class Type3Fonts {
  private readonly codes = new Map<number, number>();
  private readonly order: number[] = [];

  code(cp: number): [number, number] {
    let i = this.codes.get(cp);
    if (i === undefined) {
      i = this.order.length;
      this.codes.set(cp, i);
      this.order.push(cp);
    }
    return [Math.floor(i / 256), i % 256];
  }

  /** Writes each font, its glyph procedures and ToUnicode map; returns the fonts' object numbers. */
  write(u: IncrementalUpdate): number[] {
    const upm = unitsPerEm();
    const { bbox } = cjkFont();
    const out: number[] = [];
    for (let first = 0; first < this.order.length; first += 256) {
      const cps = this.order.slice(first, first + 256);
      const procs = new Map<string, PdfOut>();
      const widths: number[] = [];
      cps.forEach((cp, i) => {
        const g = glyphOutline(cp);
        widths.push(g.advance);
        const num = u.allocate();
        u.stream(num, `${g.advance} 0 d0\n${pathOps(g)}`);
        procs.set(`g${i}`, ref(num));
      });
      const toUnicode = u.allocate();
      u.stream(toUnicode, cmap(cps));
      const font = u.allocate();
      u.object(font, new Map<string, PdfOut>([
        ['Type', name('Font')], ['Subtype', name('Type3')],
        ['FontBBox', [bbox.minX, bbox.minY, bbox.maxX, bbox.maxY].map(Math.round)],
        ['FontMatrix', [1 / upm, 0, 0, 1 / upm, 0, 0]],
        ['CharProcs', procs],
        ['Encoding', new Map<string, PdfOut>([['Type', name('Encoding')], ['Differences', [0, ...cps.map((_, i) => name(`g${i}`))]]])],
        ['FirstChar', 0], ['LastChar', cps.length - 1], ['Widths', widths],
        ['Resources', new Map()], ['ToUnicode', ref(toUnicode)],
      ]));
      out.push(font);
    }
    return out;
  }
}

const opsCache = new WeakMap<GlyphOutline, string>();
function pathOps(g: GlyphOutline): string {
  let text = opsCache.get(g);
  if (text === undefined) {
    text = g.segments.length ? `${g.segments.map(segmentOp).join('\n')}\nf` : '';
    opsCache.set(g, text);
  }
  return text;
}

function segmentOp(s: GlyphOutline['segments'][number]): string {
  return s[0] === 'M' ? `${s[1]} ${s[2]} m` : s[0] === 'L' ? `${s[1]} ${s[2]} l` : s[0] === 'C' ? `${s.slice(1).join(' ')} c` : 'h';
}

/** A ToUnicode CMap (one byte codes) so the drawn statement extracts as its text. */
function cmap(cps: number[]): string {
  const lines = ['/CIDInit /ProcSet findresource begin', '12 dict begin', 'begincmap',
    '/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def', '/CMapName /Adobe-Identity-UCS def', '/CMapType 2 def',
    '1 begincodespacerange', '<00> <ff>', 'endcodespacerange'];
  for (let i = 0; i < cps.length; i += 100) {
    const block = cps.slice(i, i + 100);
    lines.push(`${block.length} beginbfchar`);
    block.forEach((cp, j) => lines.push(`<${(i + j).toString(16).padStart(2, '0')}> <${Buffer.from(String.fromCodePoint(cp), 'utf16le').swap16().toString('hex')}>`));
    lines.push('endbfchar');
  }
  lines.push('endcmap', 'CMapName currentdict /CMap defineresource pop', 'end', 'end');
  return lines.join('\n');
}
