import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sm3Hex } from '../crypto/sm3.js';
import type { Certificate } from '../domain/model.js';
import { formatChineseDate } from '../domain/dates.js';

/**
 * Layout files (版式文件) on local disk under <data>/files. A certificate's PDF is rendered from its
 * surface data the first time it is asked for, then kept; file names are hashes of the identifier
 * so a directory listing reveals no certificate.
 */
export class LayoutFiles {
  private readonly inflight = new Map<string, Promise<Buffer>>();

  constructor(private readonly dir: string) {}

  async pdf(c: Certificate): Promise<Buffer> {
    const path = join(this.dir, `${sm3Hex(`${c.id}#${c.version}`).slice(0, 40)}.pdf`);
    try {
      return await readFile(path);
    } catch {
      // not rendered yet
    }
    let job = this.inflight.get(path);
    if (!job) {
      job = this.render(c, path).finally(() => this.inflight.delete(path));
      this.inflight.set(path, job);
    }
    return job;
  }

  private async render(c: Certificate, path: string): Promise<Buffer> {
    // Loaded on first use: the renderer brings a CJK font that a node answering only data calls never needs.
    const { renderCertificatePdf } = await import('../files/pdf-render.js');
    const bytes = Buffer.from(await renderCertificatePdf({
      title: c.typeName,
      fields: c.surface.map((s) => ({ name: s.name, value: s.value, valueType: s.valueType })),
      footer: [c.issuer.name, formatChineseDate(c.issueDate)],
      metadata: {
        certificateId: c.id, typeName: c.typeName, typeCode: c.typeCode, holderCode: c.holder.code,
        holderName: c.holder.name, issuer: c.issuer.name, issuerCode: c.issuer.code, issueDate: c.issueDate,
      },
    }));
    await mkdir(this.dir, { recursive: true });
    const tmp = `${path}.${process.pid}.tmp`;
    await writeFile(tmp, bytes);
    await rename(tmp, path);
    return bytes;
  }
}
