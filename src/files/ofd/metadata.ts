import type { LayoutAnnotation, LayoutMetadata } from '../../core/layout-input.js';

/**
 * GB/T 36903 names under which OFD.xml's CustomDatas carry the certificate's metadata, shared by the
 * writer and the verifier so the two cannot drift apart.
 */
export const METADATA_NAMES: Readonly<Record<keyof LayoutMetadata, string>> = {
  certificateId: 'ZZBS',
  typeCode: 'ZZLXDM',
  typeName: 'ZZMC',
  holderCode: 'CZZTDM',
  holderName: 'CZZT',
  issuer: 'ZZBFJG',
  issuerCode: 'ZZBFJGDM',
  issueDate: 'ZZBFRQ',
};

/** The annotated copy's metadata (加注件); its visible line is drawn on the page, not stored here. */
export const ANNOTATION_NAMES: Readonly<Record<Exclude<keyof LayoutAnnotation, 'text'>, string>> = {
  madeAt: 'JZJZZSJ',
  maker: 'JZJZZZ',
  reason: 'JZJZZSY',
  expiresAt: 'JZJYXQJZSJ',
};

export function customDatas(metadata: LayoutMetadata, annotation?: LayoutAnnotation): [string, string][] {
  const out = (Object.keys(METADATA_NAMES) as (keyof LayoutMetadata)[]).map((k): [string, string] => [METADATA_NAMES[k], metadata[k]]);
  if (annotation) for (const k of Object.keys(ANNOTATION_NAMES) as (keyof typeof ANNOTATION_NAMES)[]) out.push([ANNOTATION_NAMES[k], annotation[k]]);
  return out;
}

/** The reverse: CustomData name/value pairs → what of the metadata and annotation they hold. */
export function readCustomDatas(pairs: [string, string][]): { metadata: Partial<LayoutMetadata>; annotation?: Partial<LayoutAnnotation> } {
  const byName = new Map(pairs);
  const metadata: Partial<LayoutMetadata> = {};
  for (const [k, name] of Object.entries(METADATA_NAMES) as [keyof LayoutMetadata, string][]) {
    const v = byName.get(name);
    if (v !== undefined) metadata[k] = v;
  }
  const annotation: Partial<LayoutAnnotation> = {};
  for (const [k, name] of Object.entries(ANNOTATION_NAMES) as [keyof typeof ANNOTATION_NAMES, string][]) {
    const v = byName.get(name);
    if (v !== undefined) annotation[k] = v;
  }
  return { metadata, ...(Object.keys(annotation).length ? { annotation } : {}) };
}
