import { FunctionBuilder } from "../function-builder.ts";
import { buildModule } from "../module-builder.ts";
import { wasm } from "../wasm-api.ts";

/**
 * A roofline reference with no memory traffic: 12 independent chains
 * acc_i = acc_i·y + z (f32x4 mul then add, or relaxed_madd). Each chain's mul
 * depends on its own previous add, so nothing can be hoisted or shared between
 * chains, and 12 chains cover the mul+add latency at two of each per cycle; 12
 * accumulators + y + z + one temporary fit V8's 15 usable xmm registers.
 * `run(n)` does n loop trips of 12·8 flops.
 */
export function buildPeakKernel(fma: boolean): { run(iterations: number): number; flopsPerIteration: number } {
  const CHAINS = 12;
  const fn = new FunctionBuilder(["i32"], ["f32"]);
  const count = fn.param(0);
  const acc = Array.from({ length: CHAINS }, () => fn.local("v128"));
  const y = fn.local("v128"),
    z = fn.local("v128");
  // acc → z / (1 - y) = 2: stays finite and normal however long it runs.
  fn.f32x4(0.5).set(y).f32x4(1).set(z);
  acc.forEach((a, i) => {
    fn.f32x4(i).set(a);
  });
  fn.loop((start) => {
    for (const a of acc) {
      if (fma) fn.get(a).get(y).get(z).simd("f32x4.relaxed_madd").set(a);
      else fn.get(a).get(y).simd("f32x4.mul").get(z).simd("f32x4.add").set(a);
    }
    fn.get(count).i32(1).core("i32.sub").tee(count).brIf(start);
  });
  fn.get(acc[0]);
  for (const a of acc.slice(1)) fn.get(a).simd("f32x4.add");
  fn.lane("f32x4.extract_lane", 0);
  const bytes = buildModule({ shared: false }, [{ name: "peak", fn }]);
  const memory = new wasm.Memory({ initial: 1 });
  const instance = new wasm.Instance(new wasm.Module(bytes), { env: { memory } });
  const run = instance.exports.peak as (n: number) => number;
  return { run, flopsPerIteration: CHAINS * 8 };
}
