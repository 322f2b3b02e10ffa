import { FunctionBuilder } from "../function-builder.ts";
import { buildModule } from "../module-builder.ts";
import { vecMulAdd } from "../matmul-tuning.ts";
import { wasm } from "../wasm-api.ts";

/**
 * A roofline reference: a tight loop of independent f32x4 multiply-adds
 * (acc_i += x·y_i, 12 accumulators so add latency is hidden), no memory traffic.
 * Returns a function running `iterations` loop trips; each trip is 12·8 flops.
 */
export function buildPeakKernel(fma: boolean): { run(iterations: number): number; flopsPerIteration: number } {
  const ACC = 12;
  const fn = new FunctionBuilder(["i32"], ["f32"]);
  const count = fn.param(0);
  const acc = Array.from({ length: ACC }, () => fn.local("v128"));
  const ys = [fn.local("v128"), fn.local("v128")];
  const x = fn.local("v128"), step = fn.local("v128");
  fn.f32x4(1.0000001).set(x).f32x4(1e-7).set(step).f32x4(0.5).set(ys[0]).f32x4(0.25).set(ys[1]);
  for (const a of acc) fn.f32x4(0).set(a);
  fn.loop((start) => {
    acc.forEach((a, i) => vecMulAdd(fn, a, x, ys[i % 2], fma));
    // Vary x so the products cannot be hoisted out of the loop.
    fn.get(x).get(step).simd("f32x4.add").set(x);
    fn.get(count).i32(1).core("i32.sub").tee(count).brIf(start);
  });
  fn.get(acc[0]);
  for (const a of acc.slice(1)) fn.get(a).simd("f32x4.add");
  fn.lane("f32x4.extract_lane", 0);
  const bytes = buildModule({ shared: false }, [{ name: "peak", fn }]);
  const memory = new wasm.Memory({ initial: 1 });
  const instance = new wasm.Instance(new wasm.Module(bytes), { env: { memory } });
  const run = instance.exports.peak as (n: number) => number;
  return { run, flopsPerIteration: ACC * 8 };
}
