import type { FunctionBuilder, Local } from "./function-builder.ts";

/**
 * exp, sigmoid and tanh in f32 for Wasm, which has no transcendental instructions.
 * exp follows Cephes `expf`: n = round(x·log2 e), r = x − n·ln 2 (ln 2 split in two
 * constants so r is exact), e^r ≈ 1 + r + r²·P(r), times 2^n built in the exponent
 * bits. A few ulp on [−87.3, 88.4]; inputs are clamped there, so results below the
 * smallest normal float come out near 0 rather than denormal, and huge inputs give
 * ~2.4e38 rather than Infinity. NaN stays NaN.
 *
 * Each emitter replaces the value on top of the stack (four v128 lanes, or one f32)
 * with its image; `temp` hands out fresh locals of the right type.
 */
export type Temp = () => Local;

const LOG2E = Math.LOG2E;
const LN2_HI = 0.693359375;
const LN2_LO = -2.12194440e-4;
const EXP_POLY = [1.9875691500e-4, 1.3981999507e-3, 8.3334519073e-3, 4.1665795894e-2, 1.6666665459e-1, 5.0000001201e-1];
const EXP_MIN = -87.33654;
const EXP_MAX = 88.3762626647949;
/** Cephes tanhf's odd polynomial for |x| < 0.625, in z = x². */
const TANH_POLY = [-5.70498872745e-3, 2.06390887954e-2, -5.37397155531e-2, 1.33314422036e-1, -3.33332819422e-1];
const TANH_SMALL = 0.625;

/** The arithmetic both forms share, so the formulas below are written once. */
class Lanes {
  constructor(readonly fn: FunctionBuilder, readonly vector: boolean) {}
  k(x: number) { if (this.vector) this.fn.f32x4(x); else this.fn.f32(x); }
  add() { if (this.vector) this.fn.simd("f32x4.add"); else this.fn.core("f32.add"); }
  sub() { if (this.vector) this.fn.simd("f32x4.sub"); else this.fn.core("f32.sub"); }
  mul() { if (this.vector) this.fn.simd("f32x4.mul"); else this.fn.core("f32.mul"); }
  div() { if (this.vector) this.fn.simd("f32x4.div"); else this.fn.core("f32.div"); }
  min() { if (this.vector) this.fn.simd("f32x4.min"); else this.fn.core("f32.min"); }
  max() { if (this.vector) this.fn.simd("f32x4.max"); else this.fn.core("f32.max"); }
  abs() { if (this.vector) this.fn.simd("f32x4.abs"); else this.fn.core("f32.abs"); }
  nearest() { if (this.vector) this.fn.simd("f32x4.nearest"); else this.fn.core("f32.nearest"); }
  /** 2^n for integral n in [−126, 127]: the float whose bits are (n + 127) << 23. */
  pow2() {
    if (this.vector) this.fn.simd("i32x4.trunc_sat_f32x4_s").i32x4(127).simd("i32x4.add").i32(23).simd("i32x4.shl");
    else this.fn.truncSatF32ToI32().i32(127).core("i32.add").i32(23).core("i32.shl").core("f32.reinterpret_i32");
  }
  /** Replaces nothing: pushes Σ c_i·t^(len−1−i) (Horner). */
  poly(t: Local, coefficients: readonly number[]) {
    this.k(coefficients[0]);
    for (const c of coefficients.slice(1)) {
      this.fn.get(t);
      this.mul();
      this.k(c);
      this.add();
    }
  }
}

export function emitExp(fn: FunctionBuilder, vector: boolean, temp: Temp): void {
  const o = new Lanes(fn, vector);
  const x = temp(), n = temp(), r = temp();
  o.k(EXP_MAX); o.min(); o.k(EXP_MIN); o.max();
  fn.tee(x);
  o.k(LOG2E); o.mul(); o.nearest();
  fn.set(n);
  fn.get(x).get(n); o.k(LN2_HI); o.mul(); o.sub();
  fn.get(n); o.k(LN2_LO); o.mul(); o.sub();
  fn.set(r);
  o.poly(r, EXP_POLY);
  fn.get(r); o.mul(); fn.get(r); o.mul(); // r²·P(r)
  fn.get(r); o.add(); o.k(1); o.add();    // + r + 1
  fn.get(n); o.pow2(); o.mul();
}

/** 1 / (1 + e^(−x)). */
export function emitSigmoid(fn: FunctionBuilder, vector: boolean, temp: Temp): void {
  const o = new Lanes(fn, vector);
  const x = temp();
  fn.set(x);
  o.k(1);
  o.k(0); fn.get(x); o.sub();
  emitExp(fn, vector, temp);
  o.k(1); o.add();
  o.div();
}

/**
 * tanh: x + x·z·P(z) with z = x² where |x| < 0.625 (full relative accuracy near 0),
 * else copysign(1 − 2/(e^(2|x|) + 1), x); both are computed and selected per lane.
 */
export function emitTanh(fn: FunctionBuilder, vector: boolean, temp: Temp): void {
  const o = new Lanes(fn, vector);
  const x = temp(), z = temp(), small = temp(), large = temp();
  fn.tee(x).get(x); o.mul(); fn.set(z);
  o.poly(z, TANH_POLY);
  fn.get(z); o.mul(); fn.get(x); o.mul(); fn.get(x); o.add();
  fn.set(small);
  o.k(1);
  o.k(2);
  fn.get(x); o.abs(); o.k(2); o.mul();
  emitExp(fn, vector, temp);
  o.k(1); o.add();
  o.div();
  o.sub();
  fn.set(large);
  if (vector) {
    // bitselect(a, b, mask) takes a's bits where mask is set: sign from x, magnitude from large.
    fn.get(small);
    fn.get(x).get(large).f32x4(-0).simd("v128.bitselect");
    fn.get(x).simd("f32x4.abs").f32x4(TANH_SMALL).simd("f32x4.lt");
    fn.simd("v128.bitselect");
  } else {
    fn.get(small);
    fn.get(large).get(x).core("f32.copysign");
    fn.get(x).core("f32.abs").f32(TANH_SMALL).core("f32.lt");
    fn.core("select");
  }
}

const SQRT_HALF = Math.SQRT1_2;
const LOG_POLY = [7.0376836292e-2, -1.1514610310e-1, 1.1676998740e-1, -1.2420140846e-1, 1.4249322787e-1, -1.6668057665e-1, 2.0000714765e-1, -2.4999993993e-1, 3.3333331174e-1];
const FLT_MIN = 1.17549435e-38;

/**
 * Natural log after Cephes `logf`: x = m·2^e with m in [√½, √2) read from the float
 * bits, log(m) by a degree-9 polynomial in m − 1, plus e·ln 2 in two parts. Inputs
 * below the smallest normal float are treated as it (≈ −87.3), then log(0) = −Inf,
 * log(x < 0) = NaN, log(+Inf) = +Inf, NaN stays NaN.
 */
export function emitLog(fn: FunctionBuilder, vector: boolean, temp: Temp): void {
  const o = new Lanes(fn, vector);
  const input = temp(), x = temp(), e = temp(), z = temp(), y = temp();
  fn.tee(input);
  o.k(FLT_MIN); o.max();
  // e = exponent − 126 (as float); x = mantissa scaled into [0.5, 1)
  if (vector) {
    fn.tee(x).i32(23).simd("i32x4.shr_u").i32x4(126).simd("i32x4.sub").simd("f32x4.convert_i32x4_s").set(e);
    fn.get(x).i32x4(0x807fffff).simd("v128.and").i32x4(0x3f000000).simd("v128.or").set(x);
  } else {
    fn.tee(x).core("i32.reinterpret_f32").i32(23).core("i32.shr_u").i32(126).core("i32.sub").core("f32.convert_i32_s").set(e);
    fn.get(x).core("i32.reinterpret_f32").i32(0x807fffff | 0).core("i32.and").i32(0x3f000000).core("i32.or").core("f32.reinterpret_i32").set(x);
  }
  // if x < √½: e −= 1, x = 2x − 1; else x = x − 1
  const below = () => {
    fn.get(x);
    o.k(SQRT_HALF);
    if (vector) fn.simd("f32x4.lt"); else fn.core("f32.lt");
  };
  const choose = () => (vector ? fn.simd("v128.bitselect") : fn.core("select"));
  fn.get(e); o.k(1); o.sub(); fn.get(e); below(); choose(); fn.set(e);
  fn.get(x).get(x); o.add(); o.k(1); o.sub(); fn.get(x); o.k(1); o.sub(); below(); choose(); fn.set(x);
  fn.get(x).get(x); o.mul(); fn.set(z);
  o.poly(x, LOG_POLY);
  fn.get(x); o.mul(); fn.get(z); o.mul();
  fn.get(e); o.k(LN2_LO); o.mul(); o.add();
  fn.get(z); o.k(-0.5); o.mul(); o.add();
  fn.get(x); o.add();
  fn.get(e); o.k(LN2_HI); o.mul(); o.add();
  fn.set(y);
  // Special inputs: 0 → −Inf, +Inf → +Inf, negative or NaN → NaN.
  const fixup = (value: number, test: () => void) => {
    o.k(value); fn.get(y); test(); choose(); fn.set(y);
  };
  fixup(-Infinity, () => { fn.get(input); o.k(0); if (vector) fn.simd("f32x4.eq"); else fn.core("f32.eq"); });
  fixup(Infinity, () => { fn.get(input); o.k(Infinity); if (vector) fn.simd("f32x4.eq"); else fn.core("f32.eq"); });
  fixup(NaN, () => {
    // not (input ≥ 0), true for negatives and NaN
    fn.get(input); o.k(0); if (vector) fn.simd("f32x4.lt"); else fn.core("f32.lt");
    fn.get(input).get(input); if (vector) fn.simd("f32x4.ne").simd("v128.or"); else fn.core("f32.ne").core("i32.or");
  });
  fn.get(y);
}
