import { el } from "./dom.ts";

export interface Series {
  readonly name: string;
  readonly color: string;
  readonly points: ReadonlyArray<readonly [number, number]>;
  readonly dashed?: boolean;
}

export interface ChartOptions {
  readonly title: string;
  readonly xLabel: string;
  readonly logY?: boolean;
  readonly yMin?: number;
  readonly yMax?: number;
  readonly width?: number;
  readonly height?: number;
}

const pad = { left: 52, right: 12, top: 24, bottom: 30 };

/** A line chart on a canvas; `draw` replaces every series (cheap at the sizes the views use). */
export function lineChart(options: ChartOptions, id: string): { root: HTMLElement; draw(series: readonly Series[]): void } {
  const width = options.width ?? 420;
  const height = options.height ?? 240;
  const canvas = el("canvas", { width, height, "data-testid": id, class: "chart" });
  const ctx = canvas.getContext("2d")!;
  const ty = (v: number) => (options.logY ? Math.log10(Math.max(v, 1e-30)) : v);

  function draw(series: readonly Series[]) {
    ctx.clearRect(0, 0, width, height);
    ctx.fillStyle = "#fff";
    ctx.fillRect(0, 0, width, height);
    const finite = series.flatMap((s) => s.points).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y) && (!options.logY || y > 0));
    const xs = finite.map((p) => p[0]);
    const ys = finite.map((p) => ty(p[1]));
    let [x0, x1] = xs.length ? [Math.min(...xs), Math.max(...xs)] : [0, 1];
    let [y0, y1] = ys.length ? [Math.min(...ys), Math.max(...ys)] : [0, 1];
    if (options.yMin !== undefined) y0 = ty(options.yMin);
    if (options.yMax !== undefined) y1 = ty(options.yMax);
    if (x1 === x0) x1 = x0 + 1;
    if (y1 === y0) [y0, y1] = [y0 - 0.5, y1 + 0.5];
    if (options.logY) [y0, y1] = [Math.floor(y0), Math.ceil(y1)];
    const px = (x: number) => pad.left + ((x - x0) / (x1 - x0)) * (width - pad.left - pad.right);
    const py = (y: number) => height - pad.bottom - ((ty(y) - y0) / (y1 - y0)) * (height - pad.top - pad.bottom);

    ctx.strokeStyle = "#ccc";
    ctx.fillStyle = "#555";
    ctx.font = "11px system-ui, sans-serif";
    ctx.lineWidth = 1;
    ctx.strokeRect(pad.left, pad.top, width - pad.left - pad.right, height - pad.top - pad.bottom);
    // Log axes label whole decades (a step of 2 or more when they are many), linear ones quarters.
    const ticks = options.logY
      ? Array.from({ length: y1 - y0 + 1 }, (_, i) => y0 + i).filter((e, _, all) => (e - y0) % Math.ceil(all.length / 6) === 0)
      : [0, 1, 2, 3, 4].map((i) => y0 + ((y1 - y0) * i) / 4);
    for (const v of ticks) {
      const y = height - pad.bottom - ((v - y0) / (y1 - y0)) * (height - pad.top - pad.bottom);
      ctx.fillText(options.logY ? `1e${v}` : v.toPrecision(3), 4, y + 4);
    }
    ctx.fillText(`${options.xLabel} ${Math.round(x0)}–${Math.round(x1)}`, pad.left, height - 8);
    ctx.font = "bold 12px system-ui, sans-serif";
    ctx.fillText(options.title, pad.left, 15);

    // The legend goes right of the title, or inside the plot's top edge when they would overlap.
    ctx.font = "11px system-ui, sans-serif";
    const legendWidth = series.reduce((w, s) => w + ctx.measureText(s.name).width + 22, 0);
    ctx.font = "bold 12px system-ui, sans-serif";
    const legendY = pad.left + ctx.measureText(options.title).width + 12 > width - pad.right - legendWidth ? pad.top + 8 : 8;
    let legendX = width - pad.right;
    ctx.font = "11px system-ui, sans-serif";
    for (const s of [...series].reverse()) {
      legendX -= ctx.measureText(s.name).width + 22;
      ctx.fillStyle = s.color;
      ctx.fillRect(legendX, legendY, 12, 4);
      ctx.fillStyle = "#333";
      ctx.fillText(s.name, legendX + 16, legendY + 6);
    }

    ctx.save();
    ctx.beginPath();
    ctx.rect(pad.left, pad.top, width - pad.left - pad.right, height - pad.top - pad.bottom);
    ctx.clip();
    for (const s of series) {
      ctx.strokeStyle = s.color;
      ctx.lineWidth = 1.8;
      ctx.setLineDash(s.dashed ? [5, 3] : []);
      ctx.beginPath();
      let started = false;
      for (const [x, y] of s.points) {
        if (!Number.isFinite(y) || (options.logY && y <= 0)) {
          started = false;
          continue;
        }
        if (started) ctx.lineTo(px(x), py(y));
        else ctx.moveTo(px(x), py(y));
        started = true;
      }
      ctx.stroke();
    }
    ctx.restore();
  }
  draw([]);
  return { root: canvas, draw };
}

/** Distinct colours for up to eight series. */
export const palette = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"];
