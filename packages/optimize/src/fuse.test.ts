import { add, conv2d, evaluate, maxPool2d, grad, input, mul, param, relu, sum, sigmoid, tanh, where, greater, exp, type AnyTensor } from "@gradfold/graph";
import { describe, expect, it } from "vitest";
import { mlpTrainingStep } from "../test/mlp.ts";
import { layoutViolation, runSchedule } from "../test/run-schedule.ts";
import { expectSameValues } from "../test/helpers.ts";
import { optimize } from "./optimize.ts";
import type { Program } from "./program.ts";
import { programRoots } from "./schedule.ts";

const kinds = (p: Program, sizes: Record<string, number>) => optimize(p, { sizes }).plan!.groups.map((g) => `${g.kind}:${g.nodes.map((n) => n.op).join(",")}`);

describe("fusion", () => {
  it("an elementwise chain with a broadcast operand is one group", () => {
    const x = input("x", [4, 3]);
    const b = input("b", [3]);
    const out = tanh(mul(add(x, b), exp(x)));
    expect(kinds({ outputs: { out }, updates: [] }, {})).toEqual(["elementwise:add,exp,mul,tanh"]);
  });

  it("a reduction absorbs its single-use elementwise prologue and an epilogue", () => {
    const x = input("x", [4, 3]);
    const out = sigmoid(sum(mul(exp(x), x), [1]));
    expect(kinds({ outputs: { out }, updates: [] }, {})).toEqual(["reduction:exp,mul,sum,sigmoid"]);
  });

  it("a prologue value needed elsewhere stays its own group output", () => {
    const x = input("x", [4, 3]);
    const e = exp(x);
    const out = { s: sum(e, [1]), e };
    const groups = optimize({ outputs: out, updates: [] }, { sizes: {} }).plan!.groups;
    expect(groups.map((g) => g.kind)).toEqual(["elementwise", "reduction"]);
  });

  it("matmul absorbs bias add and activation; the backward relu′·upstream fuses into the next matmul", () => {
    const x = input("x", ["batch", 5]);
    const W = param("W", [5, 4], { init: 0.1 });
    const b = param("b", [4], { init: 0.2 });
    const h = relu(add(x.matmul(W), b));
    expect(kinds({ outputs: { h }, updates: [] }, { batch: 2 })).toEqual(["matmul:matmul,add,relu"]);
    const [gW] = grad(sum(mul(h, h)), [W]);
    // Forward matmul with its epilogue, relu′ (where/greater) times the upstream gradient, then xᵀ·that.
    expect(kinds({ outputs: { gW }, updates: [] }, { batch: 2 })).toEqual(["matmul:matmul,add,relu,mul,greater,where", "matmul:matmul"]);
  });

  it("relu's mask is computed by the backward matmul that reads it, so a forward layer has one output", () => {
    const { program } = mlpTrainingStep([6, 5, 4, 3]);
    const { plan } = optimize(program, { sizes: { batch: 2 } });
    const ops = (g: { nodes: readonly AnyTensor[] }) => g.nodes.map((n) => n.op).join(",");
    const forward = plan!.groups.filter((g) => ops(g) === "matmul,add,relu");
    expect(forward).toHaveLength(2);
    for (const g of forward) expect(g.outputs).toEqual([g.nodes[2]]);
    // dX = dz·Wᵀ masked by relu(z) > 0: the mask is not a buffer of its own.
    const masked = plan!.groups.filter((g) => g.nodes.some((n) => n.op === "greater"));
    expect(masked.map(ops)).toEqual(["matmul,greater,where", "matmul,greater,where"]);
    for (const g of masked) expect(g.outputs.some((o) => o.op === "greater")).toBe(false);
  });

  it("a mask read by something other than where stays with its operand's group", () => {
    const x = input("x", ["batch", 4]);
    const W = param("W", [4, 4], { init: 0.1 });
    const h = relu(x.matmul(W));
    const m = greater(h, 0);
    const plain = mul(where(m, x, 0), 2);
    expect(kinds({ outputs: { plain, m }, updates: [] }, { batch: 2 })).toEqual(["matmul:matmul,relu,greater,where,mul"]);
  });

  it("the SGD update arithmetic fuses, per param, into the group that computes its gradient", () => {
    const { program } = mlpTrainingStep([6, 5, 3]);
    const { plan } = optimize(program, { sizes: { batch: 2 } });
    const optimized = plan!.program;
    const producers = optimized.updates.map(([target, value]) => {
      const owners = plan!.groups.filter((g) => g.outputs.includes(value));
      expect(owners, `groups that compute ${target}'s new value`).toHaveLength(1);
      return owners[0];
    });
    // W ← W − lr·g: the gradient's matmul (weights) or batch sum (biases), then mul by lr and add to W.
    expect(producers.map((g) => `${g.kind}:${g.nodes.map((n) => n.op).join(",")}`)).toEqual([
      "matmul:matmul,mul,add",
      "reduction:sum,mul,add",
      "matmul:matmul,mul,add",
      "reduction:sum,mul,add",
    ]);
    expect(new Set(producers).size).toBe(optimized.updates.length);
  });

  it("conv2d absorbs its bias add and activation, and a residual add after them", () => {
    const x = input("x", ["batch", 6, 5, 2]);
    const w = param("w", [3, 3, 2, 2], { init: 0.1 });
    const b = param("b", [2], { init: 0.2 });
    const h = relu(add(conv2d(x, w, { padding: "same" }), b));
    expect(kinds({ outputs: { h }, updates: [] }, { batch: 2 })).toEqual(["conv:conv2d,add,relu"]);
    // h + x is the residual; its relu and tanh join the same epilogue (all [batch, 6, 5, 2]).
    const r = tanh(add(h, x));
    const groups = optimize({ outputs: { r }, updates: [] }, { sizes: { batch: 2 } }).plan!.groups;
    expect(groups.map((g) => `${g.kind}:${g.nodes.map((n) => n.op).join(",")}`)).toEqual(["conv:conv2d,add,relu,add,tanh"]);
    for (const g of groups) expect(layoutViolation(g)).toBeNull();
  });

  it("a conv's pooled output and its gradients: the forward conv fuses its epilogue, pooling and the conv gradients stay single", () => {
    const x = input("x", ["batch", 6, 6, 1]);
    const w = param("w", [3, 3, 1, 4], { init: 0.1 });
    const b = param("b", [4], { init: 0.2 });
    const h = maxPool2d(relu(add(conv2d(x, w, { padding: "same" }), b)), 2);
    const [gw, gb] = grad(sum(mul(h, h)), [w, b]);
    const { plan } = optimize({ outputs: { gw, gb }, updates: [] }, { sizes: { batch: 2 } });
    const convs = plan!.groups.filter((g) => g.kind === "conv");
    expect(convs.map((g) => g.nodes.map((n) => n.op).join(","))).toEqual(["conv2d,add,relu"]);
    // Only relu's value leaves the forward kernel: pooling and relu's mask read it.
    expect(convs[0].outputs).toEqual([convs[0].nodes[2]]);
    // The mask cannot join pooling's gradient (opaque): it starts a loop with its where, never stored.
    const masked = plan!.groups.filter((g) => g.nodes.some((n) => n.op === "greater"));
    expect(masked.map((g) => `${g.kind}:${g.nodes.map((n) => n.op).join(",")}`)).toEqual(["elementwise:greater,where"]);
    expect(masked[0].outputs.map((o) => o.op)).toEqual(["where"]);
    for (const g of plan!.groups) {
      expect(layoutViolation(g), `group ${g.id}`).toBeNull();
      if (g.nodes.some((n) => n.op === "conv2dFilterGrad" || n.op === "maxPool2d")) expect(g.kind).toBe("opaque");
    }
    const xs = Float32Array.from({ length: 72 }, (_, i) => Math.sin(i));
    const run = runSchedule(plan!, { x: xs });
    expectSameValues(run.outputs.gw, evaluate(gw, { x: xs }, { batch: 2 }));
    expectSameValues(run.outputs.gb, evaluate(gb, { x: xs }, { batch: 2 }));
  });

  it("every group of the MLP step respects the documented layout, in topological order", () => {
    const { program } = mlpTrainingStep();
    const { plan: schedule } = optimize(program, { sizes: { batch: 128 } });
    const seen = new Set<AnyTensor>();
    for (const g of schedule!.groups) {
      expect(layoutViolation(g), `group ${g.id} (${g.kind})`).toBeNull();
      for (const i of g.inputs) if (i.inputs.length > 0) expect(seen.has(i), `group ${g.id} reads ${i} before it is computed`).toBe(true);
      for (const o of g.outputs) seen.add(o);
    }
    for (const r of programRoots(schedule!.program)) if (r.inputs.length > 0) expect(seen.has(r)).toBe(true);
  });
});

describe("memory plan", () => {
  it("running the MLP step through its planned buffers gives the reference loss and updated params", () => {
    const { program } = mlpTrainingStep([12, 8, 6, 4]);
    const sizes = { batch: 3 };
    const { plan: schedule } = optimize(program, { sizes });
    const feeds = { x: Array.from({ length: 36 }, (_, i) => Math.sin(i)), y: [0, 3, 1] };
    const ran = runSchedule(schedule!, feeds);
    const reference = evaluate(programRoots(program), feeds, sizes);
    expectSameValues(ran.outputs.loss, reference[0], 1e-9);
    for (const [i, [target]] of program.updates.entries()) expectSameValues(ran.params.get(target)!, reference[1 + i], 1e-9);
    expect(schedule!.buffers.peakBytes).toBeLessThan(schedule!.buffers.naiveBytes);
  });

  it("writes an SGD update in place when nothing reads the old param afterwards, and not when something does", () => {
    const x = input("x", [4]);
    const w = param("w", [4], { init: [1, 2, 3, 4] });
    const newW = add(w, mul(x, 0.5));
    const inPlace = optimize({ outputs: {}, updates: [[w, newW]] }, { sizes: {} }).plan!;
    expect(inPlace.buffers.inPlaceUpdates).toHaveLength(1);
    expect(inPlace.buffers.bufferOf.get(inPlace.program.updates[0][1])).toBe(inPlace.buffers.bufferOf.get(w));
    // The old w is read again after newW is computed (by the loss's reduction): no in-place write.
    const loss = sum(mul(w, newW));
    const later = optimize({ outputs: { loss }, updates: [[w, newW]] }, { sizes: {} }).plan!;
    const ran = runSchedule(later, { x: [1, 1, 1, 1] });
    const expected = [1, 2, 3, 4].map((v) => v + 0.5);
    expectSameValues(ran.params.get(w)!, expected);
    expectSameValues(ran.outputs.loss, [[1, 2, 3, 4].reduce((s, v, i) => s + v * expected[i], 0)]);
  });

  it("reuses dead intermediates' buffers in a long chain of reductions", () => {
    const x = input("x", [64, 64]);
    let h: AnyTensor = x;
    for (let i = 0; i < 6; i++) h = add(h, where(greater(sum(h, [1], true), 0), 1, -1));
    const { plan: schedule } = optimize({ outputs: { h }, updates: [] }, { sizes: {} });
    const { peakBytes, arenaBytes, naiveBytes } = schedule!.buffers;
    expect(peakBytes).toBeLessThan(naiveBytes);
    expect(peakBytes).toBeLessThanOrEqual(arenaBytes!);
    expect(peakBytes).toBeGreaterThanOrEqual(2 * 64 * 64 * 4); // the input and the output are live throughout
    const feeds = { x: Array.from({ length: 4096 }, (_, i) => Math.cos(i)) };
    expectSameValues(runSchedule(schedule!, feeds).outputs.h, evaluate(h, feeds));
  });
});
