import { evaluate, grad, sum, type AnyTensor } from "@gradfold/graph";
import { describe, expect, it } from "vitest";
import { randomFeeds, randomGraph } from "../test/random-graph.ts";
import { layoutViolation, runSchedule } from "../test/run-schedule.ts";
import { optimize } from "./optimize.ts";
import { programRoots } from "./schedule.ts";

/** Both non-finite the same way, or close; returns false when the optimized value is off. */
function agrees(after: number, before: number, tol: number): boolean {
  if (!Number.isFinite(before)) return Object.is(after, before) || (Number.isNaN(before) && Number.isNaN(after)) || Number.isFinite(after);
  return Math.abs(after - before) <= tol * Math.max(1, Math.abs(before));
}

function compare(after: Float64Array[], before: Float64Array[], tol: number, what: string): void {
  for (const [i, b] of before.entries()) {
    for (const [j, v] of b.entries()) {
      if (!agrees(after[i][j], v, tol)) throw new Error(`${what}: output ${i}[${j}] is ${after[i][j]}, unoptimized ${v}`);
    }
  }
}

const sizes = { n: 3 };
const seeds = Array.from({ length: 60 }, (_, i) => 1000 + i);

describe("random graphs: optimized evaluates equal to unoptimized", () => {
  it.each(seeds)("seed %i: values, schedule run, and gradients", (seed) => {
    const { outputs, inputs } = randomGraph(seed, 12);
    const feeds = randomFeeds(seed, sizes.n);
    const before = evaluate(outputs, feeds, sizes);

    // Without sizes: rewrite phases only, shapes stay symbolic.
    const generic = optimize(outputs);
    compare(evaluate(generic.outputs as AnyTensor[], feeds, sizes), before, 1e-7, "optimize(graph)");

    // With sizes: specialized, fused and planned; run through the planned buffers.
    const specialized = optimize({ outputs: Object.fromEntries(outputs.map((t, i) => [`o${i}`, t])), updates: [] }, { sizes });
    const schedule = specialized.plan!;
    for (const group of schedule.groups) expect(layoutViolation(group), `group ${group.id}`).toBeNull();
    const ran = runSchedule(schedule, feeds);
    compare(
      outputs.map((_, i) => ran.outputs[`o${i}`]),
      before,
      1e-7,
      "schedule run",
    );

    // Gradients of the optimized graph match gradients of the unoptimized one.
    const loss = sum(outputs[0]) as AnyTensor;
    const gBefore = evaluate(grad(loss, inputs), feeds, sizes);
    const gAfter = evaluate(grad(optimize(loss).outputs, inputs), feeds, sizes);
    compare(gAfter, gBefore, 1e-6, "grad(optimize(loss))");
    const gOptimized = evaluate(optimize(grad(loss, inputs)).outputs as AnyTensor[], feeds, sizes);
    compare(gOptimized, gBefore, 1e-6, "optimize(grad(loss))");
  });

  it("bigger graphs (25 steps) fuse without error and run through their planned buffers", () => {
    // seed 5033 once merged an already-merged sibling group during fusion
    for (const seed of [5033, 5034, 5035, 5036]) {
      const { outputs } = randomGraph(seed, 25);
      const feeds = randomFeeds(seed, sizes.n);
      const before = evaluate(outputs, feeds, sizes);
      const { plan: schedule } = optimize({ outputs: Object.fromEntries(outputs.map((t, i) => [`o${i}`, t])), updates: [] }, { sizes });
      for (const group of schedule!.groups) expect(layoutViolation(group), `seed ${seed} group ${group.id}`).toBeNull();
      const ran = runSchedule(schedule!, feeds);
      compare(
        outputs.map((_, i) => ran.outputs[`o${i}`]),
        before,
        1e-7,
        `seed ${seed}`,
      );
    }
  });

  it("random update programs: params updated in place or copied give the reference new values", () => {
    let inPlace = 0;
    for (const seed of seeds.slice(0, 30)) {
      const { outputs, inputs: params } = randomGraph(seed, 12, { params: true });
      // Each param gets a new value from the random outputs; all are computed from the old state.
      const updates = params.map((p, i) => [p, outputs[i % outputs.length]] as const);
      const program = { outputs: { loss: sum(outputs[0]) as AnyTensor }, updates };
      const reference = evaluate(programRoots(program), {}, {});
      const { plan: schedule } = optimize(program, { sizes: {} });
      inPlace += schedule!.buffers.inPlaceUpdates?.length ?? 0;
      const ran = runSchedule(schedule!, {});
      compare([ran.outputs.loss], [reference[0]], 1e-7, `seed ${seed} loss`);
      for (const [i, p] of params.entries()) compare([ran.params.get(p)!], [reference[1 + i]], 1e-7, `seed ${seed} param ${i}`);
    }
    expect(inPlace).toBeGreaterThan(0);
  });

  it("optimize is idempotent: optimizing the optimized graph changes nothing", () => {
    for (const seed of seeds) {
      const { outputs } = randomGraph(seed, 12);
      const once = optimize(outputs).outputs as AnyTensor[];
      const twice = optimize(once);
      const same = (twice.outputs as AnyTensor[]).every((t, i) => t === once[i]);
      expect(
        same,
        `seed ${seed}: ${twice
          .explain()
          .firings.map((f) => f.rule)
          .join("; ")}`,
      ).toBe(true);
    }
  });

  it("with unsafe rewrites, finite values still agree", () => {
    for (const seed of seeds.slice(0, 20)) {
      const { outputs } = randomGraph(seed, 12);
      const feeds = randomFeeds(seed, sizes.n);
      const before = evaluate(outputs, feeds, sizes);
      const after = evaluate(optimize(outputs, { unsafe: true, sizes }).outputs as AnyTensor[], feeds, sizes);
      compare(after, before, 1e-6, `unsafe seed ${seed}`);
    }
  });
});
