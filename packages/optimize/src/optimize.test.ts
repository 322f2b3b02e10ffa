import { add, evaluate, format, exp, grad, input, log, mean, mul, neg, oneHot, param, softmax, sub, sum, type AnyTensor } from "@gradfold/graph";
import { describe, expect, it } from "vitest";
import { hasNonFinite, opsOf } from "../test/helpers.ts";
import { optimize } from "./optimize.ts";
import { pipeline } from "./pipeline.ts";

describe("optimize()", () => {
  const x = input("x", [2, 3]);
  const y = input("y", [2, 3]);

  it("accepts a Tensor, a Tensor[] or a Program and returns outputs in the same form", () => {
    const a = mul(add(x, 0), 1);
    const b = neg(neg(y));
    const single = optimize(a).outputs;
    expect(single).toBe(x);
    const list = optimize([a, b]).outputs;
    expect(list).toEqual([x, y]);
    const w = param("w", [2, 3], { init: 1 });
    const prog = optimize({ outputs: { a, b }, updates: [[w, add(w, mul(x, 1))]] });
    expect(prog.outputs).toEqual({ a: x, b: y });
    expect(prog.program.updates[0][0]).toBe(w);
    expect(opsOf(prog.program.updates[0][1])).not.toContain("mul");
  });

  it("merges a·b with b·a, and gives the same graph whichever operand order it was written in", () => {
    const one = optimize(add(mul(x, y), exp(mul(y, x)))).outputs;
    expect(one.inputs[1].inputs[0]).toBe(one.inputs[0]);
    const [p, q] = [optimize(add(exp(x), log(y))).outputs, optimize(add(log(y), exp(x))).outputs];
    expect(p).toBe(q);
  });

  it("says what it expected when given something else", () => {
    expect(() => optimize(3 as never)).toThrow(/expected a Tensor, a Tensor\[\] or a Program.*got number 3/);
    expect(() => optimize([x, "y"] as never)).toThrow(/element 1 is string y/);
    expect(() => optimize({ outputs: { a: 1 } } as never)).toThrow(/output "a" is number 1/);
    expect(() => optimize({ outputs: {}, updates: [[x, x]] })).toThrow(/targets input#\d+.*must be a param/);
    const w = param("w3", [2, 3], { init: 0 });
    expect(() => optimize({ outputs: {}, updates: [[w, sum(x)]] })).toThrow(/param "w3" \(float32\[2, 3\]\) got a new value of float32\[\]/);
    // updates may be left out
    expect(optimize({ outputs: { a: neg(neg(x)) } } as never).outputs).toEqual({ a: x });
  });

  it("phases can be switched off, and dump sees each phase before and after", () => {
    const g = log(add(exp(x), 0));
    expect(opsOf(optimize(g, { phases: { simplify: false } }).outputs)).toContain("add");
    expect(opsOf(optimize(g).outputs)).not.toContain("add");
    const seen: string[] = [];
    optimize(g, {
      dump: (phase, before, after) => {
        seen.push(phase);
        expect(before).toContain("return");
        expect(after).toContain("return");
      },
    });
    expect(seen).toEqual(pipeline.filter((p) => p !== "specialize"));
    const unfused = optimize({ outputs: { g }, updates: [] }, { sizes: {}, phases: { fuse: false, plan: false } }).plan!;
    expect(unfused.groups.every((gr) => gr.nodes.length === 1)).toBe(true);
    expect(unfused.buffers.peakBytes).toBe(unfused.buffers.naiveBytes);
  });

  it("explain() lists each firing with before/after snippets, node counts and kernel/byte numbers", () => {
    const g = sum(mul(neg(neg(x)), 1));
    const r = optimize({ outputs: { g }, updates: [] }, { sizes: {} });
    const e = r.explain();
    expect(e.firings.map((f) => f.rule)).toEqual(expect.arrayContaining(["-(-x) -> x", "x*1 -> x"]));
    const f = e.firings.find((f) => f.rule === "-(-x) -> x")!;
    expect(f.before).toBe('neg(neg(input "x"))');
    expect(f.after).toBe('input "x"');
    expect(f.beforeGraph).toBe(format(neg(neg(x))));
    expect(f.afterGraph).toBe(format(x));
    expect(e.nodesBefore).toBe(6); // x, neg, neg, 1, mul, sum
    expect(e.nodesAfter).toBe(2);
    expect(e.kernelsUnfused).toBe(4);
    expect(e.kernelsFused).toBe(1);
    expect(e.text).toMatch(/nodes: 6 -> 2/);
    expect(e.text).toMatch(/kernels: 4 unfused -> 1 fused/);
    expect(e.ruleCounts["x*1 -> x"]).toBe(1);
    expect(e.kernels).toEqual(["#0 reduction: sum (1 in, 1 out)"]);
  });

  it("the README example: a naive softmax cross-entropy step becomes the fused op, finite at large logits", () => {
    const xi = input("x", ["batch", 4]);
    const yi = input("y", ["batch"], "int32");
    const W = param("W", [4, 3], { init: [100, -100, 0, 300, 0, -300, 0, 0, 0, 1, 2, 3] });
    const logits = xi.matmul(W);
    const loss = neg(mean(sum(mul(oneHot(yi, 3), log(softmax(logits, -1))), [1])));
    const [gW] = grad(loss, [W]);
    const program = { outputs: { loss }, updates: [[W, sub(W, mul(gW, 0.1))] as const] };
    const result = optimize(program, { sizes: { batch: 2 } });
    expect(opsOf(result.program.outputs.loss as AnyTensor)).toContain("softmaxCrossEntropy");
    const f = { x: [10, 0, -10, 1, -10, 5, 10, 0], y: [1, 0] };
    expect(hasNonFinite(evaluate([loss, gW], f, { batch: 2 }).flatMap((a) => Array.from(a)))).toBe(true);
    const [l, w] = evaluate([result.program.outputs.loss as AnyTensor, result.program.updates[0][1]], f, { batch: 2 });
    expect(hasNonFinite([...l, ...w])).toBe(false);
    expect(result.explain().text).toContain("softmaxCrossEntropy");
  });
});
