import { numel, type AnyTensor } from "@gradfold/graph";
import type { OpParams } from "@gradfold/graph/internal";
import type { MatmulKernel } from "../lower/kernel.ts";
import { broadcastStrides, contiguousStrides } from "../lower/shapes.ts";
import { emitChain } from "./chain.ts";
import type { KernelContext } from "./context.ts";

/**
 * Register tile: TILE_ROWS × TILE_COLS float64 accumulators in locals (plus one load
 * of A per row and of B per column each k step: V8 keeps about 15 doubles in
 * registers). Column panels of 64 keep B's panel in L2 across row tiles.
 */
const TILE_ROWS = 4;
const TILE_COLS = 4;
const PANEL = 64;

export interface MatmulDims {
  readonly m: number;
  readonly n: number;
  readonly k: number;
  readonly transA: boolean;
  readonly transB: boolean;
  /** Leading batch dims of the output, and each operand's strides over them (0 where broadcast). */
  readonly batch: readonly number[];
  readonly batchStridesA: readonly number[];
  readonly batchStridesB: readonly number[];
}

export function matmulDims(node: AnyTensor, shapeOf: (t: AnyTensor) => readonly number[]): MatmulDims {
  const { transA, transB } = node.params as OpParams["matmul"];
  const [a, b] = node.inputs.map(shapeOf);
  const out = shapeOf(node);
  const batch = out.slice(0, -2);
  const k = transA ? a[a.length - 2] : a[a.length - 1];
  const batchStrides = (s: readonly number[]) => {
    const lead = s.slice(0, -2);
    const own = contiguousStrides(s).slice(0, -2);
    return broadcastStrides(lead, batch).map((st, i) => (st === 0 ? 0 : own[i - (batch.length - lead.length)]));
  };
  return { m: out[out.length - 2], n: out[out.length - 1], k, transA, transB, batch, batchStridesA: batchStrides(a), batchStridesB: batchStrides(b) };
}

/**
 * C = op(A)·op(B), cache-blocked and register-tiled: each 4×4 tile of C is 16 float64
 * locals fed by 4 loads of A and 4 of B per k step; the transposed variants only
 * change which pointers walk (no transpose is materialised). The epilogue chain
 * (bias add, activation) runs on each finished accumulator before its store. Rows
 * and columns past the last full tile are done by a plain dot-product loop.
 */
export function emitMatmul(ctx: KernelContext, kernel: MatmulKernel): void {
  const node = kernel.matmul;
  const d = matmulDims(node, (t) => ctx.shapes.of(t));
  const { m, n, k, transA, transB } = d;
  const A = ctx.ref(node.inputs[0]);
  const B = ctx.ref(node.inputs[1]);
  const b = ctx.b;
  const batched = numel(d.batch) > 1;
  const aOff = batched ? "aOff + " : "";
  const bOff = batched ? "bOff + " : "";
  const cOff = batched ? "cOff + " : "";
  const outShape = [m, n];

  // The epilogue is a top-level function of (row, col, acc) so each of the 16 stores
  // of a tile is one call (V8 inlines it); without an epilogue, a plain store.
  const stored = kernel.nodes.filter((x) => ctx.stored(x));
  const epilogueName = `${ctx.name}_epilogue`;
  const epilogueParams: string[] = [];
  if (kernel.epilogue.length > 0) {
    const e = ctx.sibling();
    const read = (x: AnyTensor) => {
      const [sr, sc] = broadcastStrides(ctx.shapes.of(x), outShape);
      const index = sr === n && sc === 1 ? "at" : [sr ? `i * ${sr}` : "", sc ? (sc === 1 ? "j" : `j * ${sc}`) : ""].filter(Boolean).join(" + ") || "0";
      return `${e.ref(x)}[${index}]`;
    };
    e.b.line(`const at = i * ${n} + j;`);
    const locals = emitChain(e, kernel.epilogue, read, new Map([[node, "acc"]]));
    for (const x of stored) e.b.line(`${e.ref(x)}[at] = ${locals.get(x)};`);
    epilogueParams.push(...e.paramNodes().map((x) => ctx.ref(x)));
    ctx.prelude.line(`// Epilogue of ${ctx.name}: ${kernel.epilogue.map((x) => `${x.op}#${x.id}`).join(", ")} on each finished element (i, j).`);
    ctx.prelude.block(`function ${epilogueName}(i, j, acc, ${epilogueParams.join(", ")})`, () => ctx.prelude.append(e.b.toString()));
    ctx.prelude.line("");
  }
  const epilogueArgs = epilogueParams.join(", ");
  const store = (row: string, col: string, value: string) => {
    if (kernel.epilogue.length === 0) {
      if (stored.length > 0) b.line(`${ctx.ref(node)}[${cOff}${row} * ${n} + ${col}] = ${value};`);
      return;
    }
    b.line(`${epilogueName}(${row}, ${col}, ${value}, ${epilogueArgs});`);
  };
  const aAt = (i: string, kk: string) => (transA ? `${A}[${aOff}${kk} * ${m} + ${i}]` : `${A}[${aOff}${i} * ${k} + ${kk}]`);
  const bAt = (kk: string, j: string) => (transB ? `${B}[${bOff}${j} * ${k} + ${kk}]` : `${B}[${bOff}${kk} * ${n} + ${j}]`);

  const mFull = m - (m % TILE_ROWS);
  const nFull = n - (n % TILE_COLS);
  const rowsR = [...Array(TILE_ROWS).keys()];
  const colsC = [...Array(TILE_COLS).keys()];
  const chain = (names: string[], first: string, step: number) => names.map((x, i) => (i === 0 ? `${x} = ${first}` : `${x} = ${names[i - 1]} + ${step}`)).join(", ");
  const body = () => {
    if (mFull > 0 && nFull > 0) {
      b.open(`for (let jb = 0; jb < ${nFull}; jb += ${PANEL})`);
      b.line(`const je = jb + ${PANEL} < ${nFull} ? jb + ${PANEL} : ${nFull};`);
      b.open(`for (let i = 0; i < ${mFull}; i += ${TILE_ROWS})`);
      if (!transA)
        b.line(
          `const ${chain(
            rowsR.map((r) => `a${r}`),
            `${aOff}i * ${k}`,
            k,
          )};`,
        );
      b.open(`for (let j = jb; j < je; j += ${TILE_COLS})`);
      for (const r of rowsR) b.line(`let ${colsC.map((c) => `c${r}${c} = 0`).join(", ")};`);
      if (transB)
        b.line(
          `const ${chain(
            colsC.map((c) => `b${c}`),
            `${bOff}j * ${k}`,
            k,
          )};`,
        );
      b.open(`for (let k = 0; k < ${k}; k++)`);
      if (transA) {
        b.line(`const ak = ${aOff}k * ${m} + i;`);
        b.line(`const ${rowsR.map((r) => `x${r} = ${A}[ak${r ? ` + ${r}` : ""}]`).join(", ")};`);
      } else b.line(`const ${rowsR.map((r) => `x${r} = ${A}[a${r} + k]`).join(", ")};`);
      if (transB) b.line(`const ${colsC.map((c) => `y${c} = ${B}[b${c} + k]`).join(", ")};`);
      else {
        b.line(`const bk = ${bOff}k * ${n} + j;`);
        b.line(`const ${colsC.map((c) => `y${c} = ${B}[bk${c ? ` + ${c}` : ""}]`).join(", ")};`);
      }
      for (const r of rowsR) b.line(colsC.map((c) => `c${r}${c} += x${r} * y${c};`).join(" "));
      b.close();
      for (const r of rowsR) for (const c of colsC) store(r === 0 ? "i" : `(i + ${r})`, c === 0 ? "j" : `(j + ${c})`, `c${r}${c}`);
      b.close(3);
    }
    const dot = (rows: [string, string], cols: [string, string]) => {
      b.open(`for (let i = ${rows[0]}; i < ${rows[1]}; i++)`);
      b.open(`for (let j = ${cols[0]}; j < ${cols[1]}; j++)`);
      b.line("let s = 0;");
      b.line(`for (let k = 0; k < ${k}; k++) s += ${aAt("i", "k")} * ${bAt("k", "j")};`);
      store("i", "j", "s");
      b.close(2);
    };
    if (mFull < m) dot([String(mFull), String(m)], ["0", String(n)]);
    if (nFull < n && mFull > 0) dot(["0", String(mFull)], [String(nFull), String(n)]);
  };

  if (!batched) {
    body();
    return;
  }
  // Leading batch axes: per batch, each operand's offset (0 along axes it broadcasts over).
  const count = numel(d.batch);
  b.open(`for (let bi = 0; bi < ${count}; bi++)`);
  const idx = d.batch.map((size, i) => `(((bi / ${numel(d.batch.slice(i + 1))}) | 0) % ${size})`);
  const off = (strides: readonly number[]) =>
    strides
      .map((s, i) => (s === 0 ? "" : `${idx[i]} * ${s}`))
      .filter(Boolean)
      .join(" + ") || "0";
  b.line(`const aOff = ${off(d.batchStridesA)};`);
  b.line(`const bOff = ${off(d.batchStridesB)};`);
  b.line(`const cOff = bi * ${m * n};`);
  if (kernel.epilogue.length > 0) throw new Error("codegen: a batched matmul takes no epilogue");
  body();
  b.close();
}
