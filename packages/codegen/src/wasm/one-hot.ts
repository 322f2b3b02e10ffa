import { cannot, type Cannot } from "../host/backend.ts";
import type { NodeOf } from "../js/context.ts";
import { kernelSource, type KernelEnv, type KernelSource } from "../js/kernel-source.ts";
import type { OpKernel } from "../lower/kernel.ts";
import { FunctionBuilder } from "./function-builder.ts";
import type { UnitLoop } from "./loop-split.ts";

/**
 * oneHot as a Wasm kernel: per index, a row of `depth` zeros (v128 stores, then the
 * depth mod 4 tail) and a 1 at the index when it lies in [0, depth) — outside it the
 * row stays zero, as the reference (compiled steps range-check label feeds first).
 * Rows are independent, so a thread pool may run chunks of them.
 */
export function lowerOneHot(kernel: OpKernel, env: KernelEnv, add: (name: string, fn: FunctionBuilder, loop?: UnitLoop) => void): KernelSource | Cannot {
  const node = kernel.node as NodeOf<"oneHot">;
  const [idx] = node.inputs;
  if (idx.dtype !== "int32") return cannot("oneHot of non-int32 indices is JS");
  const rows = env.shapes.count(idx);
  const depth = node.params.depth;
  if (rows < 1) return cannot("oneHot of no indices is JS");
  const name = `oh${kernel.id}`;
  add(name, buildOneHot(rows, depth), { name, units: rows, unitBytes: [4, 4 * depth], floats: 0, elements: rows * depth, build: (units) => buildOneHot(units, depth) });
  return kernelSource(kernel, env, (ctx) => {
    ctx.b.line(`// oneHot#${node.id}: ${rows} rows of ${depth}, a Wasm kernel (zeros, then a 1 at each index in range).`);
    ctx.b.line(`wasm.${name}(${ctx.ref(idx)}.byteOffset, ${ctx.ref(node)}.byteOffset);`);
  });
}

/** `(indices, out)`, byte offsets: `rows` int32 indices, `rows` × `depth` float32 out. */
export function buildOneHot(rows: number, depth: number): FunctionBuilder {
  const fn = new FunctionBuilder(["i32", "i32"]);
  const [indices, out] = [fn.param(0), fn.param(1)];
  const index = fn.local("i32");
  const counter = fn.local("i32");
  fn.repeat(counter, rows, () => {
    for (let v = 0; v + 4 <= depth; v += 4)
      fn.get(out)
        .f32x4(0)
        .simdMem("v128.store", 4 * v);
    for (let j = depth - (depth % 4); j < depth; j++)
      fn.get(out)
        .f32(0)
        .mem("f32.store", 4 * j);
    fn.block((skip) => {
      // Unsigned index < depth: also false for negative indices.
      fn.get(indices).mem("i32.load").tee(index).i32(depth).core("i32.lt_u").core("i32.eqz").brIf(skip);
      fn.get(out).get(index).i32(2).core("i32.shl").core("i32.add").f32(1).mem("f32.store");
    });
    fn.addTo(indices, 4).addTo(out, 4 * depth);
  });
  return fn;
}
