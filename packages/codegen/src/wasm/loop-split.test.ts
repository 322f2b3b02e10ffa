import { describe, expect, it } from "vitest";
import { FunctionBuilder } from "./function-builder.ts";
import { MIN_SPLIT_ELEMENTS, splitUnits, type UnitLoop } from "./loop-split.ts";

/** A loop whose build records the unit counts asked for. */
function loop(units: number, elements = MIN_SPLIT_ELEMENTS): UnitLoop & { built: number[] } {
  const built: number[] = [];
  return {
    name: "e1",
    units,
    unitBytes: [16, 0, 512],
    floats: 1,
    elements,
    built,
    build(n) {
      built.push(n);
      return new FunctionBuilder(["i32", "i32", "i32", "f32"]);
    },
  };
}

describe("splitUnits", () => {
  it("cuts whole units into two chunks per thread, the larger last, each pointer shifted by its unit bytes", () => {
    const l = loop(11);
    const split = splitUnits(l, 2)!;
    // 11 units in 4 chunks: 2, 3, 3, 3; equal chunks share one function, and the whole loop has its own.
    expect(l.built).toEqual([11, 2, 3]);
    expect(split.whole).toBe(0);
    expect(split.chunks.map((c) => c.fn)).toEqual([1, 2, 2, 2]);
    expect(split.chunks.map((c) => c.shifts)).toEqual([
      [0, 0, 0],
      [32, 0, 1024],
      [80, 0, 2560],
      [128, 0, 4096],
    ]);
    expect([split.pointers, split.floats]).toEqual([3, 1]);
  });

  it("does not split a loop under the size threshold, on one thread, or of one unit", () => {
    expect(splitUnits(loop(64, MIN_SPLIT_ELEMENTS - 1), 2)).toBeNull();
    expect(splitUnits(loop(64), 1)).toBeNull();
    expect(splitUnits(loop(1), 2)).toBeNull();
    // Fewer units than chunks: one unit per chunk.
    expect(splitUnits(loop(3), 2)!.chunks).toHaveLength(3);
  });
});
