/**
 * How optimize() scales: a deep residual MLP (width 64) with a hand-written Adam
 * update, timing the rewrite phases, fusion and memory planning separately.
 *   npx tsx --conditions=source packages/optimize/examples/deep-adam.ts [layers]
 */
import { add, div, grad, input, log, mean, mul, neg, oneHot, param, relu, softmax, sqrt, sub, sum, type AnyTensor } from "@gradfold/graph";
import { fuse, optimize, planMemory, programRoots, type Program } from "@gradfold/optimize";

export function deepAdamStep(layers: number): Program {
  const x = input("x", ["batch", 64]);
  const y = input("y", ["batch"], "int32");
  let h: AnyTensor = x;
  const params: AnyTensor[] = [];
  for (let i = 0; i < layers; i++) {
    const W = param(`W${i}`, [64, 64], { init: 0.01 });
    const b = param(`b${i}`, [64], { init: 0 });
    params.push(W, b);
    h = add(h, relu(add(h.matmul(W), b)));
  }
  const loss = neg(mean(sum(mul(oneHot(y, 64), log(softmax(h, -1))), [1])));
  const gs = grad(loss, params);
  const updates: [AnyTensor, AnyTensor][] = [];
  params.forEach((p, i) => {
    const m = param(`m${i}`, p.shape as number[], { init: 0 });
    const v = param(`v${i}`, p.shape as number[], { init: 0 });
    const m2 = add(mul(m, 0.9), mul(gs[i], 0.1));
    const v2 = add(mul(v, 0.999), mul(mul(gs[i], gs[i]), 0.001));
    updates.push([m, m2], [v, v2], [p, sub(p, div(mul(m2, 0.001), add(sqrt(v2), 1e-8)))]);
  });
  return { outputs: { loss }, updates };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const layers = Number(process.argv[2] ?? 40);
  const program = deepAdamStep(layers);
  const sizes = { batch: 128 };
  let t = performance.now();
  const rewritten = optimize(program, { phases: { fuse: false, plan: false } }).program;
  const rewriteMs = performance.now() - t;
  t = performance.now();
  const groups = fuse(programRoots(rewritten));
  const fuseMs = performance.now() - t;
  t = performance.now();
  planMemory(rewritten, groups, sizes);
  const planMs = performance.now() - t;
  console.log(`layers ${layers}: rewrite ${rewriteMs.toFixed(0)} ms, fuse ${fuseMs.toFixed(0)} ms, plan ${planMs.toFixed(0)} ms`);
  console.log(optimize(program, { sizes }).explain().text.split("\n").slice(0, 4).join("\n"));
}
