import { el } from "./dom.ts";

const size = 280;

/**
 * A canvas to draw a digit on with mouse, pen or touch (pointer events). `image()`
 * returns it as MNIST does: the stroke's bounding box scaled to fit 20×20 and
 * centred in 28×28, white on black, pixels in [0, 1]; undefined while blank.
 */
export function digitPad(onStroke: () => void): { root: HTMLCanvasElement; clear(): void; image(): Float32Array | undefined } {
  const canvas = el("canvas", { width: size, height: size, class: "pad", "data-testid": "digit-pad" });
  const ctx = canvas.getContext("2d", { willReadFrequently: true })!;
  const clear = () => {
    ctx.fillStyle = "#000";
    ctx.fillRect(0, 0, size, size);
  };
  clear();
  let drawing = false;
  const at = (e: PointerEvent) => {
    const box = canvas.getBoundingClientRect();
    return [((e.clientX - box.left) / box.width) * size, ((e.clientY - box.top) / box.height) * size] as const;
  };
  canvas.addEventListener("pointerdown", (e) => {
    drawing = true;
    canvas.setPointerCapture(e.pointerId);
    const [x, y] = at(e);
    ctx.beginPath();
    ctx.moveTo(x, y);
  });
  canvas.addEventListener("pointermove", (e) => {
    if (!drawing) return;
    const [x, y] = at(e);
    ctx.strokeStyle = "#fff";
    ctx.lineWidth = 26;
    ctx.lineCap = "round";
    ctx.lineJoin = "round";
    ctx.lineTo(x, y);
    ctx.stroke();
  });
  const end = () => {
    if (!drawing) return;
    drawing = false;
    onStroke();
  };
  canvas.addEventListener("pointerup", end);
  canvas.addEventListener("pointercancel", end);
  canvas.style.touchAction = "none";

  function image(): Float32Array | undefined {
    const { data } = ctx.getImageData(0, 0, size, size);
    let [x0, y0, x1, y1] = [size, size, -1, -1];
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        if (data[(y * size + x) * 4] > 32) {
          x0 = Math.min(x0, x);
          x1 = Math.max(x1, x);
          y0 = Math.min(y0, y);
          y1 = Math.max(y1, y);
        }
      }
    }
    if (x1 < 0) return undefined;
    // MNIST: the digit's box scaled to fit 20×20, then shifted so its centre of mass is the image centre.
    const w = x1 - x0 + 1;
    const h = y1 - y0 + 1;
    const scale = 20 / Math.max(w, h);
    const render = (dx: number, dy: number) => {
      const small = new OffscreenCanvas(28, 28);
      const sctx = small.getContext("2d", { willReadFrequently: true })!;
      sctx.fillStyle = "#000";
      sctx.fillRect(0, 0, 28, 28);
      sctx.imageSmoothingQuality = "high";
      sctx.drawImage(canvas, x0, y0, w, h, 14 - (w * scale) / 2 + dx, 14 - (h * scale) / 2 + dy, w * scale, h * scale);
      const pixels = sctx.getImageData(0, 0, 28, 28).data;
      return Float32Array.from({ length: 784 }, (_, i) => pixels[i * 4] / 255);
    };
    const boxed = render(0, 0);
    let [mass, mx, my] = [0, 0, 0];
    boxed.forEach((v, i) => {
      mass += v;
      mx += v * (i % 28);
      my += v * Math.floor(i / 28);
    });
    return render(Math.round(13.5 - mx / mass), Math.round(13.5 - my / mass));
  }
  return { root: canvas, clear, image };
}
