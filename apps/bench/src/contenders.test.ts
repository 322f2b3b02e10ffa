import { describe, expect, it } from "vitest";
import { tinyConfig } from "./configs.ts";
import { runStep, type Contender } from "./contender.ts";
import { gradfoldThreadedContender } from "./contenders/gradfold-threaded.ts";
import { gradfoldContender } from "./contenders/gradfold.ts";
import { jaxContender } from "./contenders/jax.ts";
import { referenceContender } from "./contenders/reference.ts";
import { tfjsWasmDir } from "./contenders/index.ts";
import { tfjsContender } from "./contenders/tfjs.ts";
import { makeProblem, type Problem } from "./problem.ts";

const STEPS = 4;

async function lossesOf(contender: Contender, problem: Problem): Promise<number[]> {
  const trainer = await contender.prepare(problem);
  const losses: number[] = [];
  for (let i = 0; i < STEPS; i++) losses.push(await runStep(trainer));
  await trainer.dispose();
  return losses;
}

/**
 * Every contender trains the tiny MLP from the same init and data; its losses over
 * the first steps (which depend on the updates of the steps before) must match the
 * float64 reference interpreter running gradfold's step graph.
 */
describe.each(["sgd", "adam"] as const)("contenders on the tiny %s config", (optimizer) => {
  const problem = makeProblem(tinyConfig(optimizer), 7);
  let reference: number[];

  it("the reference loss starts near log(classes) and goes down", async () => {
    reference = await lossesOf(referenceContender, problem);
    expect(reference[0]).toBeGreaterThan(0.2);
    expect(reference[0]).toBeLessThan(5);
    expect(reference[STEPS - 1]).toBeLessThan(reference[0]);
  });

  it.each([
    ["gradfold (compile, js backend)", gradfoldContender("js")],
    ["gradfold (compile, auto backend)", gradfoldContender()],
    ["gradfold (compileThreaded, 2 threads)", gradfoldThreadedContender(2)],
    ["jax-js", jaxContender],
    ["tfjs-wasm", tfjsContender("wasm", tfjsWasmDir())],
    ["tfjs-cpu", tfjsContender("cpu", tfjsWasmDir())],
  ])("%s matches the float64 reference", async (_, contender) => {
    const losses = await lossesOf(contender, problem);
    for (let i = 0; i < STEPS; i++) expect(losses[i]).toBeCloseTo(reference[i], 4);
  });
});
