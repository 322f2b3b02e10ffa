/**
 * Simple compute-peak probes for the roofline line: how many f32 flops per second
 * one thread of this machine does when nothing but independent multiply-add chains
 * run — in plain JS (scalar doubles, what the JS backend's kernels compile to) and
 * in WebAssembly 128-bit SIMD (f32x4 mul + add, what the Wasm backend can use).
 * Kernels are compared against these ceilings, not against the CPU's datasheet:
 * Wasm has no 256/512-bit vectors and, without relaxed SIMD, no FMA.
 */

/** The slice of the WebAssembly global used here (TypeScript's ES lib does not declare it without DOM). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { exports: Record<string, unknown> };
  validate(bytes: Uint8Array): boolean;
}
const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

const CHAINS = 12; // enough independent chains to cover mul+add latency on two ports

/** GFLOP/s of 12 independent scalar chains a = a·m + c in JS. */
export function jsScalarPeak(iterations = 2_000_000): number {
  const run = (n: number) => {
    let a0 = 0.1,
      a1 = 0.2,
      a2 = 0.3,
      a3 = 0.4,
      a4 = 0.5,
      a5 = 0.6;
    let a6 = 0.7,
      a7 = 0.8,
      a8 = 0.9,
      a9 = 1.0,
      a10 = 1.1,
      a11 = 1.2;
    const m = 0.999999,
      c = 1e-6;
    for (let i = 0; i < n; i++) {
      a0 = a0 * m + c;
      a1 = a1 * m + c;
      a2 = a2 * m + c;
      a3 = a3 * m + c;
      a4 = a4 * m + c;
      a5 = a5 * m + c;
      a6 = a6 * m + c;
      a7 = a7 * m + c;
      a8 = a8 * m + c;
      a9 = a9 * m + c;
      a10 = a10 * m + c;
      a11 = a11 * m + c;
    }
    return a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11;
  };
  run(100_000); // let the optimising compiler take the loop
  return best(() => run(iterations), 2 * CHAINS * iterations);
}

/**
 * GFLOP/s of 12 independent f32x4 chains a = a·m + c in Wasm SIMD: separate mul and
 * add, or with `fma` relaxed SIMD's fused f32x4.relaxed_madd (what gradfold's kernels
 * use where the engine has it, e.g. Chromium; Node 20 has not).
 */
export function wasmSimdPeak(iterations = 1_000_000, fma = false): number {
  const instance = new wasm.Instance(new wasm.Module(peakModuleBytes(fma)));
  const peak = instance.exports.peak as (n: number) => number;
  peak(100_000);
  return best(() => peak(iterations), 2 * 4 * CHAINS * iterations);
}

/** Whether this engine validates relaxed SIMD's fused multiply-add (no flags needed). */
export function hasRelaxedSimd(): boolean {
  return wasm.validate(peakModuleBytes(true));
}

/**
 * Best of 50 short timed runs, as GFLOP/s: a peak probe wants the least disturbed
 * run, and on a shared machine single runs vary by 3× (measured: 13–48 GFLOP/s).
 */
function best(run: () => number, flops: number, runs = 50): number {
  let fastest = Number.POSITIVE_INFINITY;
  let sink = 0;
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    sink += run();
    fastest = Math.min(fastest, performance.now() - t0);
  }
  if (Number.isNaN(sink)) throw new Error("peak probe produced NaN");
  return flops / (fastest * 1e6);
}

/**
 * The module, byte by byte (no toolchain): one exported function
 * `peak(n: i32) -> f32` with CHAINS v128 locals updated n times by
 * a = f32x4.add(f32x4.mul(a, m), c) (or f32x4.relaxed_madd(a, m, c) with `fma`),
 * returning lane 0 of their sum so that nothing is dead code.
 */
export function peakModuleBytes(fma = false): Uint8Array {
  const f32 = (v: number) => [...new Uint8Array(Float32Array.of(v).buffer)];
  const simd = (op: number) => (op < 0x80 ? [0xfd, op] : [0xfd, (op & 0x7f) | 0x80, op >> 7]);
  const [SPLAT, EXTRACT, ADD, MUL, MADD] = [0x13, 0x1f, 0xe4, 0xe6, 0x105];
  const n = 0; // param
  const acc = (k: number) => 1 + k;
  const m = 1 + CHAINS;
  const c = 2 + CHAINS;
  const body: number[] = [];
  body.push(0x43, ...f32(0.999999), ...simd(SPLAT), 0x21, m);
  body.push(0x43, ...f32(1e-6), ...simd(SPLAT), 0x21, c);
  for (let k = 0; k < CHAINS; k++) body.push(0x43, ...f32(0.1 * (k + 1)), ...simd(SPLAT), 0x21, acc(k));
  body.push(0x03, 0x40); // loop
  for (let k = 0; k < CHAINS; k++) {
    if (fma) body.push(0x20, acc(k), 0x20, m, 0x20, c, ...simd(MADD), 0x21, acc(k));
    else body.push(0x20, acc(k), 0x20, m, ...simd(MUL), 0x20, c, ...simd(ADD), 0x21, acc(k));
  }
  body.push(0x20, n, 0x41, 1, 0x6b, 0x22, n, 0x0d, 0, 0x0b); // n -= 1; br_if n != 0; end
  body.push(0x20, acc(0));
  for (let k = 1; k < CHAINS; k++) body.push(0x20, acc(k), ...simd(ADD));
  body.push(...simd(EXTRACT), 0, 0x0b);
  const locals = [1, CHAINS + 2, 0x7b]; // one run of v128 locals
  const func = [...locals, ...body];
  const section = (id: number, bytes: number[]) => [id, ...uleb(bytes.length), ...bytes];
  return Uint8Array.from([
    0x00,
    0x61,
    0x73,
    0x6d,
    0x01,
    0x00,
    0x00,
    0x00,
    ...section(1, [1, 0x60, 1, 0x7f, 1, 0x7d]), // type: (i32) -> f32
    ...section(3, [1, 0]), // function 0 has type 0
    ...section(7, [1, 4, ...Array.from("peak", (ch) => ch.charCodeAt(0)), 0x00, 0]), // export "peak"
    ...section(10, [1, ...uleb(func.length), ...func]),
  ]);
}

function uleb(value: number): number[] {
  const out: number[] = [];
  do {
    let byte = value & 0x7f;
    value >>>= 7;
    if (value !== 0) byte |= 0x80;
    out.push(byte);
  } while (value !== 0);
  return out;
}
