import type { AnyTensor } from "@gradfold/graph";
import { cannot, isCannot, type Cannot, type KernelBackend } from "../host/backend.ts";
import type { KernelContext } from "../js/context.ts";
import { epiloguePass } from "../js/epilogue-pass.ts";
import { kernelSource, type KernelEnv, type KernelSource } from "../js/kernel-source.ts";
import { matmulDims } from "../js/matmul.ts";
import type { ConvKernel, Kernel, MatmulKernel, ReductionKernel } from "../lower/kernel.ts";
import { buildWasmElementwise, planWasmElementwise, type WasmElementwisePlan } from "./elementwise.ts";
import type { WasmFeatures } from "./features.ts";
import { fuseMatmulEpilogue } from "./matmul-epilogue.ts";
import { buildMatmulKernels } from "./matmul-kernels.ts";
import type { MatmulSpec, MatmulVariant } from "./matmul-spec.ts";
import type { FunctionBuilder } from "./function-builder.ts";
import { buildModule } from "./module-builder.ts";
import { convCallSource, planConvNode, planFunctions, planMatmuls, type WasmConvPlan } from "./conv-plan.ts";
import { resolveTuningFor } from "./matmul-kernels.ts";
import { lowerReduction } from "./reduce.ts";
import { isSoftmaxKind, lowerSoftmax } from "./softmax.ts";
import { lowerOneHot } from "./one-hot.ts";
import { elementwiseLoop, splitUnits, type LoopSplit, type UnitLoop } from "./loop-split.ts";

/** What the step needs once every kernel was asked: the modules and the scratch they use. */
export interface WasmBuild {
  /** Modules to instantiate over the arena: the matmuls, then the elementwise loops (empty when nothing is Wasm). */
  readonly modules: readonly Uint8Array[];
  /** The matmuls' specs (export names k<id>), for a pool that runs the same kernels on several threads. */
  readonly matmulSpecs: readonly MatmulSpec[];
  /** f32 elements of scratch for products an epilogue reads (the largest one). */
  readonly scratchLength: number;
  /** Bytes one matmul call may use to pack panels of B (the `pack` offset), 0 when none packs. */
  readonly packBytes: number;
  /** Bytes of scratch the conv kernels share (one image's im2col matrix, at the `convScratch` offset), 0 when none. */
  readonly convScratchBytes: number;
  /** The loop kernels (elementwise, column sums, row reductions, softmax) a pool of `threads` threads may split. */
  readonly loopSplits: readonly LoopSplit[];
}

export interface WasmBackend extends KernelBackend {
  /** Builds the modules of the kernels this backend took. */
  build(): WasmBuild;
  /** Ids of the Wasm matmul kernels whose epilogue is a JS pass over the product. */
  readonly jsEpilogues: ReadonlySet<number>;
}

/**
 * The Wasm SIMD backend. It takes matmuls that are unbatched and nn/tn/nt (AᵀBᵀ is
 * JS), with their epilogue as a Wasm elementwise loop or, where that loop cannot take
 * it, a JS pass over the product; elementwise kernels planWasmElementwise takes; and
 * sums down the columns whose epilogue it takes (bias gradients with their update).
 * A product that is not stored goes to the arena's scratch; a stored one to its buffer.
 * Generated glue calls the exports as `wasm.<name>(byte offsets...)`; `scratch` and
 * `pack` are defined by the host.
 */
export function wasmBackend(env: KernelEnv, shared: boolean, features: WasmFeatures, threads = 1): WasmBackend {
  const { shapes, stored } = env;
  const simd = features.simd;
  const jsEpilogues = new Set<number>();
  const matmuls: MatmulSpec[] = [];
  const loops: Array<{ plan: WasmElementwisePlan; columnSum?: { rows: number } }> = [];
  const convs: WasmConvPlan[] = [];
  /** Whole-kernel functions (softmax family) built into the loops' module. */
  const functions: Array<{ name: string; fn: FunctionBuilder }> = [];
  /** Whole-kernel functions a thread pool may cut into chunks (see loop-split.ts). */
  const unitLoops: UnitLoop[] = [];
  const addFunction = (name: string, fn: FunctionBuilder, loop?: UnitLoop) => {
    functions.push({ name, fn });
    if (loop) unitLoops.push(loop);
  };
  let scratchLength = 0;

  const lowerElementwise = (kernel: Extract<Kernel, { kind: "elementwise" }>): KernelSource | Cannot => {
    const plan = planWasmElementwise(`e${kernel.id}`, kernel.nodes, null, kernel.shape, shapes, stored);
    if (!plan) return cannot("the chain has an op, dtype or broadcast the Wasm loop does not take");
    loops.push({ plan });
    return kernelSource(kernel, env, (ctx) => callLoop(ctx, kernel, plan, null, ""));
  };

  const lowerMatmul = (kernel: MatmulKernel): KernelSource | Cannot => {
    const node = kernel.matmul;
    const d = matmulDims(node, (t) => shapes.of(t));
    if (d.batch.reduce((a, b) => a * b, 1) !== 1) return cannot("batched matmuls are JS");
    if (d.transA && d.transB) return cannot("AᵀBᵀ is JS");
    const variant: MatmulVariant = d.transA ? "tn" : d.transB ? "nt" : "nn";
    const exportName = `k${kernel.id}`;
    // Bias and activation in the matmul kernel itself when the rest of the epilogue is a Wasm loop.
    const fused = fuseMatmulEpilogue(node, kernel.epilogue, d.n, shapes, stored);
    const restLoop = fused.rest.length > 0 ? planWasmElementwise(`e${kernel.id}`, fused.rest, fused.head, [d.m, d.n], shapes, stored) : null;
    const useFused = fused.head !== node && (fused.rest.length === 0 || restLoop !== null);
    const head = useFused ? fused.head : node;
    const epilogue = useFused ? fused.rest : kernel.epilogue;
    matmuls.push({ name: exportName, variant, m: d.m, k: d.k, n: d.n, ...(useFused ? { bias: fused.bias !== null, activation: fused.activation } : {}) });
    const viaScratch = epilogue.length > 0 && !stored.has(head);
    if (viaScratch) scratchLength = Math.max(scratchLength, d.m * d.n);
    const loop = useFused ? restLoop : epilogue.length > 0 ? planWasmElementwise(`e${kernel.id}`, epilogue, node, [d.m, d.n], shapes, stored) : null;
    if (loop) loops.push({ plan: loop });
    else if (epilogue.length > 0) jsEpilogues.add(kernel.id);
    return kernelSource(kernel, env, (ctx) => {
      const offsetOf = (x: AnyTensor) => `${ctx.ref(x)}.byteOffset`;
      const product = viaScratch ? "scratch" : ctx.ref(head);
      const where = viaScratch ? "into scratch" : "into its buffer";
      const inKernel = useFused ? ` with ${[fused.bias ? "+ bias" : "", fused.activation === "none" ? "" : fused.activation].filter(Boolean).join(", ")} in the kernel` : "";
      const bias = useFused && fused.bias ? offsetOf(fused.bias) : "0";
      ctx.b.line(`// op(A)·op(B) by the Wasm SIMD kernel ${exportName} (${variant})${inKernel} ${where}${epilogue.length > 0 ? ", then the epilogue in one pass" : ""}.`);
      ctx.b.line(`wasm.${exportName}(${offsetOf(node.inputs[0])}, ${offsetOf(node.inputs[1])}, ${product}.byteOffset, ${bias}, pack);`);
      if (epilogue.length === 0) return;
      if (loop) callLoop(ctx, kernel, loop, head, product);
      else epiloguePass(ctx, head, epilogue, [d.m, d.n], product);
    });
  };

  /**
   * A sum over every axis but the last (a bias gradient), with no prologue and an
   * epilogue the loop takes (the optimizer's update of the bias): one pass down the
   * columns, four at a time, summed in float64 in row order as the reference does.
   */
  const lowerColumnSum = (kernel: ReductionKernel): KernelSource | Cannot => {
    const { reduce, prologue, epilogue } = kernel;
    const source = reduce.inputs[0];
    const inShape = shapes.of(source);
    const axes = (reduce.params as { axes: readonly number[] }).axes;
    const cols = inShape[inShape.length - 1] ?? 1;
    const leading = inShape.length >= 2 && axes.length === inShape.length - 1 && axes.every((a) => a < inShape.length - 1);
    if (reduce.op !== "sum" || prologue.length > 0 || !leading) return cannot("only sums down the columns, without a prologue, are Wasm");
    if (stored.has(reduce) || source.dtype !== "float32" || cols % 4 !== 0) return cannot("the column sum must feed only its epilogue, over f32 columns in fours");
    const plan = planWasmElementwise(`r${kernel.id}`, epilogue, reduce, [cols], shapes, stored);
    if (!plan || epilogue.length === 0) return cannot("the epilogue has an op the Wasm loop does not take");
    loops.push({ plan, columnSum: { rows: shapes.count(source) / cols } });
    return kernelSource(kernel, env, (ctx) => callLoop(ctx, kernel, plan, reduce, ctx.ref(source)));
  };

  /**
   * A conv or pooling node: its Wasm exports (im2col + matmul per image and group, or
   * the SIMD pooling loops) called on the buffers' byte offsets, with the conv scratch.
   */
  const lowerConv = (kernel: Extract<Kernel, { kind: "op" }>): KernelSource | Cannot => {
    const plan = planConvNode(kernel.node, (t) => shapes.of(t), `c${kernel.id}`);
    if (!plan) return cannot(`no Wasm kernel for ${kernel.node.op} here (not a window op, not f32, empty, or a pad as wide as the window)`);
    convs.push(plan);
    return kernelSource(kernel, env, (ctx) => {
      const node = kernel.node;
      const out = ctx.ref(node);
      const { n, h, w, c } = plan.spec;
      ctx.b.line(`// ${node.op} in Wasm SIMD (${plan.kind === "conv" ? "im2col + matmul" : `${plan.spec.kind} pooling`}, ${plan.pass}) over x [${n}, ${h}, ${w}, ${c}]`);
      const inputs = node.inputs.map((x) => `${ctx.ref(x)}.byteOffset`);
      for (const line of convCallSource(plan, { inputs, out: `${out}.byteOffset`, scratch: "convScratch", zeroOut: `${out}.fill(0);` })) ctx.b.line(line);
    });
  };

  /**
   * A conv2d with its epilogue: bias add and activation in the forward matmul (as the
   * dense layer's are), the rest of the epilogue as one Wasm loop (else a JS pass) over
   * the conv's values after every image is done. Those values go to the buffer of the
   * node the kernel's matmul ends with when it is stored, else to the buffer of one of
   * the epilogue's stored float32 nodes: no output of a conv group shares an input's
   * buffer (optimize's plan), and the loop reads index i before writing it, so no
   * extra scratch is needed.
   */
  const lowerConvEpilogue = (kernel: ConvKernel): KernelSource | Cannot => {
    const node = kernel.conv;
    const base = planConvNode(node, (t) => shapes.of(t), `c${kernel.id}`);
    if (base?.kind !== "conv") return cannot("no Wasm kernel for this conv2d (not f32, or empty)");
    const outShape = shapes.of(node);
    const fused = fuseMatmulEpilogue(node, kernel.epilogue, base.spec.o, shapes, stored);
    const { head, rest } = fused;
    const target = stored.has(head) ? head : rest.filter((x) => stored.has(x) && x.dtype === "float32").at(-1);
    if (target === undefined) return cannot("no stored float32 node of the epilogue to hold the conv's values");
    const loop = rest.length > 0 ? planWasmElementwise(`e${kernel.id}`, rest, head, outShape, shapes, stored) : null;
    const plan: WasmConvPlan = { ...base, spec: { ...base.spec, bias: fused.bias !== null, activation: fused.activation } };
    convs.push(plan);
    if (loop) loops.push({ plan: loop });
    else if (rest.length > 0) jsEpilogues.add(kernel.id);
    return kernelSource(kernel, env, (ctx) => {
      const { n, h, w, c } = plan.spec;
      const inKernel = [fused.bias ? "+ bias" : "", fused.activation === "none" ? "" : fused.activation].filter(Boolean).join(", ");
      ctx.b.line(
        `// conv2d in Wasm SIMD (im2col + matmul${inKernel ? `, ${inKernel} in the matmul` : ""}) over x [${n}, ${h}, ${w}, ${c}] into ` +
          `t${target.id}${rest.length > 0 ? `, then the rest of the epilogue in one ${loop ? "Wasm" : "JS"} pass` : ""}.`,
      );
      const inputs = node.inputs.map((x) => `${ctx.ref(x)}.byteOffset`);
      const bias = fused.bias ? `${ctx.ref(fused.bias)}.byteOffset` : undefined;
      const out = ctx.ref(target);
      for (const line of convCallSource(plan, { inputs, out: `${out}.byteOffset`, scratch: "convScratch", bias, zeroOut: `${out}.fill(0);` })) ctx.b.line(line);
      if (loop) callLoop(ctx, kernel, loop, head, out);
      else if (rest.length > 0) epiloguePass(ctx, head, rest, outShape, out);
    });
  };

  return {
    name: "wasm",
    jsEpilogues,
    lower(kernel) {
      if (!simd) return cannot("this engine does not validate Wasm SIMD");
      if (kernel.kind === "elementwise") return lowerElementwise(kernel);
      if (kernel.kind === "matmul") return lowerMatmul(kernel);
      if (kernel.kind === "conv") return lowerConvEpilogue(kernel);
      if (kernel.kind === "reduction") {
        const columns = lowerColumnSum(kernel);
        return isCannot(columns) ? lowerReduction(kernel, env, addFunction) : columns;
      }
      if (isSoftmaxKind(kernel.node.op)) return lowerSoftmax(kernel, env, addFunction);
      if (kernel.node.op === "oneHot") return lowerOneHot(kernel, env, addFunction);
      return lowerConv(kernel);
    },
    build() {
      const modules: Uint8Array[] = [];
      let packBytes = 0;
      // The convs' matmuls (which never pack) are built with the others: a thread pool splits them too.
      const allMatmuls = [...matmuls, ...planMatmuls(convs)];
      if (allMatmuls.length > 0) {
        // With a scratch offset the nn/tn kernels pack B panels (faster); the offset is
        // passed on every call, so the one given here only switches packing on.
        const built = buildMatmulKernels(allMatmuls, { scratchOffset: 0, shared, relaxedSimd: features.relaxedSimd });
        packBytes = built.scratchBytes;
        modules.push(built.bytes);
      }
      if (loops.length > 0 || functions.length > 0) {
        const built = loops.map(({ plan, columnSum }) => ({ name: plan.exportName, fn: buildWasmElementwise(plan, shapes, columnSum) }));
        modules.push(buildModule({ shared }, [...built, ...functions]));
      }
      let convScratchBytes = 0;
      if (convs.length > 0) {
        const built = planFunctions(convs, resolveTuningFor({ relaxedSimd: features.relaxedSimd }), false);
        convScratchBytes = built.scratchBytes;
        modules.push(buildModule({ shared }, built.functions));
      }
      const loopSplits = [...loops.map(({ plan, columnSum }) => elementwiseLoop(plan, shapes, columnSum)), ...unitLoops].flatMap((loop) => splitUnits(loop, threads) ?? []);
      return { modules, matmulSpecs: allMatmuls, scratchLength, packBytes, convScratchBytes, loopSplits };
    },
  };
}

/** Calls a Wasm SIMD loop; `entry` (a matmul's product) is read from the `product` array. */
function callLoop(ctx: KernelContext, kernel: Kernel, plan: WasmElementwisePlan, entry: AnyTensor | null, product: string): void {
  const pointers = plan.arrays.map((x) => (x === entry ? `${product}.byteOffset` : `${ctx.ref(x)}.byteOffset`));
  const scalars = plan.scalars.map((x) => `${ctx.ref(x)}[0]`);
  ctx.b.line(
    `// ${kernel.nodes
      .filter((n) => n !== entry)
      .map((n) => `${n.op}#${n.id}`)
      .join(", ")}: a Wasm SIMD loop, 4 lanes at a time.`,
  );
  ctx.b.line(`wasm.${plan.exportName}(${[...pointers, ...scalars].join(", ")});`);
}
