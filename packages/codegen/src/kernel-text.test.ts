import { input, mean, param, softmaxCrossEntropy, type AnyTensor } from "@gradfold/graph";
import { leavesOf } from "@gradfold/graph/internal";
import { describe, expect, it } from "vitest";
import { compile } from "./compile.ts";
import type { Backend } from "./spec.ts";

/**
 * The generated text of a few small kernels, pinned: the "generated code is readable"
 * promise (a comment naming the fused nodes, one loop per kernel, helpers only when
 * used) is checked by reading these files in review, and any change to the emitted text
 * shows up here as a diff. Node ids are renumbered, so the text is the same in any order.
 */
function kernelTexts(outputs: Record<string, AnyTensor>, backend: Backend): string {
  const { inputs } = leavesOf(Object.values(outputs));
  const step = compile({ inputs, outputs, sizes: {} }, { backend });
  return step.kernels.map((k) => `// ---- ${k.name}: ${k.group} (runs ${k.runs})\n${k.source}`).join("\n");
}

const snapshot = (name: string) => `./__snapshots__/kernel-text/${name}.txt`;

describe("generated kernel text", () => {
  it("an elementwise chain is one loop", async () => {
    const x = input("x", [6]);
    const y = input("y", [6]);
    const text = kernelTexts({ out: x.mul(y).add(1).exp().neg() }, "js");
    await expect(text).toMatchFileSnapshot(snapshot("elementwise-chain"));
  });

  it("a row reduction with a prologue and an epilogue", async () => {
    const x = input("x", [3, 5]);
    const text = kernelTexts({ out: x.mul(x).sum(1).sqrt() }, "js");
    await expect(text).toMatchFileSnapshot(snapshot("reduction"));
  });

  it("a matmul with a bias and relu epilogue", async () => {
    const x = input("x", [2, 3]);
    const W = param("W", [3, 4], { init: 0.5 });
    const b = param("b", [4], { init: 0.1 });
    const text = kernelTexts({ out: x.matmul(W).add(b).relu() }, "js");
    await expect(text).toMatchFileSnapshot(snapshot("matmul-epilogue"));
  });

  it("softmax cross-entropy with integer labels", async () => {
    const logits = input("logits", [4, 3]);
    const labels = input("labels", [4], "int32");
    const text = kernelTexts({ loss: mean(softmaxCrossEntropy(logits, labels)) }, "js");
    await expect(text).toMatchFileSnapshot(snapshot("softmax-cross-entropy"));
  });

  it("a Wasm elementwise kernel's JS glue", async () => {
    const x = input("x", [64]);
    const y = input("y", [64]);
    const step = compile({ inputs: [x, y], outputs: { out: x.mul(y).add(x).relu() }, sizes: {} }, { backend: "wasm" });
    expect(step.kernels.map((k) => k.runs)).toEqual(["wasm"]);
    const text = step.kernels.map((k) => `// ---- ${k.name}: ${k.group} (runs ${k.runs})\n${k.source}`).join("\n");
    await expect(text).toMatchFileSnapshot(snapshot("wasm-glue"));
  });
});
