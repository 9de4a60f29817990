import { XMLParser } from 'fast-xml-parser';

/**
 * Reading the XML parts of an OFD package into plain objects (fast-xml-parser). The ofd: prefix is
 * dropped so documents with another prefix read the same; elements that may repeat are always
 * arrays. DTDs are refused outright: no OFD part needs one, and entity tricks start there.
 */
const REPEATED = new Set([
  'OFD.DocBody',
  'OFD.DocBody.DocInfo.CustomDatas.CustomData',
  'Signatures.Signature',
  'Signature.SignedInfo.References.Reference',
  'Signature.SignedInfo.StampAnnot',
]);

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  processEntities: true,
  isArray: (_name, jpath) => REPEATED.has(String(jpath)),
});

export type XmlNode = Record<string, unknown>;

export function readXml(bytes: Buffer, path: string): { ok: true; root: XmlNode } | { ok: false; problem: string } {
  const source = bytes.toString('utf8');
  if (/<!DOCTYPE/i.test(source)) return { ok: false, problem: `${path}: a DTD is not accepted` };
  try {
    return { ok: true, root: parser.parse(source) as XmlNode };
  } catch (err) {
    return { ok: false, problem: `${path}: not well-formed XML (${(err as Error).message.split('\n')[0]})` };
  }
}

/** The text of an element whether the parser made it a string or an object with #text. */
export function textOf(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (v && typeof v === 'object' && '#text' in v) return String((v as XmlNode)['#text']);
  return undefined;
}

export function child(node: unknown, name: string): XmlNode | undefined {
  const v = node && typeof node === 'object' ? (node as XmlNode)[name] : undefined;
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as XmlNode) : undefined;
}

export function children(node: unknown, name: string): XmlNode[] {
  const v = node && typeof node === 'object' ? (node as XmlNode)[name] : undefined;
  return Array.isArray(v) ? v.filter((x): x is XmlNode => !!x && typeof x === 'object') : [];
}

/**
 * A location (ST_Loc) inside the package: absolute from the root when it starts with "/", else
 * relative to the directory of the part that names it. Undefined when it climbs out of the package.
 */
export function resolveLoc(fromPart: string, loc: string): string | undefined {
  const base = loc.startsWith('/') ? [] : fromPart.split('/').slice(0, -1);
  const out = [...base];
  for (const seg of loc.replace(/^\/+/, '').split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') { if (!out.pop()) return undefined; continue; }
    out.push(seg);
  }
  return out.length ? out.join('/') : undefined;
}
