import { grad, type AnyTensor } from "@gradfold/graph";
import { optimize } from "@gradfold/optimize";
import { compile } from "@gradfold/codegen";
import { standardConfigs } from "./configs.ts";
import { buildLoss, optimizerUpdates } from "./gradfold-step.ts";
import { makeProblem } from "./problem.ts";
import { buildResidualLoss, residual20, residualInit, type LossGraph } from "./residual-net.ts";
import { median } from "./stats.ts";
import { formatMs, markdownTable } from "./table.ts";

const adamHyper = { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8 };

export interface CompilePhases {
  readonly build: number;
  readonly grad: number;
  readonly updates: number;
  /** compile(): optimize + codegen (+ instantiating kernels). */
  readonly compile: number;
  /** optimize() alone, timed on a second fresh copy of the graph (so no memo is shared with compile's run). */
  readonly optimize: number;
  readonly total: number;
}

/**
 * Times one full compilation of a training step from scratch: build the loss
 * graph, differentiate, add Adam's updates, compile. Params are fresh nodes each
 * time (params are never interned), so nothing is reused from an earlier run.
 */
export async function timeCompilation(buildGraph: () => LossGraph, batch: number): Promise<CompilePhases> {
  const t0 = performance.now();
  const { inputs, loss, params } = buildGraph();
  const t1 = performance.now();
  const grads = grad(loss, params) as readonly AnyTensor[];
  const t2 = performance.now();
  const updates = optimizerUpdates(params, grads, "adam", adamHyper);
  const t3 = performance.now();
  compile({ inputs, outputs: { loss }, updates, sizes: { batch } });
  const t4 = performance.now();
  const copy = buildGraph();
  const copyUpdates = optimizerUpdates(copy.params, grad(copy.loss, copy.params) as readonly AnyTensor[], "adam", adamHyper);
  const t5 = performance.now();
  optimize({ outputs: { loss: copy.loss }, updates: copyUpdates }, { sizes: { batch } });
  const t6 = performance.now();
  return { build: t1 - t0, grad: t2 - t1, updates: t3 - t2, compile: t4 - t3, optimize: t6 - t5, total: t4 - t0 };
}

const lossGraphOf = ({ x, labels, loss, params }: ReturnType<typeof buildLoss>): LossGraph => ({ inputs: [x, labels], loss, params });

interface Subject {
  readonly label: string;
  readonly budgetMs: number;
  readonly build: () => LossGraph;
  readonly batch: number;
}

function subjects(): Subject[] {
  const problem = makeProblem(standardConfigs.find((c) => c.id === "mlp-b128-adam")!);
  const init = residualInit(residual20);
  return [
    { label: "MLP 784-256-128-10, Adam", budgetMs: 50, build: () => lossGraphOf(buildLoss(problem)), batch: 128 },
    {
      label: `residual net, ${residual20.depth} layers of ${residual20.width}, Adam`,
      budgetMs: 300,
      build: () => buildResidualLoss(residual20, init),
      batch: 128,
    },
  ];
}

/**
 * The compile-time section (issue 9's budgets: 50 ms and 300 ms): the first
 * compilation in the process (cold: V8 has not optimised gradfold's own code yet)
 * and the median of `repeats` more (warm), split by phase.
 */
export async function compileTimeReport(log: (line: string) => void, repeats = 5): Promise<string> {
  const rows: string[][] = [];
  const errors: string[] = [];
  for (const s of subjects()) {
    log(`compile time: ${s.label}`);
    try {
      const cold = await timeCompilation(s.build, s.batch);
      const warm: CompilePhases[] = [];
      for (let i = 0; i < repeats; i++) warm.push(await timeCompilation(s.build, s.batch));
      const med = (k: keyof CompilePhases) => median(warm.map((w) => w[k]));
      rows.push([
        s.label,
        formatMs(cold.total),
        formatMs(med("build")),
        formatMs(med("grad")),
        formatMs(med("updates")),
        formatMs(med("compile")),
        formatMs(med("optimize")),
        formatMs(Math.max(0, med("compile") - med("optimize"))),
        formatMs(med("total")),
        `${s.budgetMs} ms ${med("total") <= s.budgetMs ? "✓" : "✗"}`,
      ]);
    } catch (e) {
      errors.push(`${s.label}: ${e instanceof Error ? e.message.split("\n")[0] : String(e)}`);
      rows.push([s.label, "failed", "", "", "", "", "", "", "", `${s.budgetMs} ms`]);
    }
  }
  return [
    "### Compile time: build + grad + optimizer updates + compile() (optimize + codegen), ms",
    "",
    markdownTable(["training step", "first (cold)", "build", "grad", "updates", "compile()", "of which optimize", "≈ codegen", "total (warm median)", "budget"], rows),
    "",
    `Warm columns are medians of ${repeats} compilations after the first; the budget is checked against the warm ` +
      `total (build + grad + updates + compile()). optimize() is timed alone on a fresh copy of the graph; codegen ` +
      `is compile() minus that.`,
    ...(errors.length > 0 ? ["", ...errors.map((e) => `- ${e}`)] : []),
  ].join("\n");
}
