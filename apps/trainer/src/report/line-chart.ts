import * as vega from "vega";
import { compile, type TopLevelSpec } from "vega-lite";

export interface SeriesPoint {
  readonly x: number;
  readonly y: number;
  readonly series: string;
}

export interface LinePlot {
  readonly title: string;
  readonly xTitle: string;
  readonly yTitle: string;
  readonly points: readonly SeriesPoint[];
  /** Log-scaled y axis (gradient norms span orders of magnitude). */
  readonly logY?: boolean;
  readonly width?: number;
  readonly height?: number;
}

/**
 * Renders a multi-series line chart to SVG with Vega-Lite in Node: no browser, no
 * canvas, no network (the "none" renderer; text widths are estimated).
 */
export async function lineChartSvg(plot: LinePlot): Promise<string> {
  const points = plot.points.filter((p) => Number.isFinite(p.y) && (!plot.logY || p.y > 0));
  const spec: TopLevelSpec = {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title: plot.title,
    width: plot.width ?? 480,
    height: plot.height ?? 280,
    background: "white",
    data: { values: points.map((p) => ({ ...p })) },
    mark: { type: "line", point: points.length <= 60, strokeWidth: 1.5 },
    encoding: {
      x: { field: "x", type: "quantitative", title: plot.xTitle },
      y: { field: "y", type: "quantitative", title: plot.yTitle, scale: plot.logY ? { type: "log" } : { zero: false } },
      color: { field: "series", type: "nominal", title: null, legend: { labelLimit: 320 } },
    },
  };
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
