import type { Im2colGeometry } from "./conv-im2col.ts";
import { forRange } from "./conv-module.ts";
import { FunctionBuilder, type Local } from "./function-builder.ts";

/**
 * Pooling in Wasm SIMD over NHWC x [n, h, w, c]: four channels per v128 (the
 * channels of a pixel are contiguous), a v128 lane at a time for the last c mod 4.
 *
 * - max: PyTorch's rule, the reference's: scanning a window's taps in order, take a
 *   tap when it is the first one inside, strictly greater, or NaN. Each lane keeps
 *   the index of the tap it took; the backward pass adds g where a tap's index is
 *   the kept one (so exactly one tap per window and channel gets it).
 * - avg: the mean over the taps inside the input (padding not counted), or the sum
 *   over kh·kw with `countIncludePad` (PyTorch's default).
 *
 * Calls are `(xOffset, yOffset)` forward and `(xOffset, gOffset, dxOffset)` backward
 * (the average's backward ignores x), byte offsets; backward adds into dx, which the
 * caller zeroes first (conv-plan.ts renders the calls; conv-build.ts runs them).
 */
export interface PoolSpec {
  readonly name: string;
  readonly kind: "max" | "avg";
  readonly n: number;
  readonly h: number;
  readonly w: number;
  readonly c: number;
  /** [kh, kw] */
  readonly window: readonly [number, number];
  readonly strides?: readonly [number, number];
  readonly dilations?: readonly [number, number];
  /** [top, bottom, left, right] */
  readonly pads?: readonly [number, number, number, number];
  /** avg: divide by kh·kw (padding counted, PyTorch's default) instead of the taps inside x. */
  readonly countIncludePad?: boolean;
}

/** A pooling window's resolved geometry: the same fields as a conv's im2col. */
type Geometry = Pick<Im2colGeometry, "kh" | "kw" | "oh" | "ow" | "strides" | "dilations" | "pads">;

export function poolGeometry(s: PoolSpec): Geometry {
  const strides = s.strides ?? [s.window[0], s.window[1]];
  const dilations = s.dilations ?? [1, 1];
  const pads = s.pads ?? [0, 0, 0, 0];
  const [kh, kw] = s.window;
  const what = `pool kernel ${JSON.stringify(s.name)}`;
  for (const [key, v] of Object.entries({ n: s.n, h: s.h, w: s.w, c: s.c, kh, kw })) {
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`${what}: ${key} must be a positive integer, got ${v}`);
  }
  const oh = Math.floor((s.h + pads[0] + pads[1] - (kh - 1) * dilations[0] - 1) / strides[0]) + 1;
  const ow = Math.floor((s.w + pads[2] + pads[3] - (kw - 1) * dilations[1] - 1) / strides[1]) + 1;
  if (oh < 1 || ow < 1) throw new RangeError(`${what}: a ${kh}×${kw} window does not fit a ${s.h}×${s.w} input padded by ${JSON.stringify(pads)}`);
  if (pads[0] >= kh || pads[1] >= kh || pads[2] >= kw || pads[3] >= kw) throw new RangeError(`${what}: each pad must be smaller than the window, got ${JSON.stringify(pads)}`);
  return { kh, kw, oh, ow, strides, dilations, pads };
}

/** Local variables every pooling function uses. */
interface Frame {
  readonly fn: FunctionBuilder;
  readonly s: PoolSpec;
  readonly g: Geometry;
  readonly image: Local; // x's current image (bytes)
  readonly outImage: Local; // y's or g's current image
  readonly dxImage: Local;
  readonly oh: Local;
  readonly ow: Local;
  readonly kh: Local;
  readonly kw: Local;
  readonly ih: Local;
  readonly iw: Local;
  readonly pixel: Local; // byte offset of the tap's pixel within an image
  readonly out: Local; // byte offset of the window's output pixel within an image
  readonly ch: Local; // byte offset of the channel chunk
  readonly count: Local; // f32: taps inside the window
}

/** Runs `body` for each tap of the current window that lands inside x, with `pixel` set. */
function taps(f: Frame, body: () => void): void {
  const { fn, g, s } = f;
  forRange(fn, f.kh, g.kh, () => {
    fn.get(f.oh).i32(g.strides[0]).core("i32.mul").i32(g.pads[0]).core("i32.sub").get(f.kh).i32(g.dilations[0]).core("i32.mul").core("i32.add").set(f.ih);
    forRange(fn, f.kw, g.kw, () => {
      fn.get(f.ow).i32(g.strides[1]).core("i32.mul").i32(g.pads[2]).core("i32.sub").get(f.kw).i32(g.dilations[1]).core("i32.mul").core("i32.add").set(f.iw);
      fn.block((skip) => {
        if (g.pads.some((p) => p > 0)) fn.get(f.ih).i32(s.h).core("i32.lt_u").get(f.iw).i32(s.w).core("i32.lt_u").core("i32.and").core("i32.eqz").brIf(skip);
        fn.get(f.ih)
          .i32(s.w)
          .core("i32.mul")
          .get(f.iw)
          .core("i32.add")
          .i32(4 * s.c)
          .core("i32.mul")
          .set(f.pixel);
        body();
      });
    });
  });
}

/** A chunk of channels: a whole v128, or one lane (the last c mod 4) loaded zero-extended. */
interface Chunk {
  load(base: Local, offset: Local): void;
  store(base: Local, offset: Local, value: () => void): void;
}

/** Chunk accessors at base + offset + ch (bytes); `lane` null for a whole vector. */
function chunkAt(fn: FunctionBuilder, ch: Local, lane: number | null): Chunk {
  const address = (base: Local, offset: Local) => fn.get(base).get(offset).core("i32.add").get(ch).core("i32.add");
  return {
    load(base, offset) {
      address(base, offset);
      if (lane === null) fn.simdMem("v128.load", 0);
      else fn.simdMem("v128.load32_zero", 4 * lane);
    },
    store(base, offset, value) {
      address(base, offset);
      value();
      if (lane === null) fn.simdMem("v128.store", 0);
      else fn.storeLane("v128.store32_lane", 4 * lane, 0);
    },
  };
}

/** Runs `body` for every channel chunk: a loop over whole vectors, then each leftover lane. */
function chunks(f: Frame, body: (chunk: Chunk) => void): void {
  const { fn, s } = f;
  const vectors = Math.floor(s.c / 4);
  if (vectors > 0) {
    fn.i32(0).set(f.ch);
    fn.loop((start) => {
      body(chunkAt(fn, f.ch, null));
      fn.get(f.ch)
        .i32(16)
        .core("i32.add")
        .tee(f.ch)
        .i32(16 * vectors)
        .core("i32.lt_s")
        .brIf(start);
    });
  }
  for (let lane = 0; lane < s.c % 4; lane++) {
    fn.i32(16 * vectors).set(f.ch);
    body(chunkAt(fn, f.ch, lane));
  }
}

/** Loops over images and windows; `out` is the window's output pixel offset. */
function windows(f: Frame, perImage: { x: number; out: number; dx: number }, body: () => void): void {
  const { fn, s, g } = f;
  const image = fn.local("i32");
  forRange(fn, image, s.n, () => {
    forRange(fn, f.oh, g.oh, () => {
      forRange(fn, f.ow, g.ow, () => {
        fn.get(f.oh)
          .i32(g.ow)
          .core("i32.mul")
          .get(f.ow)
          .core("i32.add")
          .i32(4 * s.c)
          .core("i32.mul")
          .set(f.out);
        body();
      });
    });
    fn.addTo(f.image, perImage.x).addTo(f.outImage, perImage.out).addTo(f.dxImage, perImage.dx);
  });
}

function frame(fn: FunctionBuilder, s: PoolSpec, g: Geometry, params: { image: Local; outImage: Local; dxImage: Local }): Frame {
  const i32 = () => fn.local("i32");
  return { fn, s, g, ...params, oh: i32(), ow: i32(), kh: i32(), kw: i32(), ih: i32(), iw: i32(), pixel: i32(), out: i32(), ch: i32(), count: fn.local("f32") };
}

/** Registers of the max scan: the best value, the kept tap's index, and temporaries. */
interface MaxScan {
  readonly best: Local;
  readonly sel: Local;
  readonly tap: Local;
  readonly v: Local;
  readonly take: Local;
}

const maxRegisters = (fn: FunctionBuilder): MaxScan => ({ best: fn.local("v128"), sel: fn.local("v128"), tap: fn.local("v128"), v: fn.local("v128"), take: fn.local("v128") });

/** The tap's index kh·KW + kw as four f32 lanes (exact: windows are small). */
function tapIndex(f: Frame): void {
  f.fn.get(f.kh).i32(f.g.kw).core("i32.mul").get(f.kw).core("i32.add").core("f32.convert_i32_s").simd("f32x4.splat");
}

/** Scans the window for max pooling: take the tap when first, greater or NaN (the reference's rule). */
function maxScan(f: Frame, chunk: Chunk, r: MaxScan): void {
  const { fn } = f;
  fn.f32x4(Number.NEGATIVE_INFINITY).set(r.best).f32x4(-1).set(r.sel);
  taps(f, () => {
    chunk.load(f.image, f.pixel);
    fn.set(r.v);
    tapIndex(f);
    fn.set(r.tap);
    // take = v > best | v ≠ v | sel = −1 (nothing taken yet)
    fn.get(r.v).get(r.best).simd("f32x4.gt").get(r.v).get(r.v).simd("f32x4.ne").simd("v128.or").get(r.sel).f32x4(-1).simd("f32x4.eq").simd("v128.or").set(r.take);
    fn.get(r.v).get(r.best).get(r.take).simd("v128.bitselect").set(r.best);
    fn.get(r.tap).get(r.sel).get(r.take).simd("v128.bitselect").set(r.sel);
  });
}

function maxForward(s: PoolSpec, g: Geometry): FunctionBuilder {
  const fn = new FunctionBuilder(["i32", "i32"]);
  const f = frame(fn, s, g, { image: fn.param(0), outImage: fn.param(1), dxImage: fn.local("i32") });
  const r = maxRegisters(fn);
  windows(f, { x: 4 * s.h * s.w * s.c, out: 4 * g.oh * g.ow * s.c, dx: 0 }, () => {
    chunks(f, (chunk) => {
      maxScan(f, chunk, r);
      chunk.store(f.outImage, f.out, () => fn.get(r.best));
    });
  });
  return fn;
}

function maxBackward(s: PoolSpec, g: Geometry): FunctionBuilder {
  const fn = new FunctionBuilder(["i32", "i32", "i32"]);
  const f = frame(fn, s, g, { image: fn.param(0), outImage: fn.param(1), dxImage: fn.param(2) });
  const r = maxRegisters(fn);
  const grad = fn.local("v128");
  windows(f, { x: 4 * s.h * s.w * s.c, out: 4 * g.oh * g.ow * s.c, dx: 4 * s.h * s.w * s.c }, () => {
    chunks(f, (chunk) => {
      maxScan(f, chunk, r);
      chunk.load(f.outImage, f.out);
      fn.set(grad);
      // dx[tap] += g where the tap is the one kept (g & mask: 0 elsewhere, even for NaN g).
      taps(f, () => {
        tapIndex(f);
        fn.get(r.sel).simd("f32x4.eq").set(r.take);
        chunk.store(f.dxImage, f.pixel, () => {
          chunk.load(f.dxImage, f.pixel);
          fn.get(grad).get(r.take).simd("v128.and").simd("f32x4.add");
        });
      });
    });
  });
  return fn;
}

/** The window's divisor into `count` (f32): kh·kw with countIncludePad, else the taps inside x. */
function countTaps(f: Frame): void {
  if (f.s.countIncludePad) {
    f.fn.f32(f.g.kh * f.g.kw).set(f.count);
    return;
  }
  f.fn.f32(0).set(f.count);
  taps(f, () => f.fn.get(f.count).f32(1).core("f32.add").set(f.count));
}

function avgForward(s: PoolSpec, g: Geometry): FunctionBuilder {
  const fn = new FunctionBuilder(["i32", "i32"]);
  const f = frame(fn, s, g, { image: fn.param(0), outImage: fn.param(1), dxImage: fn.local("i32") });
  const sum = fn.local("v128");
  windows(f, { x: 4 * s.h * s.w * s.c, out: 4 * g.oh * g.ow * s.c, dx: 0 }, () => {
    countTaps(f);
    chunks(f, (chunk) => {
      fn.f32x4(0).set(sum);
      taps(f, () => {
        fn.get(sum);
        chunk.load(f.image, f.pixel);
        fn.simd("f32x4.add").set(sum);
      });
      chunk.store(f.outImage, f.out, () => fn.get(sum).get(f.count).simd("f32x4.splat").simd("f32x4.div"));
    });
  });
  return fn;
}

function avgBackward(s: PoolSpec, g: Geometry): FunctionBuilder {
  const fn = new FunctionBuilder(["i32", "i32", "i32"]);
  const f = frame(fn, s, g, { image: fn.param(0), outImage: fn.param(1), dxImage: fn.param(2) });
  const share = fn.local("v128");
  windows(f, { x: 0, out: 4 * g.oh * g.ow * s.c, dx: 4 * s.h * s.w * s.c }, () => {
    countTaps(f);
    chunks(f, (chunk) => {
      chunk.load(f.outImage, f.out);
      fn.get(f.count).simd("f32x4.splat").simd("f32x4.div").set(share);
      taps(f, () => {
        chunk.store(f.dxImage, f.pixel, () => {
          chunk.load(f.dxImage, f.pixel);
          fn.get(share).simd("f32x4.add");
        });
      });
    });
  });
  return fn;
}

/** A forward and a backward function per spec, `${name}_forward` and `${name}_backward`. */
export function poolFunctions(specs: readonly PoolSpec[]): Array<{ name: string; fn: FunctionBuilder }> {
  return specs.flatMap((s) => {
    const g = poolGeometry(s);
    return [
      { name: `${s.name}_forward`, fn: s.kind === "max" ? maxForward(s, g) : avgForward(s, g) },
      { name: `${s.name}_backward`, fn: s.kind === "max" ? maxBackward(s, g) : avgBackward(s, g) },
    ];
  });
}
