import { evaluate, input, matmulT, type AnyTensor } from "@gradfold/graph";
import { describe, it } from "vitest";
import { compile } from "../compile.ts";
import { expectClose } from "../testing/compare.ts";
import { randomF32, rng } from "../testing/mlp.ts";

/** op(A)·op(B) for random sizes (odd, below and above one tile) and every transpose combination. */
describe("matmul kernels against the reference", () => {
  const random = rng(42);
  const sizes = [
    [1, 1, 1],
    [3, 5, 2],
    [4, 4, 4],
    [13, 17, 9],
    [67, 31, 70],
    [128, 33, 10],
  ];
  for (const backend of ["js", "auto"] as const) {
    for (const [m, k, n] of sizes) {
      for (const [transA, transB] of [
        [false, false],
        [true, false],
        [false, true],
        [true, true],
      ] as const) {
        it(`${backend} m=${m} k=${k} n=${n} transA=${transA} transB=${transB}, with a bias + relu epilogue`, () => {
          const a = input("a", transA ? [k, m] : [m, k]);
          const b = input("b", transB ? [n, k] : [k, n]);
          const bias = input("bias", [n]);
          const product = matmulT(a, b, transA, transB);
          const activated = product.add(bias).relu();
          const feeds = { a: randomF32(m * k, random), b: randomF32(k * n, random), bias: randomF32(n, random) };
          const step = compile({ inputs: [a, b, bias], outputs: { product, activated } }, { backend });
          const out = step.run(feeds);
          const [p, r] = evaluate([product, activated], feeds);
          expectClose(out.product, p, "product");
          expectClose(out.activated, r, "activated");
        });
      }
    }
  }

  it("batched matmul with a broadcast operand", () => {
    const a = input("a", [2, 3, 5, 7]);
    const b = input("b", [3, 7, 6]);
    const out: AnyTensor = a.matmul(b);
    const feeds = { a: randomF32(2 * 3 * 5 * 7, random), b: randomF32(3 * 7 * 6, random) };
    const step = compile({ inputs: [a, b], outputs: { out } });
    expectClose(step.run(feeds).out, evaluate(out, feeds), "batched");
  });
});
