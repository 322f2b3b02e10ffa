// Deliberately imports an op module before the registry: the registry's table must
// not depend on which module of the package is loaded first (an import cycle through
// tensor.ts once left leaf ops undefined in it).
import { input } from "./ops/leaves.ts";
import { expect, test } from "vitest";
import { evaluate } from "./evaluate.ts";
import { opKinds, registry } from "./registry.ts";

test("every registry entry is defined and names its own kind, whatever module loads first", () => {
  for (const kind of opKinds) expect(registry[kind], kind).toMatchObject({ kind });
  expect(Array.from(evaluate(input("x", [2]).mul(2), { x: [1, 2] }))).toEqual([2, 4]);
});

test("ops marked nondifferentiable pass no cotangent to any operand", () => {
  const marked = opKinds.filter((k) => registry[k].traits.includes("nondifferentiable"));
  expect(marked).toEqual(expect.arrayContaining(["equal", "greater", "greaterEqual", "less", "lessEqual", "notEqual", "oneHot", "sign", "stopGradient"]));
  const x = input("x", [2]);
  for (const kind of marked) {
    const def = registry[kind];
    const inputs = Array.from({ length: def.arity }, () => x);
    const cotangents = def.vjp!({ inputs, out: x, grad: x, params: { depth: 2 } as never });
    expect(
      cotangents.every((c) => c === null),
      kind,
    ).toBe(true);
  }
});

test("every op declares its arity and either reference semantics or is a leaf", () => {
  for (const kind of opKinds) {
    const def = registry[kind];
    expect(Number.isInteger(def.arity), kind).toBe(true);
    const leaf = def.traits.includes("leaf");
    expect(leaf || def.scalar !== undefined || def.evaluate !== undefined, kind).toBe(true);
    expect(leaf || def.vjp !== undefined, `${kind} has a vjp`).toBe(true);
  }
});
