import type { FunctionBuilder, Local } from "./function-builder.ts";

/**
 * exp, log, sigmoid, tanh, softplus, log1p and expm1 in f32 for Wasm, which has no
 * transcendental instructions, with the reference's IEEE results at the edges.
 * exp follows Cephes `expf`: n = round(x·log2 e), r = x − n·ln 2 (ln 2 split in two
 * constants so r is exact), e^r ≈ 1 + r + r²·P(r), times 2^n built in the exponent
 * bits — in two factors where 2^n itself is not a normal float, so results near
 * FLT_MAX stay finite, larger ones are +Inf, and results below the smallest normal
 * float are rounded once to the right denormal (or 0). NaN stays NaN.
 *
 * Each emitter replaces the value on top of the stack (four v128 lanes, or one f32)
 * with its image; `temp` hands out fresh locals of the right type.
 */
export type Temp = () => Local;

const LOG2E = Math.LOG2E;
const LN2_HI = 0.693359375;
const LN2_LO = -2.1219444e-4;
const EXP_POLY = [1.98756915e-4, 1.3981999507e-3, 8.3334519073e-3, 4.1665795894e-2, 1.6666665459e-1, 5.0000001201e-1];
/** Inputs are clamped here: e^88.8 overflows f32 and e^−130 underflows it, so nothing is lost. */
const EXP_LOW = -130;
const EXP_HIGH = 88.8;
/** Cephes tanhf's odd polynomial for |x| < 0.625, in z = x². */
const TANH_POLY = [-5.70498872745e-3, 2.06390887954e-2, -5.37397155531e-2, 1.33314422036e-1, -3.33332819422e-1];
const TANH_SMALL = 0.625;

/** The arithmetic both forms share, so the formulas below are written once. */
class Lanes {
  constructor(
    readonly fn: FunctionBuilder,
    readonly vector: boolean,
  ) {}
  k(x: number) {
    if (this.vector) this.fn.f32x4(x);
    else this.fn.f32(x);
  }
  add() {
    if (this.vector) this.fn.simd("f32x4.add");
    else this.fn.core("f32.add");
  }
  sub() {
    if (this.vector) this.fn.simd("f32x4.sub");
    else this.fn.core("f32.sub");
  }
  mul() {
    if (this.vector) this.fn.simd("f32x4.mul");
    else this.fn.core("f32.mul");
  }
  div() {
    if (this.vector) this.fn.simd("f32x4.div");
    else this.fn.core("f32.div");
  }
  min() {
    if (this.vector) this.fn.simd("f32x4.min");
    else this.fn.core("f32.min");
  }
  max() {
    if (this.vector) this.fn.simd("f32x4.max");
    else this.fn.core("f32.max");
  }
  abs() {
    if (this.vector) this.fn.simd("f32x4.abs");
    else this.fn.core("f32.abs");
  }
  nearest() {
    if (this.vector) this.fn.simd("f32x4.nearest");
    else this.fn.core("f32.nearest");
  }
  /** Comparisons leave a lane mask (vector) or an i32 (scalar), for `select`. */
  lt() {
    if (this.vector) this.fn.simd("f32x4.lt");
    else this.fn.core("f32.lt");
  }
  gt() {
    if (this.vector) this.fn.simd("f32x4.gt");
    else this.fn.core("f32.gt");
  }
  eq() {
    if (this.vector) this.fn.simd("f32x4.eq");
    else this.fn.core("f32.eq");
  }
  /** (a, b, condition) → condition ? a : b, per lane. */
  select() {
    if (this.vector) this.fn.simd("v128.bitselect");
    else this.fn.core("select");
  }
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
  const x = temp(),
    n = temp(),
    r = temp(),
    p = temp();
  o.k(EXP_HIGH);
  o.min();
  o.k(EXP_LOW);
  o.max();
  fn.tee(x);
  o.k(LOG2E);
  o.mul();
  o.nearest();
  fn.set(n);
  fn.get(x).get(n);
  o.k(LN2_HI);
  o.mul();
  o.sub();
  fn.get(n);
  o.k(LN2_LO);
  o.mul();
  o.sub();
  fn.set(r);
  o.poly(r, EXP_POLY);
  fn.get(r);
  o.mul();
  fn.get(r);
  o.mul(); // r²·P(r)
  fn.get(r);
  o.add();
  o.k(1);
  o.add(); // + r + 1
  fn.set(p);
  // 2^n as 2^(n+64)·2^−64 below n = −126, as 2^(n−1)·2 above 127, else 2^n·1.
  const low = () => {
    fn.get(n);
    o.k(-126);
    o.lt();
  };
  const high = () => {
    fn.get(n);
    o.k(127);
    o.gt();
  };
  fn.get(n);
  o.k(64);
  o.add();
  fn.get(n);
  low();
  o.select();
  fn.set(r);
  fn.get(r);
  o.k(1);
  o.sub();
  fn.get(r);
  high();
  o.select();
  o.pow2();
  fn.get(p);
  o.mul();
  o.k(2 ** -64);
  o.k(2);
  o.k(1);
  high();
  o.select();
  low();
  o.select();
  o.mul();
}

/** 1 / (1 + e^(−x)) for x ≥ 0, e^x / (1 + e^x) below (the reference's form: no overflow, tiny results kept). */
export function emitSigmoid(fn: FunctionBuilder, vector: boolean, temp: Temp): void {
  const o = new Lanes(fn, vector);
  const x = temp(),
    e = temp(),
    s = temp();
  fn.tee(x);
  o.abs();
  o.k(-1);
  o.mul();
  emitExp(fn, vector, temp);
  fn.tee(e);
  o.k(1);
  o.add();
  fn.set(s);
  o.k(1);
  fn.get(s);
  o.div();
  fn.set(s);
  fn.get(e).get(s);
  o.mul();
  fn.get(s);
  fn.get(x);
  o.k(0);
  o.lt();
  o.select();
}

/**
 * tanh: x + x·z·P(z) with z = x² where |x| < 0.625 (full relative accuracy near 0),
 * else copysign(1 − 2/(e^(2|x|) + 1), x); both are computed and selected per lane.
 */
export function emitTanh(fn: FunctionBuilder, vector: boolean, temp: Temp): void {
  const o = new Lanes(fn, vector);
  const x = temp(),
    z = temp(),
    small = temp(),
    large = temp();
  fn.tee(x).get(x);
  o.mul();
  fn.set(z);
  o.poly(z, TANH_POLY);
  fn.get(z);
  o.mul();
  fn.get(x);
  o.mul();
  fn.get(x);
  o.add();
  fn.set(small);
  o.k(1);
  o.k(2);
  fn.get(x);
  o.abs();
  o.k(2);
  o.mul();
  emitExp(fn, vector, temp);
  o.k(1);
  o.add();
  o.div();
  o.sub();
  fn.set(large);
  // tanh(±0) = ±0: the polynomial form gives +0 for −0.
  fn.get(x);
  fn.get(small);
  fn.get(x);
  o.k(0);
  o.eq();
  o.select();
  fn.set(small);
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
const LOG_POLY = [7.0376836292e-2, -1.151461031e-1, 1.167699874e-1, -1.2420140846e-1, 1.4249322787e-1, -1.6668057665e-1, 2.0000714765e-1, -2.4999993993e-1, 3.3333331174e-1];
const FLT_MIN = 1.17549435e-38;

/**
 * Natural log after Cephes `logf`: x = m·2^e with m in [√½, √2) read from the float
 * bits, log(m) by a degree-9 polynomial in m − 1, plus e·ln 2 in two parts. Inputs
 * below the smallest normal float are scaled by 2^64 first (and 64·ln 2 taken off),
 * so denormals get their own log; log(±0) = −Inf, log(x < 0) = NaN, log(+Inf) = +Inf,
 * NaN stays NaN.
 */
export function emitLog(fn: FunctionBuilder, vector: boolean, temp: Temp): void {
  const o = new Lanes(fn, vector);
  const input = temp(),
    x = temp(),
    e = temp(),
    z = temp(),
    y = temp();
  const tiny = () => {
    fn.get(input);
    o.k(FLT_MIN);
    o.lt();
  };
  fn.tee(input);
  o.k(2 ** 64);
  o.mul();
  fn.get(input);
  tiny();
  o.select();
  o.k(FLT_MIN);
  o.max();
  // e = exponent − 126 (as float); x = mantissa scaled into [0.5, 1)
  if (vector) {
    fn.tee(x).i32(23).simd("i32x4.shr_u").i32x4(126).simd("i32x4.sub").simd("f32x4.convert_i32x4_s").set(e);
    fn.get(x).i32x4(0x807fffff).simd("v128.and").i32x4(0x3f000000).simd("v128.or").set(x);
  } else {
    fn.tee(x).core("i32.reinterpret_f32").i32(23).core("i32.shr_u").i32(126).core("i32.sub").core("f32.convert_i32_s").set(e);
    fn.get(x)
      .core("i32.reinterpret_f32")
      .i32(0x807fffff | 0)
      .core("i32.and")
      .i32(0x3f000000)
      .core("i32.or")
      .core("f32.reinterpret_i32")
      .set(x);
  }
  // if x < √½: e −= 1, x = 2x − 1; else x = x − 1
  const below = () => {
    fn.get(x);
    o.k(SQRT_HALF);
    if (vector) fn.simd("f32x4.lt");
    else fn.core("f32.lt");
  };
  const choose = () => (vector ? fn.simd("v128.bitselect") : fn.core("select"));
  fn.get(e);
  o.k(1);
  o.sub();
  fn.get(e);
  below();
  choose();
  fn.set(e);
  fn.get(x).get(x);
  o.add();
  o.k(1);
  o.sub();
  fn.get(x);
  o.k(1);
  o.sub();
  below();
  choose();
  fn.set(x);
  fn.get(x).get(x);
  o.mul();
  fn.set(z);
  o.poly(x, LOG_POLY);
  fn.get(x);
  o.mul();
  fn.get(z);
  o.mul();
  fn.get(e);
  o.k(LN2_LO);
  o.mul();
  o.add();
  fn.get(z);
  o.k(-0.5);
  o.mul();
  o.add();
  fn.get(x);
  o.add();
  fn.get(e);
  o.k(LN2_HI);
  o.mul();
  o.add();
  fn.tee(y);
  o.k(64 * LN2_HI);
  o.sub();
  o.k(64 * LN2_LO);
  o.sub();
  fn.get(y);
  tiny();
  o.select();
  fn.set(y);
  // Special inputs: 0 → −Inf, +Inf → +Inf, negative or NaN → NaN.
  const fixup = (value: number, test: () => void) => {
    o.k(value);
    fn.get(y);
    test();
    choose();
    fn.set(y);
  };
  fixup(-Infinity, () => {
    fn.get(input);
    o.k(0);
    if (vector) fn.simd("f32x4.eq");
    else fn.core("f32.eq");
  });
  fixup(Infinity, () => {
    fn.get(input);
    o.k(Infinity);
    if (vector) fn.simd("f32x4.eq");
    else fn.core("f32.eq");
  });
  fixup(NaN, () => {
    // not (input ≥ 0), true for negatives and NaN
    fn.get(input);
    o.k(0);
    if (vector) fn.simd("f32x4.lt");
    else fn.core("f32.lt");
    fn.get(input).get(input);
    if (vector) fn.simd("f32x4.ne").simd("v128.or");
    else fn.core("f32.ne").core("i32.or");
  });
  fn.get(y);
}

const or = (fn: FunctionBuilder, vector: boolean) => (vector ? fn.simd("v128.or") : fn.core("i32.or"));

/**
 * log1p(u) = log(w)·u/(w − 1) with w = 1 + u (Goldberg: exact where w rounds to 1,
 * where it returns u, and a few ulp elsewhere); +Inf stays +Inf.
 */
export function emitLog1p(fn: FunctionBuilder, vector: boolean, temp: Temp): void {
  const o = new Lanes(fn, vector);
  const u = temp(),
    w = temp(),
    f = temp();
  fn.tee(u);
  o.k(1);
  o.add();
  fn.tee(w);
  emitLog(fn, vector, temp);
  // log(w)·(u/(w − 1)): the quotient is near 1, so nothing overflows for huge u.
  fn.get(u);
  fn.get(w);
  o.k(1);
  o.sub();
  o.div();
  o.mul();
  fn.set(f);
  fn.get(u).get(f);
  fn.get(w);
  o.k(1);
  o.eq();
  fn.get(u);
  o.k(Infinity);
  o.eq();
  or(fn, vector);
  o.select();
}

/**
 * expm1(x): for |x| < 0.5, (u − 1)·(x/log u) with u = e^x (Kahan: the rounding of u
 * cancels; x itself where u rounds to 1); beyond, u − 1 loses nothing (−1 where u is
 * 0, +Inf where u overflows).
 */
export function emitExpm1(fn: FunctionBuilder, vector: boolean, temp: Temp): void {
  const o = new Lanes(fn, vector);
  const x = temp(),
    u = temp(),
    f = temp();
  fn.tee(x);
  emitExp(fn, vector, temp);
  fn.tee(u);
  // (u − 1)·(x/log u): the quotient is near 1.
  o.k(1);
  o.sub();
  fn.get(x);
  fn.get(u);
  emitLog(fn, vector, temp);
  o.div();
  o.mul();
  fn.set(f);
  fn.get(x);
  fn.get(f);
  fn.get(u);
  o.k(1);
  o.eq();
  o.select();
  fn.set(f);
  fn.get(f);
  fn.get(u);
  o.k(1);
  o.sub();
  fn.get(x);
  o.abs();
  o.k(0.5);
  o.lt();
  o.select();
}

/** softplus(x) = max(x, 0) + log1p(e^−|x|), the reference's form: no overflow, NaN stays NaN. */
export function emitSoftplus(fn: FunctionBuilder, vector: boolean, temp: Temp): void {
  const o = new Lanes(fn, vector);
  const x = temp(),
    m = temp();
  fn.tee(x);
  o.k(0);
  o.max();
  fn.set(m);
  fn.get(x);
  o.abs();
  o.k(-1);
  o.mul();
  emitExp(fn, vector, temp);
  emitLog1p(fn, vector, temp);
  fn.get(m);
  o.add();
}
