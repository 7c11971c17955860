/**
 * Renders chart.js configurations to PNG (raster) or SVG (vector, for the PDF and HTML) with
 * chartjs-node-canvas. One renderer per (size, kind) is kept: creating one loads chart.js.
 */
import { ChartJSNodeCanvas } from 'chartjs-node-canvas';
import type { ChartConfiguration } from 'chart.js';
import { errorBarsPlugin, pagePlugin } from './chart-plugins.js';

export interface ChartSize {
  width: number;
  height: number;
}

export const DEFAULT_CHART_SIZE: ChartSize = { width: 1200, height: 600 };
/** Vector charts are drawn smaller so that their text stays readable when scaled onto an A4 page. */
export const DEFAULT_SVG_SIZE: ChartSize = { width: 900, height: 500 };
const FONT = 'DejaVu Sans';

const renderers = new Map<string, ChartJSNodeCanvas>();

function renderer(size: ChartSize, kind: 'png' | 'svg'): ChartJSNodeCanvas {
  const key = `${size.width}x${size.height}:${kind}`;
  let r = renderers.get(key);
  if (!r) {
    r = new ChartJSNodeCanvas({
      width: size.width,
      height: size.height,
      ...(kind === 'svg' ? { type: 'svg' as const } : {}),
      chartCallback: (ChartJS) => {
        ChartJS.defaults.font.family = FONT;
        ChartJS.defaults.color = '#222';
      },
    });
    renderers.set(key, r);
  }
  return r;
}

function withPlugins(config: ChartConfiguration<'bar'>): ChartConfiguration<'bar'> {
  return { ...config, plugins: [pagePlugin, errorBarsPlugin, ...(config.plugins ?? [])] };
}

export function renderChartPng(config: ChartConfiguration<'bar'>, size: ChartSize = DEFAULT_CHART_SIZE): Buffer {
  return renderer(size, 'png').renderToBufferSync(withPlugins(config) as unknown as ChartConfiguration, 'image/png');
}

export function renderChartSvg(config: ChartConfiguration<'bar'>, size: ChartSize = DEFAULT_SVG_SIZE): string {
  return renderer(size, 'svg').renderToBufferSync(withPlugins(config) as unknown as ChartConfiguration, 'image/svg+xml').toString('utf8');
}
