import { evaluate, input, matmul, param, reshape, sum, type AnyTensor } from "@gradfold/graph";
import { describe, expect, it } from "vitest";
import { expectSameValues } from "../test/helpers.ts";
import { runSchedule } from "../test/run-schedule.ts";
import { optimize } from "./optimize.ts";
import { ARENA_ALIGN } from "./plan-memory.ts";
import type { ExecutionPlan } from "./program.ts";

/** [start, end) of every buffer a value is planned in. */
const extents = (plan: ExecutionPlan) => plan.buffers.bufferBytes.map((bytes, id) => [plan.buffers.offsets[id], plan.buffers.offsets[id] + bytes] as const);

describe("the arena layout", () => {
  it("puts params and constants first (the initial image), then inputs, aligned and disjoint, then the scratch", () => {
    const x = input("x", [5, 7]);
    const w = param("w", [7, 3], { init: 0.5 });
    const b = param("b", [3], { init: 0.1 });
    const h = matmul(x, w).add(b).relu();
    const plan = optimize({ outputs: { h }, updates: [[w, w.mul(0.9)]] }, { sizes: {} }).plan!;
    const { buffers } = plan;
    const spans = extents(plan);
    for (const [start] of spans) expect(start % ARENA_ALIGN).toBe(0);
    const sorted = [...spans].sort((p, q) => p[0] - q[0]);
    sorted.slice(1).forEach(([start], i) => {
      expect(start).toBeGreaterThanOrEqual(sorted[i][1]);
    });
    const at = (t: AnyTensor) => buffers.offsets[buffers.bufferOf.get(t)!];
    expect(Math.max(at(w), at(b))).toBeLessThan(buffers.staticBytes);
    expect(at(x)).toBeGreaterThanOrEqual(buffers.staticBytes);
    expect(buffers.scratch.offset).toBeGreaterThanOrEqual(Math.max(...spans.map(([, end]) => end)));
    // The matmul has an epilogue: the scratch holds its 5×3 product (aligned) and a panel of B.
    expect(buffers.scratch.bytes).toBeGreaterThanOrEqual(ARENA_ALIGN + 7 * 64);
    expect(buffers.arenaBytes % 65536).toBe(0);
    expect(buffers.arenaBytes).toBeGreaterThanOrEqual(buffers.scratch.offset + buffers.scratch.bytes);
    expect(buffers.arenaBytes).toBeLessThan(buffers.scratch.offset + buffers.scratch.bytes + 65536);
  });

  it("a reshape is a view: no kernel, its operand's buffer, kept alive while the view is read", () => {
    const x = input("x", [4, 6]);
    const e = x.exp();
    const r = reshape(e, [6, 4]);
    const out = sum(r.mul(2), [1]);
    const plan = optimize({ outputs: { out }, updates: [] }, { sizes: {} }).plan!;
    expect(plan.groups.flatMap((g) => g.nodes).some((n) => n.op === "reshape")).toBe(false);
    const view = plan.groups.flatMap((g) => g.inputs).find((t) => t.op === "reshape")!;
    expect(plan.buffers.bufferOf.get(view)).toBe(plan.buffers.bufferOf.get(view.inputs[0]));
    const feeds = { x: Array.from({ length: 24 }, (_, i) => Math.sin(i)) };
    expectSameValues(runSchedule(plan, feeds).outputs.out, evaluate(out, feeds));
  });

  it("an output that is a leaf, or a view of one, is copied: it must not change when updates land", () => {
    const w = param("w", [2, 3], { init: [1, 2, 3, 4, 5, 6] });
    const plan = optimize({ outputs: { w, flat: reshape(w, [6]) }, updates: [[w, w.add(1)]] }, { sizes: {} }).plan!;
    const outs = Object.values(plan.program.outputs);
    expect(outs.map((t) => t.op)).toEqual(["stopGradient", "stopGradient"]);
    for (const o of outs) expect(plan.buffers.bufferOf.get(o)).not.toBe(plan.buffers.bufferOf.get(w));
    const ran = runSchedule(plan, {});
    expectSameValues(ran.outputs.w, [1, 2, 3, 4, 5, 6]);
    expectSameValues(ran.params.get(w)!, [2, 3, 4, 5, 6, 7]);
  });

  it("a node reading a value through a view never shares that value's group (it is read whole, after)", () => {
    const x = input("x", [4, 4]);
    const a = x.exp();
    const t = reshape(a.transpose(), [4, 4]);
    const out = a.mul(2).add(t);
    const plan = optimize({ outputs: { out }, updates: [] }, { sizes: {} }).plan!;
    for (const g of plan.groups) {
      const members = new Set(g.nodes);
      for (const i of g.inputs) if (i.op === "reshape") expect(members.has(i.inputs[0]), `group ${g.id}`).toBe(false);
    }
    const feeds = { x: Array.from({ length: 16 }, (_, i) => Math.cos(i)) };
    expectSameValues(runSchedule(plan, feeds).outputs.out, evaluate(out, feeds));
  });
});
