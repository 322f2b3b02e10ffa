import { el } from "./dom.ts";

export interface Path {
  readonly name: string;
  readonly color: string;
  /** x0, y0, x1, y1, … in surface coordinates. */
  readonly xy: Float32Array;
}

/**
 * A surface as banded contours (log of f − min, twelve bands) with trajectories on
 * top. `values` is grid×grid, row-major, top row first, over `box`.
 */
export function contourPlot(width: number, height: number, id: string) {
  const canvas = el("canvas", { width, height, class: "plot", "data-testid": id });
  const ctx = canvas.getContext("2d")!;
  let background: ImageData | undefined;
  let box: readonly [number, number, number, number] = [0, 1, 0, 1];
  const px = (x: number) => ((x - box[0]) / (box[1] - box[0])) * width;
  const py = (y: number) => ((box[3] - y) / (box[3] - box[2])) * height;

  function setSurface(values: Float64Array, grid: number, window: readonly [number, number, number, number]) {
    box = window;
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    for (const v of values) if (Number.isFinite(v)) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
    const level = (v: number) => Math.log(v - lo + 1e-3);
    const [l0, l1] = [level(lo), level(hi)];
    const image = ctx.createImageData(width, height);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const v = values[Math.min(grid - 1, Math.round((y / (height - 1)) * (grid - 1))) * grid + Math.min(grid - 1, Math.round((x / (width - 1)) * (grid - 1)))];
        const t = Number.isFinite(v) ? Math.floor(((level(v) - l0) / (l1 - l0 || 1)) * 12) / 12 : 1;
        const o = (y * width + x) * 4;
        image.data[o] = 255 - 90 * t;
        image.data[o + 1] = 250 - 140 * t;
        image.data[o + 2] = 225 + 30 * t;
        image.data[o + 3] = 255;
      }
    }
    background = image;
  }

  function draw(paths: readonly Path[], minimum: readonly [number, number]) {
    if (background) ctx.putImageData(background, 0, 0);
    ctx.fillStyle = "#000";
    ctx.font = "16px system-ui";
    ctx.fillText("★", px(minimum[0]) - 6, py(minimum[1]) + 6);
    for (const p of paths) {
      ctx.strokeStyle = p.color;
      ctx.lineWidth = 2;
      ctx.beginPath();
      for (let i = 0; i < p.xy.length; i += 2) {
        const [x, y] = [px(p.xy[i]), py(p.xy[i + 1])];
        if (i === 0) ctx.moveTo(x, y);
        else ctx.lineTo(x, y);
      }
      ctx.stroke();
      const n = p.xy.length;
      ctx.fillStyle = p.color;
      ctx.beginPath();
      ctx.arc(px(p.xy[n - 2]), py(p.xy[n - 1]), 4, 0, 2 * Math.PI);
      ctx.fill();
    }
  }
  return { root: canvas, setSurface, draw };
}
