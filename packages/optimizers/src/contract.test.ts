import { describe, expect, it } from "vitest";
import { evaluate, input, param, type Tensor } from "@gradfold/graph";
// The public contract of DESIGN.md, imported by the package's public name.
import { adagrad, adam, adamw, chain, momentum, nesterov, rmsprop, sgd } from "@gradfold/optimizers";

describe("the DESIGN.md contract through the public entry point", () => {
  it("adam(...).updates(loss, params) returns [target, newValue] pairs for params and state slots, which the interpreter can step", () => {
    const x = input("x", ["batch", 3]);
    const W = param("W1", [3, 1], { init: [0.5, -0.5, 0.25] });
    const loss = x.matmul(W).square().mean() as Tensor;
    const updates = adam({ lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8 }).updates(loss, [W]);
    const names = updates.map(([t]) => (t.is("param") ? t.params.name : ""));
    expect(names).toEqual(["W1", "adam/W1/m", "adam/W1/v", "adam/step"]);

    const feeds: Record<string, ArrayLike<number>> = { x: [1, 2, 3, -1, 0, 1] };
    const values = evaluate(
      updates.map(([, v]) => v),
      feeds,
      { batch: 2 },
    );
    // First Adam step: m̂/√v̂ = sign(g) exactly up to ε, so each weight moves by lr against its gradient.
    const g = evaluate(loss, feeds, { batch: 2 });
    expect(g[0]).toBeGreaterThan(0);
    const moved = Array.from(values[0], (v, i) => v - [0.5, -0.5, 0.25][i]);
    for (const d of moved) expect(Math.abs(Math.abs(d) - 1e-3)).toBeLessThan(1e-9);
    expect(values[3][0]).toBe(1);
  });

  it("each named optimizer's default state prefix is its own name", () => {
    const named = { sgd, momentum, nesterov, adagrad, rmsprop, adam, adamw };
    for (const [name, make] of Object.entries(named)) expect(make().name).toBe(name);
    expect(chain().label).toBe("chain()");
  });
});
