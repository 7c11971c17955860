/**
 * Two small chart.js plugins the report charts need:
 * - error bars: a vertical whisker with caps per bar, from lower/upper values per dataset
 *   (an interval from src/analysis, or min/max over repetitions);
 * - background and reference line: a white page (drawn with source-over, so cairo's SVG surface
 *   keeps it vector; chartjs-node-canvas's own background uses destination-over, which cairo
 *   rasterises into a bitmap inside the SVG) and a dashed line at a value (100 = baseline).
 */
import type { Chart, ChartType, Plugin } from 'chart.js';

export interface ErrorBar {
  lower: number;
  upper: number;
}

export interface ErrorBarsOptions {
  /** Per dataset, per bar; null where a bar has no bar. */
  bars: (ErrorBar | null)[][];
  color?: string;
  lineWidth?: number;
}

export interface PageOptions {
  background?: string;
  /** A dashed line at value; the label is drawn right of the plot (reserve layout.padding.right). */
  referenceLine?: { value: number; label: string };
}

declare module 'chart.js' {
  interface PluginOptionsByType<TType extends ChartType> {
    vbErrorBars?: ErrorBarsOptions;
    vbPage?: PageOptions;
  }
}

export const errorBarsPlugin: Plugin<'bar'> = {
  id: 'vbErrorBars',
  afterDatasetsDraw(chart: Chart<'bar'>, _args, options: ErrorBarsOptions) {
    if (!options?.bars?.length) return;
    const ctx = chart.ctx;
    ctx.save();
    ctx.strokeStyle = options.color ?? '#222';
    ctx.lineWidth = options.lineWidth ?? 1.2;
    options.bars.forEach((bars, di) => {
      const meta = chart.getDatasetMeta(di);
      if (!chart.isDatasetVisible(di) || !bars) return;
      const scale = chart.scales[meta.yAxisID ?? 'y'];
      if (!scale) return;
      meta.data.forEach((el, j) => {
        const bar = bars[j];
        if (!bar || !Number.isFinite(bar.lower) || !Number.isFinite(bar.upper)) return;
        const { x, width } = el.getProps(['x', 'width'], true) as { x: number; width: number };
        const top = scale.getPixelForValue(bar.upper);
        const bottom = scale.getPixelForValue(bar.lower);
        const cap = Math.max(2, Math.min(8, width * 0.3));
        ctx.beginPath();
        ctx.moveTo(x, top);
        ctx.lineTo(x, bottom);
        ctx.moveTo(x - cap, top);
        ctx.lineTo(x + cap, top);
        ctx.moveTo(x - cap, bottom);
        ctx.lineTo(x + cap, bottom);
        ctx.stroke();
      });
    });
    ctx.restore();
  },
};

export const pagePlugin: Plugin<'bar'> = {
  id: 'vbPage',
  beforeDraw(chart: Chart<'bar'>, _args, options: PageOptions) {
    const ctx = chart.ctx;
    ctx.save();
    ctx.globalCompositeOperation = 'source-over';
    ctx.fillStyle = options?.background ?? '#ffffff';
    ctx.fillRect(0, 0, chart.width, chart.height);
    ctx.restore();
  },
  afterDatasetsDraw(chart: Chart<'bar'>, _args, options: PageOptions) {
    const ref = options?.referenceLine;
    const y = chart.scales.y;
    if (!ref || !y) return;
    const py = y.getPixelForValue(ref.value);
    const ctx = chart.ctx;
    ctx.save();
    ctx.strokeStyle = '#444';
    ctx.setLineDash([6, 4]);
    ctx.lineWidth = 1;
    ctx.beginPath();
    ctx.moveTo(chart.chartArea.left, py);
    ctx.lineTo(chart.chartArea.right, py);
    ctx.stroke();
    ctx.setLineDash([]);
    // The label goes beside the plot, where no bar can be under it.
    ctx.font = '11px "DejaVu Sans"';
    ctx.textAlign = 'left';
    ctx.textBaseline = 'middle';
    ctx.fillStyle = '#444';
    ctx.fillText(ref.label, chart.chartArea.right + 6, py);
    ctx.restore();
  },
};
