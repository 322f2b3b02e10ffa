import { evaluate } from "@gradfold/graph";
import { leavesOf, opKinds } from "@gradfold/graph/internal";
import { describe, expect, it } from "vitest";
import { compile } from "./compile.ts";
import { expectClose } from "./testing/compare.ts";
import { opCases as cases, type Case } from "./testing/op-cases.ts";

function check(c: Case, optimize: boolean, backend: "js" | "auto", what: string) {
  const inputs = leavesOf([c.out]).inputs;
  const step = compile({ inputs, outputs: { out: c.out }, sizes: c.sizes ?? {} }, { optimize, backend });
  const expected = evaluate(c.out, c.feeds, c.sizes ?? {});
  const feeds = Object.fromEntries(inputs.map((x) => [(x.params as { name: string }).name, c.feeds[(x.params as { name: string }).name]]));
  expectClose(step.run(feeds).out, expected, what);
}

describe("every op kind, compiled, against the reference interpreter", () => {
  it("has a case for every op in the registry", () => {
    expect(Object.keys(cases).sort()).toEqual([...opKinds].sort());
  });
  for (const kind of opKinds) {
    it(`${kind}`, () => {
      for (const [seed, optimize, backend] of [
        [1, false, "js"],
        [2, true, "auto"],
      ] as const) {
        check(cases[kind](seed), optimize, backend, `${kind} (optimize ${optimize}, ${backend})`);
      }
    });
  }
});
