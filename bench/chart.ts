export interface ChartRow { endpoint: string; rps: number; baselineRps: number; p99?: number; ratio: number }
export interface ChartLabels { title: string; unit: string; baseline: string }

const NATIONAL: ChartLabels = { title: 'National interface on PostgreSQL: node (red) vs bare-SQL baseline (grey)', unit: 'req/s', baseline: 'baseline' };

/** A small SVG bar chart of a benchmark: each measured rate beside the baseline measured in the same run. */
export function renderChart(rows: ChartRow[], labels: ChartLabels = NATIONAL): string {
  const width = 640;
  const barH = 22;
  const gap = 40;
  const left = 250;
  const max = Math.max(...rows.flatMap((r) => [r.rps, r.baselineRps]), 1);
  const scale = (v: number) => ((width - left - 90) * v) / max;
  const parts: string[] = [];
  rows.forEach((r, i) => {
    const y = 40 + i * (2 * barH + gap);
    parts.push(`<text x="10" y="${y + barH}" font-size="13">${r.endpoint}</text>`);
    parts.push(`<rect x="${left}" y="${y}" width="${scale(r.rps)}" height="${barH - 2}" fill="#c0392b"/>`);
    parts.push(`<text x="${left + scale(r.rps) + 6}" y="${y + 15}" font-size="12">${r.rps} ${labels.unit}${r.p99 !== undefined ? ` (p99 ${r.p99} ms, ratio ${r.ratio})` : ` (ratio ${r.ratio})`}</text>`);
    parts.push(`<rect x="${left}" y="${y + barH}" width="${scale(r.baselineRps)}" height="${barH - 2}" fill="#95a5a6"/>`);
    parts.push(`<text x="${left + scale(r.baselineRps) + 6}" y="${y + barH + 15}" font-size="12">${r.baselineRps} ${labels.baseline}</text>`);
  });
  const height = 60 + rows.length * (2 * barH + gap);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif">
<text x="10" y="20" font-size="14" font-weight="bold">${labels.title}</text>
${parts.join('\n')}
</svg>
`;
}
