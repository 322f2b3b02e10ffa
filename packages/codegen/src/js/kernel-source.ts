import { numel, type AnyTensor } from "@gradfold/graph";
import { bindShape } from "@gradfold/graph/internal";
import type { Kernel } from "../lower/kernel.ts";
import type { BoundShapes } from "../lower/shapes.ts";
import { literal, numberLiteral, SourceBuilder } from "./builder.ts";
import type { KernelContext } from "./context.ts";
import { emitConvKernel } from "./conv-epilogue.ts";
import { emitElementwise } from "./elementwise.ts";
import type { HelperName } from "./helpers.ts";
import { emitMatmul } from "./matmul.ts";
import { jsOps } from "./op-table.ts";
import { emitReduction } from "./reduce.ts";

/** One generated kernel: a named function over typed-array parameters. */
export interface KernelSource {
  readonly name: string;
  /** The nodes whose buffers the function takes, in parameter order. */
  readonly params: readonly AnyTensor[];
  /** `op#id` of every graph node it computes. */
  readonly fuses: readonly string[];
  readonly source: string;
}

type KernelEmitter<K extends Kernel["kind"]> = (ctx: KernelContext, kernel: Extract<Kernel, { kind: K }>) => void;

/** Writes a kernel function's body; the JS templates by default, a Wasm call for the Wasm backend. */
export type BodyEmitter = (ctx: KernelContext, kernel: Kernel) => void;

/** What every kernel function of one step shares: shapes, which nodes are stored, helpers and custom calls used. */
export interface KernelEnv {
  readonly shapes: BoundShapes;
  readonly stored: ReadonlySet<AnyTensor>;
  readonly helpers: Set<HelperName>;
  /** Custom-op nodes in the order of the step's `customCalls`. */
  readonly customNodes: AnyTensor[];
}

const kernelEmitters: { readonly [K in Kernel["kind"]]: KernelEmitter<K> } = {
  elementwise: emitElementwise,
  matmul: emitMatmul,
  conv: emitConvKernel,
  reduction: emitReduction,
  op: (ctx, kernel) => {
    const op = jsOps[kernel.node.op];
    if (op.kind !== "kernel" && op.kind !== "broadcast") throw new Error(`codegen: ${kernel.node.op} has no kernel template`);
    (op.emit as (c: KernelContext, n: AnyTensor) => void)(ctx, kernel.node);
  },
};

/** A scalar leaf inlined as a literal: one-element constants and sizes. */
export function scalarLiteral(node: AnyTensor, shapes: BoundShapes): string | null {
  if (node.is("constant") && node.params.data.length === 1) return numberLiteral(node.params.data[0]);
  if (node.is("size")) return numberLiteral(numel(bindShape(node.params.dims, shapes.sizes, "size")));
  return null;
}

/** A leaf or node as a comment-safe description: kind, id and (JSON-escaped) name. */
export function describeNode(node: AnyTensor): string {
  if (node.is("input") || node.is("param")) return `${node.op} ${literal(node.params.name)}`;
  return `${node.op}#${node.id}`;
}

/** The JS templates: one per kernel kind. */
export const jsBody: BodyEmitter = (ctx, kernel) => (kernelEmitters[kernel.kind] as KernelEmitter<Kernel["kind"]>)(ctx, kernel as never);

/**
 * Writes one kernel's function. Buffers are parameters named after node ids (`t12`),
 * never after user names; the leading comment says what the kernel fuses.
 */
export function kernelSource(kernel: Kernel, env: KernelEnv, body: BodyEmitter = jsBody): KernelSource {
  const { shapes, stored, helpers, customNodes } = env;
  const name = `k${kernel.id}_${[...new Set(kernel.nodes.map((n) => n.op))].join("_")}`.slice(0, 48);
  const prelude = new SourceBuilder();
  const context = (): KernelContext => {
    const params: AnyTensor[] = [];
    const ctx: KernelContext = {
      b: new SourceBuilder(),
      shapes,
      name,
      prelude,
      ref: (node) => {
        if (!params.includes(node)) params.push(node);
        return `t${node.id}`;
      },
      scalar: (node) => scalarLiteral(node, shapes),
      helper: (h) => {
        helpers.add(h);
        return h;
      },
      stored: (node) => stored.has(node),
      sibling: context,
      paramNodes: () => params,
      custom: (node) => {
        if (!customNodes.includes(node)) customNodes.push(node);
        return customNodes.indexOf(node);
      },
    };
    return ctx;
  };
  const ctx = context();
  body(ctx, kernel);
  const params = ctx.paramNodes();
  const fuses = kernel.nodes.map(describeNode);
  const out = new SourceBuilder();
  const result = kernel.nodes.filter((n) => stored.has(n));
  const preludeText = prelude.toString();
  if (preludeText !== "") out.append(preludeText);
  out.line(`// ${name}: ${kernel.kind} kernel fusing ${fuses.join(", ")}`);
  out.line(`//   writes ${result.map((n) => `t${n.id} ${n.dtype}[${shapes.of(n).join(", ")}]`).join(", ") || "nothing"}`);
  const reads = params.filter((p) => !result.includes(p));
  if (reads.length > 0) out.line(`//   reads ${reads.map((n) => `t${n.id} (${describeNode(n)})`).join(", ")}`);
  out.block(`function ${name}(${params.map((p) => `t${p.id}`).join(", ")})`, () => out.append(ctx.b.toString()));
  return { name, params, fuses, source: out.toString() };
}
