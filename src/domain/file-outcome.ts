/**
 * What checking a layout file can conclude, most severe first in the order the checks run. Each
 * dialect maps these onto its own result codes (Sichuan 1/0, Zaozhuang 0-5, Yangtze River Delta 1/0).
 */
export type FileOutcome =
  | 'genuine'
  /** Neither a PDF nor an OFD package. */
  | 'not-a-layout-file'
  /** The caller said one format, the bytes are the other. */
  | 'format-mismatch'
  /** A PDF or OFD without a signature we can read. */
  | 'unsigned'
  /** The signature does not cover the bytes as they are: something changed. */
  | 'altered'
  /** OFD: the electronic seal inside the signature does not verify. */
  | 'seal-invalid'
  /** A valid signature, by a key this node does not trust. */
  | 'untrusted-signer'
  /** Signed by us, but it names no certificate we hold, or not as we hold it. */
  | 'unknown-certificate'
  | 'data-mismatch'
  /** The certificate itself: not yet issued or not yet in force, suspended, abolished or past its validity. */
  | 'not-activated'
  | 'suspended'
  | 'abolished'
  | 'expired'
  /** An annotated copy past the expiry it states. */
  | 'copy-expired';

/** A short Chinese statement of each outcome, for the message fields of the dialects. */
export const FILE_OUTCOME_TEXT: Record<FileOutcome, string> = {
  'genuine': '验证通过',
  'not-a-layout-file': '文件不是 PDF 或 OFD 格式的证照版式文件',
  'format-mismatch': '文件格式与声明的格式不符',
  'unsigned': '文件未签章',
  'altered': '文件内容已被篡改，签名校验失败',
  'seal-invalid': '电子印章校验失败',
  'untrusted-signer': '签章证书不受信任',
  'unknown-certificate': '文件所载证照不存在',
  'data-mismatch': '文件所载信息与证照数据不一致',
  'not-activated': '证照未激活',
  'suspended': '证照暂时失效',
  'abolished': '证照已废止',
  'expired': '证照已过有效期',
  'copy-expired': '加注件已过有效期',
};
