import type { AnyTensor } from "@gradfold/graph";
import type { Conv2dParams, OpParams, Pool2dParams } from "@gradfold/graph/internal";
import { convFunctions, convMatmuls, resolveConv, type ConvSpec } from "./conv-kernels.ts";
import { poolFunctions, poolGeometry, type PoolSpec } from "./conv-pool.ts";
import type { FunctionBuilder } from "./function-builder.ts";
import type { MatmulSpec } from "./matmul-spec.ts";
import type { MatmulTuning } from "./matmul-tuning.ts";

/**
 * What a backend needs to run a graph's conv or pooling node in Wasm: the kernel
 * spec (exports are named `${spec.name}_…`), which pass the node is, and the JS that
 * calls the exports (a loop over images and groups, on byte offsets). One place
 * decides this; `buildConvKernels`/`buildPoolKernels` and a compiled step render it.
 */
export type WasmConvPlan =
  | { readonly kind: "conv"; readonly pass: "forward" | "inputGrad" | "filterGrad"; readonly spec: ConvSpec }
  | { readonly kind: "pool"; readonly pass: "forward" | "backward"; readonly spec: PoolSpec };

type Shapes = (node: AnyTensor) => readonly number[];

/** Whether the kernels take a spec: they refuse empty tensors (batch 0) and pads as wide as a pooling window. */
function fits(check: () => unknown): boolean {
  try {
    check();
    return true;
  } catch {
    return false;
  }
}

const window = (p: Conv2dParams | Pool2dParams) => ({ strides: p.strides, dilations: p.dilations, pads: p.pads });

/**
 * The plan for a node, or null when it stays in JS: any op but the seven window ops,
 * maxPool2d of values at another tensor's argmax, int32 pooling, an empty tensor (a batch of 0), or
 * a pooling window whose padding reaches a whole window (the Wasm kernels need every
 * pad smaller than the window).
 */
export function planConvNode(node: AnyTensor, shapesOf: Shapes, name: string): WasmConvPlan | null {
  const conv = (pass: "forward" | "inputGrad" | "filterGrad", x: readonly number[], w: readonly number[], p: Conv2dParams): WasmConvPlan | null => {
    const spec: ConvSpec = { name, n: x[0], h: x[1], w: x[2], c: x[3], kh: w[0], kw: w[1], o: w[3], groups: p.groups, ...window(p) };
    return fits(() => resolveConv(spec)) ? { kind: "conv", pass, spec } : null;
  };
  const pool = (pass: "forward" | "backward", kind: "max" | "avg", x: readonly number[], p: Pool2dParams & { countIncludePad?: boolean }): WasmConvPlan | null => {
    const spec: PoolSpec = { name, kind, n: x[0], h: x[1], w: x[2], c: x[3], window: p.kernel, ...window(p), countIncludePad: p.countIncludePad ?? false };
    return fits(() => poolGeometry(spec)) ? { kind: "pool", pass, spec } : null;
  };
  // The kernels are f32 (max pooling also takes int32 tensors: those stay in JS).
  if (node.dtype !== "float32") return null;
  const [a, b] = node.inputs.map(shapesOf);
  if (node.is("conv2d")) return conv("forward", a, b, node.params);
  if (node.is("conv2dTranspose")) {
    const p = node.params as OpParams["conv2dTranspose"];
    return conv("inputGrad", [a[0], p.inputSize[0], p.inputSize[1], b[2] * p.groups], b, p);
  }
  if (node.is("conv2dFilterGrad")) {
    const p = node.params as OpParams["conv2dFilterGrad"];
    return conv("filterGrad", a, [p.kernelSize[0], p.kernelSize[1], a[3] / p.groups, b[3]], p);
  }
  if (node.is("maxPool2d")) return node.inputs[0] === node.inputs[1] ? pool("forward", "max", a, node.params) : null;
  if (node.is("maxPool2dGrad")) return pool("backward", "max", a, node.params);
  if (node.is("avgPool2d")) return pool("forward", "avg", a, node.params);
  if (node.is("avgPool2dGrad")) {
    const p = node.params as OpParams["avgPool2dGrad"];
    return pool("backward", "avg", [a[0], p.inputSize[0], p.inputSize[1], a[3]], p);
  }
  return null;
}

/**
 * The Wasm functions of the plans (a module's worth), and the scratch bytes their calls
 * share. Without `withMatmuls` the convs' matmuls are left out: a compiled step builds
 * them with its other matmuls (`planMatmuls`), where a thread pool can split them.
 */
export function planFunctions(
  plans: readonly WasmConvPlan[],
  tuning: MatmulTuning,
  withMatmuls = true,
): { functions: Array<{ name: string; fn: FunctionBuilder }>; scratchBytes: number } {
  const convs = plans.flatMap((p) => (p.kind === "conv" ? [p.spec] : []));
  const pools = plans.flatMap((p) => (p.kind === "pool" ? [p.spec] : []));
  const built = convFunctions(convs, tuning, withMatmuls);
  return { functions: [...built.functions, ...poolFunctions(pools)], scratchBytes: built.scratchBytes };
}

/** The matmul spec each conv plan's pass calls (export `${name}_fwd`, `_dcols` or `_dw`), none packing. */
export function planMatmuls(plans: readonly WasmConvPlan[]): MatmulSpec[] {
  const suffix = { forward: "_fwd", inputGrad: "_dcols", filterGrad: "_dw" } as const;
  return plans.flatMap((p) => (p.kind === "conv" ? convMatmuls(p.spec).filter((m) => m.name === `${p.spec.name}${suffix[p.pass]}`) : []));
}

/**
 * Source expressions of a call's operands: byte offsets of the node's inputs in
 * order, of its output, of scratch (and of a bias row for a fused forward), and a
 * statement that zeroes the output (gradients accumulate into it).
 */
export interface ConvCallOperands {
  readonly inputs: readonly string[];
  readonly out: string;
  readonly scratch: string;
  readonly bias?: string;
  readonly zeroOut: string;
}

/**
 * The JS that runs a plan: `wasm.<export>(…)` calls on byte offsets, looping over
 * images (and groups), each call an ordinary specialized kernel on shifted operands.
 */
export function convCallSource(plan: WasmConvPlan, ops: ConvCallOperands): string[] {
  const name = plan.spec.name;
  if (plan.kind === "pool") {
    const [first, second] = ops.inputs;
    if (plan.pass === "forward") return [`wasm.${name}_forward(${first}, ${ops.out});`];
    // maxPool2dGrad's inputs are (x, g); avgPool2dGrad's only input is g, and its kernel ignores x.
    const [x, g] = plan.spec.kind === "max" ? [first, second] : ["0", first];
    return [ops.zeroOut, `wasm.${name}_backward(${x}, ${g}, ${ops.out});`];
  }
  const r = resolveConv(plan.spec);
  const xImage = 4 * r.h * r.w * r.c;
  const yImage = 4 * r.oh * r.ow * r.o;
  const grouped = r.groups > 1;
  const at = (base: string, image: number, group: number) => `${base} + i * ${image}${grouped ? ` + g * ${group}` : ""}`;
  const filter = (base: string) => (grouped ? `${base} + g * ${4 * r.og}` : base);
  const [a, b] = ops.inputs;
  const body: Record<typeof plan.pass, string[]> = {
    forward: [
      `wasm.${name}_im2col(${at(a, xImage, 4 * r.cg)}, ${ops.scratch});`,
      `wasm.${name}_fwd(${ops.scratch}, ${filter(b)}, ${at(ops.out, yImage, 4 * r.og)}, ${ops.bias ? filter(ops.bias) : 0}, 0);`,
    ],
    inputGrad: [`wasm.${name}_dcols(${at(a, yImage, 4 * r.og)}, ${filter(b)}, ${ops.scratch}, 0, 0);`, `wasm.${name}_col2im(${at(ops.out, xImage, 4 * r.cg)}, ${ops.scratch});`],
    filterGrad: [`wasm.${name}_im2col(${at(a, xImage, 4 * r.cg)}, ${ops.scratch});`, `wasm.${name}_dw(${ops.scratch}, ${at(b, yImage, 4 * r.og)}, ${filter(ops.out)}, 0, 0);`],
  };
  const lines = plan.pass === "forward" ? [] : [ops.zeroOut];
  lines.push(`for (let i = 0; i < ${r.n}; i++) {`);
  if (grouped) lines.push(`  for (let g = 0; g < ${r.groups}; g++) {`);
  for (const l of body[plan.pass]) lines.push(`${grouped ? "    " : "  "}${l}`);
  if (grouped) lines.push("  }");
  lines.push("}");
  return lines;
}
