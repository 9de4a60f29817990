/**
 * The protocol code of a download address, as the download answers state it beside the address:
 * ZWFW C 0124 table 4 `data.contentType` (下载地址协议代码) and DB3704/T 0042 4.3.2
 * `dataList.contentType` (取值为“http”或“https”) are the same field, so both dialects answer it
 * from here: the scheme of the URL, without its colon.
 *
 * @example linkProtocol('http://ip:port/CertShare/zzgxp/download?id=fe7d') // 'http'
 */
export function linkProtocol(url: string): string {
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(url.trim());
  if (!scheme) throw new Error(`a download address without a scheme: ${url.slice(0, 60)}`);
  return scheme[1]!.toLowerCase();
}
