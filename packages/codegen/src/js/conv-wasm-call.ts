import type { AnyTensor } from "@gradfold/graph";
import { convCallSource, type WasmConvPlan } from "../wasm/conv-plan.ts";
import type { KernelContext } from "./context.ts";

/**
 * A conv or pooling node the Wasm backend took: the kernel body calls its Wasm
 * exports on the buffers' byte offsets (im2col + matmul per image and group, or the
 * SIMD pooling loops), with the step's conv scratch (`convScratch`) for im2col.
 */
export function emitWasmConv(ctx: KernelContext, node: AnyTensor, plan: WasmConvPlan): void {
  const out = ctx.ref(node);
  const { n, h, w, c } = plan.spec;
  ctx.b.line(`// ${node.op} in Wasm SIMD (${plan.kind === "conv" ? "im2col + matmul" : `${plan.spec.kind} pooling`}, ${plan.pass}) over x [${n}, ${h}, ${w}, ${c}]`);
  const inputs = node.inputs.map((x) => `${ctx.ref(x)}.byteOffset`);
  for (const line of convCallSource(plan, { inputs, out: `${out}.byteOffset`, scratch: "convScratch", zeroOut: `${out}.fill(0);` })) ctx.b.line(line);
}
