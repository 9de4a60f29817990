/**
 * What both layout renderers (PDF and OFD) draw and sign: one input, two formats, so the two files
 * of a certificate show the same thing. Built by the core from a certificate; renderers know
 * nothing of certificates, dialects or the database.
 */

export interface LayoutField {
  name: string;
  /** For pictures: base64 PNG or JPEG. */
  value: string;
  valueType: 'string' | 'picture';
}

/** GB/T 36903 metadata carried in the file (PDF information dictionary, OFD CustomDatas). */
export interface LayoutMetadata {
  certificateId: string;
  typeName: string;
  typeCode: string;
  holderCode: string;
  holderName: string;
  issuer: string;
  issuerCode: string;
  issueDate: string;
}

/**
 * The annotation of an annotated copy (电子证照加注件): drawn visibly on the page (for example
 * "仅供…使用，有效期至…") and written as metadata JZJZZSJ (madeAt), JZJZZZ (maker), JZJZZSY (reason),
 * JZJYXQJZSJ (expiresAt).
 */
export interface LayoutAnnotation {
  /** The visible line, already composed by the core. */
  text: string;
  /** ISO 8601 */
  madeAt: string;
  maker: string;
  reason: string;
  /** ISO 8601 */
  expiresAt: string;
}

export interface LayoutSeal {
  /** Seal name, e.g. the organisation's name. */
  name: string;
  /** The seal picture (PNG), drawn over the issuer line. */
  picturePng: Buffer;
  /** DER of the GB/T 38540 SESeal; OFD signatures embed it in SES_Signature. */
  sesealDer: Buffer;
}

export interface LayoutInput {
  title: string;
  fields: LayoutField[];
  /** Lines at the bottom right: issuer, date. */
  footer?: string[];
  metadata: LayoutMetadata;
  /** Text of the QR code on the page: a URL that leads to verification. */
  qrText?: string;
  seal?: LayoutSeal;
  annotation?: LayoutAnnotation;
}

/**
 * Who signs the file: the node's SM2 key. `sign` returns the DER SEQUENCE { r, s } of an SM2
 * signature with SM3 and the default user ID 1234567812345678 (Z included), as sm2Sign does.
 */
export interface FileSigner {
  sign(data: Uint8Array): Buffer;
  /** DER X.509 certificate of the signing key (SM2 with SM3). */
  certificateDer: Buffer;
  /** 04 ‖ x ‖ y, 130 hex characters. */
  publicKeyHex: string;
}
