import { forRange } from "./conv-module.ts";
import { FunctionBuilder, type Local } from "./function-builder.ts";

/**
 * The two data movements that turn an NHWC convolution into matmuls, for one image
 * and one channel group, every size a constant:
 *
 *   im2col: cols[(oh·OW + ow)·K + (kh·KW + kw)·cg + ci] = x[ih, iw, c0 + ci]   (0 in the padding)
 *   col2im: dx[ih, iw, c0 + ci] += cols[...]                                    (padding dropped)
 *
 * with ih = oh·sh − top + kh·dh, iw = ow·sw − left + kw·dw and K = KH·KW·cg. A tap's
 * cg channels are contiguous on both sides (NHWC), so each tap is a short SIMD copy.
 * Called as `(imageOffset, colsOffset)` in bytes; imageOffset already points at the
 * group's first channel c0.
 */
export interface Im2colGeometry {
  readonly h: number;
  readonly w: number;
  /** Channels of the image (the stride between pixels). */
  readonly c: number;
  /** Channels per group: how many each tap copies. */
  readonly cg: number;
  readonly kh: number;
  readonly kw: number;
  readonly oh: number;
  readonly ow: number;
  readonly strides: readonly [number, number];
  readonly dilations: readonly [number, number];
  /** [top, bottom, left, right] */
  readonly pads: readonly [number, number, number, number];
}

type Move = "copy" | "zero" | "add";

/** Vectors unrolled per loop trip when a tap's channels do not fit one straight run. */
const UNROLL = 8;

/**
 * Moves `count` floats from `src` to `dst` (pointers in locals): copy, store zeros,
 * or add src into dst. v128 for whole vectors, then scalars for the tail.
 */
function moveFloats(fn: FunctionBuilder, move: Move, dst: Local, src: Local, count: number, temps: { p: Local; q: Local; counter: Local }): void {
  const vectors = Math.floor(count / 4);
  const vector = (d: Local, s: Local, at: number) => {
    fn.get(d);
    if (move === "zero") fn.f32x4(0);
    else {
      fn.get(s).simdMem("v128.load", at);
      if (move === "add") fn.get(d).simdMem("v128.load", at).simd("f32x4.add");
    }
    fn.simdMem("v128.store", at);
  };
  const scalar = (d: Local, s: Local, at: number) => {
    fn.get(d);
    if (move === "zero") fn.f32(0);
    else {
      fn.get(s).mem("f32.load", at);
      if (move === "add") fn.get(d).mem("f32.load", at).core("f32.add");
    }
    fn.mem("f32.store", at);
  };
  let [d, s, done] = [dst, src, 0];
  if (vectors > 2 * UNROLL) {
    // Long runs: a loop of UNROLL vectors on moving pointers, then the rest straight.
    fn.get(dst).set(temps.p).get(src).set(temps.q);
    [d, s] = [temps.p, temps.q];
    fn.repeat(temps.counter, Math.floor(vectors / UNROLL), () => {
      for (let v = 0; v < UNROLL; v++) vector(d, s, 16 * v);
      fn.addTo(d, 16 * UNROLL).addTo(s, 16 * UNROLL);
    });
    done = Math.floor(vectors / UNROLL) * UNROLL;
  }
  for (let v = done; v < vectors; v++) vector(d, s, 16 * (v - done));
  for (let t = 0; t < count % 4; t++) scalar(d, s, 16 * (vectors - done) + 4 * t);
}

/** im2col (cols ← image) or col2im (image += cols) for one image and group. */
export function im2colFunction(g: Im2colGeometry, direction: "im2col" | "col2im"): FunctionBuilder {
  const fn = new FunctionBuilder(["i32", "i32"]);
  const [image, cols] = [fn.param(0), fn.param(1)];
  const [oh, ow, kh, kw, ih, iw] = Array.from({ length: 6 }, () => fn.local("i32"));
  const [pixel, col] = [fn.local("i32"), fn.local("i32")];
  const temps = { p: fn.local("i32"), q: fn.local("i32"), counter: fn.local("i32") };
  const padded = g.pads.some((p) => p > 0);
  /** pixel ← &image[ih][iw][0], then `count` floats image → cols (im2col) or cols → image (col2im). */
  const moveAt = (count: number): void => {
    fn.get(ih)
      .i32(g.w)
      .core("i32.mul")
      .get(iw)
      .core("i32.add")
      .i32(4 * g.c)
      .core("i32.mul")
      .get(image)
      .core("i32.add")
      .set(pixel);
    if (direction === "im2col") moveFloats(fn, "copy", col, pixel, count, temps);
    else moveFloats(fn, "add", pixel, col, count, temps);
  };
  /** The row tap by tap: padding possible on either side. */
  const taps = (): void => {
    forRange(fn, kw, g.kw, () => {
      fn.get(ow).i32(g.strides[1]).core("i32.mul").i32(g.pads[2]).core("i32.sub").get(kw).i32(g.dilations[1]).core("i32.mul").core("i32.add").set(iw);
      fn.block((done) => {
        fn.block((outside) => {
          if (padded) {
            // Unsigned compares also reject negative rows and columns.
            fn.get(ih).i32(g.h).core("i32.lt_u").get(iw).i32(g.w).core("i32.lt_u").core("i32.and").core("i32.eqz").brIf(outside);
          }
          moveAt(g.cg);
          fn.br(done);
        });
        // A tap in the padding: zeros into cols; nothing back into the image.
        if (direction === "im2col") moveFloats(fn, "zero", col, col, g.cg, temps);
      });
      fn.addTo(col, 4 * g.cg);
    });
  };
  fn.get(cols).set(col);
  forRange(fn, oh, g.oh, () => {
    forRange(fn, ow, g.ow, () => {
      forRange(fn, kh, g.kh, () => {
        // ih = oh·sh − top + kh·dh
        fn.get(oh).i32(g.strides[0]).core("i32.mul").i32(g.pads[0]).core("i32.sub").get(kh).i32(g.dilations[0]).core("i32.mul").core("i32.add").set(ih);
        fn.block((rowDone) => {
          if (g.dilations[1] === 1 && g.cg === g.c) {
            // Dense taps over all channels: a kernel row inside the image is one run of
            // kw·c floats on both sides (what makes a one-channel first layer cheap).
            fn.block((perTap) => {
              fn.get(ow).i32(g.strides[1]).core("i32.mul").i32(g.pads[2]).core("i32.sub").set(iw);
              if (padded) {
                fn.get(ih).i32(g.h).core("i32.lt_u").core("i32.eqz").brIf(perTap);
                fn.get(iw).i32(0).core("i32.lt_s").brIf(perTap);
                fn.get(iw).i32(g.kw).core("i32.add").i32(g.w).core("i32.gt_s").brIf(perTap);
              }
              moveAt(g.kw * g.c);
              fn.addTo(col, 4 * g.kw * g.c);
              fn.br(rowDone);
            });
          }
          taps();
        });
      });
    });
  });
  return fn;
}
