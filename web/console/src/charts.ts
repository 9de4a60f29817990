/** Apache ECharts, only the parts the dashboard draws; loaded with the dashboard, never in the initial bundle. */
import * as echarts from 'echarts/core';
import { BarChart, LineChart, PieChart } from 'echarts/charts';
import { AriaComponent, DatasetComponent, GridComponent, LegendComponent, TitleComponent, TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';

echarts.use([BarChart, LineChart, PieChart, AriaComponent, DatasetComponent, GridComponent, LegendComponent, TitleComponent, TooltipComponent, CanvasRenderer]);

export function draw(el: HTMLElement, option: echarts.EChartsCoreOption): echarts.ECharts {
  const chart = echarts.getInstanceByDom(el) ?? echarts.init(el);
  // The aria component describes each chart in words for screen readers.
  chart.setOption({ aria: { enabled: true }, ...option }, true);
  return chart;
}

export function resizeAll(els: HTMLElement[]): void {
  for (const el of els) echarts.getInstanceByDom(el)?.resize();
}
