import { numel } from "@gradfold/graph";
import type { KernelContext, NodeOf } from "./context.ts";

/** [outer, axis size, inner] element counts around `axis`. */
function around(shape: readonly number[], axis: number): [number, number, number] {
  return [numel(shape.slice(0, axis)), shape[axis], numel(shape.slice(axis + 1))];
}

/** Slices along `axis` at int32 indices; an index outside the axis gives NaN, as the reference. */
export function emitGather(ctx: KernelContext, node: NodeOf<"gather">): void {
  const [x, idx] = node.inputs;
  const [outer, size, inner] = around(ctx.shapes.of(x), node.params.axis);
  const n = ctx.shapes.count(idx);
  const [X, I, Y] = [ctx.ref(x), ctx.ref(idx), ctx.ref(node)];
  const b = ctx.b;
  b.block(`for (let o = 0; o < ${outer}; o++)`, () => {
    b.block(`for (let k = 0; k < ${n}; k++)`, () => {
      b.line(`const i = ${I}[k];`);
      b.line(`const dst = (o * ${n} + k) * ${inner};`);
      b.line(`const src = (o * ${size} + i) * ${inner};`);
      b.line(`const ok = i >= 0 && i < ${size};`);
      b.line(`for (let j = 0; j < ${inner}; j++) ${Y}[dst + j] = ok ? ${X}[src + j] : NaN;`);
    });
  });
}

/** Zeros, then slices of `updates` summed in at int32 indices; out-of-range indices are dropped. */
export function emitScatterAdd(ctx: KernelContext, node: NodeOf<"scatterAdd">): void {
  const [u, idx] = node.inputs;
  const [outer, size, inner] = around(ctx.shapes.of(node), node.params.axis);
  const n = ctx.shapes.count(idx);
  const [U, I, Y] = [ctx.ref(u), ctx.ref(idx), ctx.ref(node)];
  const b = ctx.b;
  b.line(`${Y}.fill(0);`);
  b.block(`for (let o = 0; o < ${outer}; o++)`, () => {
    b.block(`for (let k = 0; k < ${n}; k++)`, () => {
      b.line(`const i = ${I}[k];`);
      b.line(`if (i < 0 || i >= ${size}) continue;`);
      b.line(`const dst = (o * ${size} + i) * ${inner};`);
      b.line(`const src = (o * ${n} + k) * ${inner};`);
      b.line(`for (let j = 0; j < ${inner}; j++) ${Y}[dst + j] += ${U}[src + j];`);
    });
  });
}

export function emitOneHot(ctx: KernelContext, node: NodeOf<"oneHot">): void {
  const [idx] = node.inputs;
  const depth = node.params.depth;
  const b = ctx.b;
  b.line(`${ctx.ref(node)}.fill(0);`);
  b.block(`for (let k = 0; k < ${ctx.shapes.count(idx)}; k++)`, () => {
    b.line(`const i = ${ctx.ref(idx)}[k];`);
    b.line(`if (i >= 0 && i < ${depth}) ${ctx.ref(node)}[k * ${depth} + i] = 1;`);
  });
}
