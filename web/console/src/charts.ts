/** Apache ECharts, only the parts the dashboard draws; loaded with the dashboard, never in the initial bundle. */
import * as echarts from 'echarts/core';
import { BarChart, LineChart, PieChart } from 'echarts/charts';
import { AriaComponent, DatasetComponent, GridComponent, LegendComponent, TitleComponent, TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';

echarts.use([BarChart, LineChart, PieChart, AriaComponent, DatasetComponent, GridComponent, LegendComponent, TitleComponent, TooltipComponent, CanvasRenderer]);

const FONT = getComputedStyle(document.documentElement).getPropertyValue('--el-font-family').trim() || 'sans-serif';

/**
 * Draws a chart. Canvas text uses only fonts already loaded, so the bundled Chinese font is loaded
 * first (a no-op where the viewer's own fonts have the characters).
 */
export async function draw(el: HTMLElement, option: echarts.EChartsCoreOption): Promise<echarts.ECharts> {
  await document.fonts.load('12px zhengzhao-cjk', '用证').catch(() => undefined);
  const chart = echarts.getInstanceByDom(el) ?? echarts.init(el);
  // The aria component describes each chart in words for screen readers.
  chart.setOption({ aria: { enabled: true }, textStyle: { fontFamily: FONT }, ...option }, true);
  return chart;
}

export function resizeAll(els: HTMLElement[]): void {
  for (const el of els) echarts.getInstanceByDom(el)?.resize();
}
