import { avgPool2d, conv2d, conv2dFilterGrad, conv2dTranspose, evaluate, input, maxPool2d, type AnyTensor } from "@gradfold/graph";
import { apply, registry } from "@gradfold/graph/internal";
import { describe, expect, it } from "vitest";
import { expectClose } from "../testing/compare.ts";
import { convModule } from "./conv-module.ts";
import { convCallSource, planConvNode, planFunctions } from "./conv-plan.ts";
import { resolveTuningFor } from "./matmul-kernels.ts";
import { seededRandom } from "./matmul-test-harness.ts";
import { wasm } from "./wasm-api.ts";

const shapesOf = (t: AnyTensor) => t.shape as readonly number[];

/** Every window op at odd geometries, as a backend meets them in a graph. */
function nodes(): Record<string, AnyTensor> {
  const x = input("x", [2, 7, 6, 4]);
  const w = input("w", [3, 2, 2, 6]);
  const conv = { strides: [2, 1] as [number, number], padding: [1, 0, 2, 1] as const, dilations: [1, 2] as [number, number], groups: 2 };
  const y = conv2d(x, w, conv);
  const gy = input("gy", y.shape);
  const pooled = maxPool2d(x, 3, { strides: 2, padding: 1 });
  const averaged = avgPool2d(x, [2, 3], { strides: [2, 1], padding: "same", countIncludePad: true });
  return {
    conv2d: y,
    conv2dTranspose: conv2dTranspose(gy, w, { ...conv, inputSize: [7, 6] }),
    conv2dFilterGrad: conv2dFilterGrad(x, gy, { ...conv, kernelSize: [3, 2] }),
    depthwise: conv2d(x, input("dw", [3, 3, 1, 8]), { groups: 4, padding: "same" }),
    maxPool2d: pooled,
    maxPool2dGrad: apply(registry.maxPool2dGrad, [x, input("gp", pooled.shape)], pooled.params as never),
    avgPool2d: averaged,
    avgPool2dGrad: apply(registry.avgPool2dGrad, [input("ga", averaged.shape)], { ...(averaged.params as object), inputSize: [7, 6] } as never),
  };
}

describe("planConvNode + convCallSource: a graph node run through the Wasm kernels", () => {
  for (const [name, node] of Object.entries(nodes())) {
    it(`${name} matches the reference`, () => {
      const plan = planConvNode(node, shapesOf, `k_${name}`);
      expect(plan).not.toBeNull();
      const { functions, scratchBytes } = planFunctions([plan!], resolveTuningFor({}));
      const memory = new wasm.Memory({ initial: 8 });
      const exports = convModule(functions, false).exportsFor(memory);
      const f32 = new Float32Array(memory.buffer);
      const random = seededRandom(name.length);
      const feeds: Record<string, Float32Array> = {};
      let at = (scratchBytes + 64) / 4;
      const placed = new Map<AnyTensor, number>();
      const offsets = node.inputs.map((t) => {
        // maxPool2d's operands are x twice: one buffer.
        if (placed.has(t)) return placed.get(t)!;
        const n = shapesOf(t).reduce((a, b) => a * b, 1);
        const data = Float32Array.from({ length: n }, random);
        feeds[(t.params as { name: string }).name] = data;
        f32.set(data, at);
        const offset = 4 * at;
        placed.set(t, offset);
        at += n + 3;
        return offset;
      });
      const want = evaluate(node, feeds);
      const out = 4 * at;
      f32.fill(Number.NaN, at, at + want.length + 4);
      const lines = convCallSource(plan!, {
        inputs: offsets.map(String),
        out: String(out),
        scratch: "0",
        zeroOut: `new Float32Array(memory.buffer, ${out}, ${want.length}).fill(0);`,
      });
      new Function("wasm", "memory", lines.join("\n"))(exports, memory);
      expectClose(f32.subarray(at, at + want.length), want, name);
      expect(Number.isNaN(f32[at + want.length])).toBe(true);
    });
  }

  it("leaves to JS what the Wasm kernels do not take", () => {
    const x = input("x", [1, 6, 6, 2]);
    expect(planConvNode(x.relu(), shapesOf, "k")).toBeNull();
    // Values at another tensor's argmax: only gradients build it.
    const other = apply(registry.maxPool2d, [x, input("v", [1, 6, 6, 2])], maxPool2d(x, 2).params as never);
    expect(planConvNode(other, shapesOf, "k")).toBeNull();
    // A pad as wide as the (undilated) window: fine for the graph, not for the pool kernels.
    expect(planConvNode(maxPool2d(x, 2, { dilations: 3, strides: 1, padding: [2, 0, 0, 0] }), shapesOf, "k")).toBeNull();
    expect(planConvNode(maxPool2d(input("i", [1, 4, 4, 2], "int32"), 2), shapesOf, "k")).toBeNull();
    // An empty batch: the JS loops run zero times.
    const empty = input("e", [0, 6, 6, 2]);
    expect(planConvNode(conv2d(empty, input("w", [3, 3, 2, 2])), shapesOf, "k")).toBeNull();
    expect(planConvNode(avgPool2d(empty, 2), shapesOf, "k")).toBeNull();
  });

  it("renders readable calls: one loop over images, a nested one over groups when grouped", () => {
    const plan = planConvNode(conv2d(input("x", [4, 5, 5, 2]), input("w", [3, 3, 2, 3]), { padding: 1 }), shapesOf, "k3")!;
    expect(convCallSource(plan, { inputs: ["t1.byteOffset", "t2.byteOffset"], out: "t3.byteOffset", scratch: "cols", zeroOut: "t3.fill(0);" })).toEqual([
      "for (let i = 0; i < 4; i++) {",
      "  wasm.k3_im2col(t1.byteOffset + i * 200, cols);",
      "  wasm.k3_fwd(cols, t2.byteOffset, t3.byteOffset + i * 300, 0, 0);",
      "}",
    ]);
  });
});
