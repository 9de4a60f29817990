import { randomUUID } from 'node:crypto';
import { zipSync, type Zippable } from 'fflate';
import subsetFont from 'subset-font';
import type { FileSigner, LayoutInput } from '../../core/layout-input.js';
import { cjkFontBytes } from '../cjk-font.js';
import { cstDate } from '../../domain/dates.js';
import { customDatas } from './metadata.js';
import { buildPage, Ids, PAGE_MM } from './page.js';
import { signParts, SIGNATURES_PATH, type OfdPart } from './sign.js';
import { el, part, text } from './xml.js';

const DOC = 'Doc_0';
const PAGE_PATH = 'Pages/Page_0/Content.xml';

/**
 * Renders a certificate as a one-page OFD file (GB/T 33190) stamped with its issuer's electronic
 * seal: the same page as the PDF, GB/T 36903 metadata in CustomDatas, the CJK font embedded as a
 * subset of the characters on the page, and a seal signature (GB/T 38540 SES_Signature) over every
 * part of the package.
 *
 * A seal is required. An OFD signature of type Seal carries an SES_Signature, and that embeds the
 * SESeal; an unsealed file would need the other signature form (type Sign, a PKCS#7-style value),
 * which readers show without any seal. Issuing organisations get their seal first (`seals add`).
 */
export async function renderCertificateOfd(input: LayoutInput, signer: FileSigner, opts: { now?: Date } = {}): Promise<Buffer> {
  if (!input.seal) throw new Error('an OFD layout file is stamped with the issuer\'s seal: input.seal is required');
  const at = opts.now ?? new Date();
  const ids = new Ids();
  const fonts = { cjk: ids.next(), latin: ids.next() };
  const pageId = ids.next();
  const page = await buildPage(input, ids, fonts);
  // The subset keeps only the characters drawn: a few kilobytes instead of the 5.5 MB font.
  const chars = [...new Set(page.cjkText)].join('') || '证';
  const font = await subsetFont(cjkFontBytes(), chars, { targetFormat: 'sfnt' });

  const m = input.metadata;
  const ofd = part('OFD', { Version: '1.2', DocType: 'OFD' },
    el('DocBody', {},
      el('DocInfo', {},
        text('DocID', randomUUID().replace(/-/g, '')),
        text('Title', input.title),
        text('Author', m.issuer),
        text('CreationDate', cstDate(at)),
        text('Creator', 'zhengzhao'),
        el('CustomDatas', {}, ...customDatas(m, input.annotation).map(([name, value]) => text('CustomData', value, { Name: name })))),
      text('DocRoot', `${DOC}/Document.xml`),
      text('Signatures', SIGNATURES_PATH)));
  const publicRes = part('Res', { BaseLoc: 'Res' },
    el('Fonts', {},
      el('Font', { ID: fonts.cjk, FontName: 'SourceHanSansCN-Regular', FamilyName: 'Source Han Sans CN' }, text('FontFile', `font_${fonts.cjk}.otf`)),
      // Latin runs: not embedded, as the PDF's Helvetica is not; readers map Arial to a system sans.
      el('Font', { ID: fonts.latin, FontName: 'Arial', FamilyName: 'Arial' })));
  const ext = { PNG: 'png', JPEG: 'jpg' } as const;
  const documentRes = part('Res', { BaseLoc: 'Res' },
    el('MultiMedias', {}, ...page.images.map((i) => el('MultiMedia', { ID: i.id, Type: 'Image', Format: i.format }, text('MediaFile', `image_${i.id}.${ext[i.format]}`)))));
  const document = part('Document', {},
    el('CommonData', {},
      text('MaxUnitID', ids.max),
      el('PageArea', {}, text('PhysicalBox', `0 0 ${PAGE_MM.width} ${PAGE_MM.height}`)),
      text('PublicRes', 'PublicRes.xml'),
      text('DocumentRes', 'DocumentRes.xml')),
    el('Pages', {}, el('Page', { ID: pageId, BaseLoc: PAGE_PATH })));

  const parts: OfdPart[] = [
    { path: 'OFD.xml', bytes: ofd },
    { path: `${DOC}/Document.xml`, bytes: document },
    { path: `${DOC}/PublicRes.xml`, bytes: publicRes },
    { path: `${DOC}/DocumentRes.xml`, bytes: documentRes },
    { path: `${DOC}/${PAGE_PATH}`, bytes: page.content },
    { path: `${DOC}/Res/font_${fonts.cjk}.otf`, bytes: font },
    ...page.images.map((i) => ({ path: `${DOC}/Res/image_${i.id}.${ext[i.format]}`, bytes: i.bytes })),
  ];
  const signed = signParts(parts, signer, input.seal.sesealDer, { pageId, boundary: page.stampBoundary! }, at);

  const files: Zippable = {};
  for (const p of [...parts, ...signed]) {
    // Pictures are compressed already; deflating them again only costs time.
    files[p.path] = [p.bytes, { level: /\.(png|jpg)$/.test(p.path) ? 0 : 6 }];
  }
  return Buffer.from(zipSync(files, { mtime: at }));
}
