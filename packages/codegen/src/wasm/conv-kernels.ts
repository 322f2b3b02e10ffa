import type { Activation } from "./activation.ts";
import { im2colFunction, type Im2colGeometry } from "./conv-im2col.ts";
import type { FunctionBuilder } from "./function-builder.ts";
import { matmulFunction } from "./matmul-kernels.ts";
import { resolveMatmul, type MatmulSpec } from "./matmul-spec.ts";
import type { MatmulTuning } from "./matmul-tuning.ts";

/**
 * 2-D convolution in Wasm SIMD, NHWC input x [n, h, w, c], filter [kh, kw, c/groups, o]
 * (row-major, so it already is the [kh·kw·cg, o] matrix a matmul wants), output
 * [n, oh, ow, o]. Per image and group: im2col into a scratch matrix
 * cols [oh·ow, kh·kw·cg], then the existing specialized matmul kernels:
 *
 *   forward       y  = act(cols · W + bias)     nn, bias and activation fused
 *   input grad    dcols = g · Wᵀ, col2im → dx    nt
 *   filter grad   dW += colsᵀ · g                tn, accumulating over images
 *
 * Padding is literal zeros in cols (0·NaN = NaN, the reference's semantics). The
 * loop over images and groups is JS (conv-plan.ts renders it; conv-build.ts runs it).
 */
export interface ConvSpec {
  /** Prefix of the module's export names; unique within one build. */
  readonly name: string;
  readonly n: number;
  readonly h: number;
  readonly w: number;
  readonly c: number;
  readonly kh: number;
  readonly kw: number;
  readonly o: number;
  readonly strides?: readonly [number, number];
  readonly dilations?: readonly [number, number];
  /** [top, bottom, left, right]; default none. */
  readonly pads?: readonly [number, number, number, number];
  readonly groups?: number;
  /** Fuse `+ bias` (a row of o floats) and an activation into the forward pass. */
  readonly bias?: boolean;
  readonly activation?: Activation;
}

export interface ResolvedConv extends Im2colGeometry {
  readonly name: string;
  readonly n: number;
  readonly o: number;
  readonly groups: number;
  readonly og: number;
  readonly bias: boolean;
  readonly activation: Activation;
}

export function resolveConv(s: ConvSpec): ResolvedConv {
  const strides = s.strides ?? [1, 1];
  const dilations = s.dilations ?? [1, 1];
  const pads = s.pads ?? [0, 0, 0, 0];
  const groups = s.groups ?? 1;
  const what = `conv kernel ${JSON.stringify(s.name)}`;
  for (const [key, v] of Object.entries({ n: s.n, h: s.h, w: s.w, c: s.c, kh: s.kh, kw: s.kw, o: s.o, groups })) {
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`${what}: ${key} must be a positive integer, got ${v}`);
  }
  if (s.c % groups !== 0 || s.o % groups !== 0) throw new RangeError(`${what}: groups ${groups} must divide c ${s.c} and o ${s.o}`);
  const oh = Math.floor((s.h + pads[0] + pads[1] - (s.kh - 1) * dilations[0] - 1) / strides[0]) + 1;
  const ow = Math.floor((s.w + pads[2] + pads[3] - (s.kw - 1) * dilations[1] - 1) / strides[1]) + 1;
  if (oh < 1 || ow < 1) throw new RangeError(`${what}: a ${s.kh}×${s.kw} kernel does not fit a ${s.h}×${s.w} input padded by ${JSON.stringify(pads)}`);
  const cg = s.c / groups;
  return { ...s, strides, dilations, pads, groups, cg, og: s.o / groups, oh, ow, bias: s.bias ?? false, activation: s.activation ?? "none" };
}

/**
 * The matmuls of one spec, per image and group (leading dimensions step over the other
 * groups). They never pack B: they read cols in place, and cols sits where packing
 * would. A compiled step builds them with the other matmuls, so a thread pool splits them.
 */
export function convMatmuls(spec: ConvSpec): MatmulSpec[] {
  const r = resolveConv(spec);
  const m = r.oh * r.ow;
  const k = r.kh * r.kw * r.cg;
  return [
    { name: `${r.name}_fwd`, variant: "nn", m, k, n: r.og, ldb: r.o, ldc: r.o, bias: r.bias, activation: r.activation, pack: false },
    { name: `${r.name}_dcols`, variant: "nt", m, k: r.og, n: k, lda: r.o, ldb: r.o, pack: false },
    { name: `${r.name}_dw`, variant: "tn", m: k, k: m, n: r.og, ldb: r.o, ldc: r.o, accumulate: true, pack: false },
  ];
}

/**
 * Every spec's im2col, col2im and (unless `withMatmuls` is false: the step builds them
 * with its matmuls) matmul functions, and the scratch (one image's cols) their calls share.
 */
export function convFunctions(
  specs: readonly ConvSpec[],
  tuning: MatmulTuning,
  withMatmuls = true,
): { functions: Array<{ name: string; fn: FunctionBuilder }>; scratchBytes: number } {
  const resolved = specs.map(resolveConv);
  const functions: Array<{ name: string; fn: FunctionBuilder }> = [];
  for (const r of resolved) {
    functions.push({ name: `${r.name}_im2col`, fn: im2colFunction(r, "im2col") });
    functions.push({ name: `${r.name}_col2im`, fn: im2colFunction(r, "col2im") });
    // The matmuls read cols in place (no panel packing): scratch holds cols.
    if (withMatmuls) for (const m of convMatmuls(r)) functions.push({ name: m.name, fn: matmulFunction(resolveMatmul(m), tuning, false) });
  }
  return { functions, scratchBytes: Math.max(0, ...resolved.map((r) => 4 * r.oh * r.ow * r.kh * r.kw * r.cg)) };
}
