import type { KernelContext, NodeOf } from "./context.ts";
import { offsetExpr, openLoops } from "./loops.ts";
import { reductionNest } from "./reduction-nest.ts";

/**
 * The log-sum-exp family. Each subtracts the row maximum before exponentiating (so
 * nothing overflows) and accumulates in float64 locals. A row whose maximum is not
 * finite (NaN, +Inf, or all −Inf) has logsumexp = that maximum, as the reference:
 * the sum of exp(x − m) would be NaN there and is not used.
 */

/** `const lse = ...;` from the row maximum `m` and the sum `s` of exp(x − m). */
const lseLine = "const lse = m - m === 0 ? m + Math.log(s) : m;";

/** Opens the kept loops and returns the inner-axis loop header and the element offset. */
function rows(ctx: KernelContext, shape: readonly number[], axes: readonly number[]) {
  const nest = reductionNest(shape, axes, [shape]);
  const outer = openLoops(ctx.b, nest.kept, "i");
  const inner = nest.reduced.map((_, i) => `r${i}`);
  const at = offsetExpr([...outer, ...inner], [...nest.kept, ...nest.reduced], 0);
  const overRow = (body: () => void) => {
    nest.reduced.forEach((d, i) => {
      ctx.b.open(`for (let r${i} = 0; r${i} < ${d.size}; r${i}++)`);
    });
    // A row of one element has no loop; a block still scopes its `at`.
    if (nest.reduced.length === 0) ctx.b.open("");
    ctx.b.line(`const at = ${at};`);
    body();
    ctx.b.close(Math.max(1, nest.reduced.length));
  };
  return { overRow, close: () => ctx.b.close(outer.length) };
}

function rowMax(ctx: KernelContext, x: string, overRow: (body: () => void) => void): void {
  ctx.b.line("let m = -Infinity;");
  overRow(() => ctx.b.line(`m = Math.max(m, ${x}[at]);`));
}

function emitNormalized(ctx: KernelContext, node: NodeOf<"softmax"> | NodeOf<"logSoftmax">, log: boolean): void {
  const [x] = node.inputs;
  const X = ctx.ref(x);
  const Y = ctx.ref(node);
  const b = ctx.b;
  const { overRow, close } = rows(ctx, ctx.shapes.of(x), [node.params.axis]);
  rowMax(ctx, X, overRow);
  b.line("let s = 0;");
  overRow(() => b.line(`s += Math.exp(${X}[at] - m);`));
  // Where m is not finite (NaN, +Inf, a row of −Inf) the reference's lse is m itself.
  if (log) {
    b.line(lseLine);
    overRow(() => b.line(`${Y}[at] = ${X}[at] - lse;`));
  } else {
    // exp(x − m) / s, or exp(x − m) itself when m is not finite (exp(x − lse) either way).
    b.line("const inv = m - m === 0 ? 1 / s : 1;");
    overRow(() => b.line(`${Y}[at] = Math.exp(${X}[at] - m) * inv;`));
  }
  close();
}

export const emitSoftmax = (ctx: KernelContext, node: NodeOf<"softmax">): void => emitNormalized(ctx, node, false);
export const emitLogSoftmax = (ctx: KernelContext, node: NodeOf<"logSoftmax">): void => emitNormalized(ctx, node, true);

/** logsumexp(row) − row[label] per row; NaN for a label outside [0, classes) (run() rejects such feeds first). */
export function emitSoftmaxCrossEntropy(ctx: KernelContext, node: NodeOf<"softmaxCrossEntropy">): void {
  const [logits, labels] = node.inputs;
  const shape = ctx.shapes.of(logits);
  const classes = shape[shape.length - 1];
  const rowsCount = ctx.shapes.count(labels);
  const X = ctx.ref(logits);
  const b = ctx.b;
  b.block(`for (let r = 0; r < ${rowsCount}; r++)`, () => {
    b.line(`const base = r * ${classes};`);
    b.line("let m = -Infinity;");
    b.line(`for (let c = 0; c < ${classes}; c++) m = Math.max(m, ${X}[base + c]);`);
    b.line("let s = 0;");
    b.line(`for (let c = 0; c < ${classes}; c++) s += Math.exp(${X}[base + c] - m);`);
    b.line(lseLine);
    b.line(`const label = ${ctx.ref(labels)}[r];`);
    b.line(`${ctx.ref(node)}[r] = label >= 0 && label < ${classes} ? lse - ${X}[base + label] : NaN;`);
  });
}
