import { describe, expect, it } from "vitest";
import { grad } from "./grad.ts";
import { input, param } from "./ops/leaves.ts";
import { callSiteOf, withoutSites } from "./sites.ts";
import { substitute } from "./traverse.ts";

describe("call sites of nodes", () => {
  it("names the user's line that built a node", () => {
    const x = input("sites-x", [3]);
    // The node and the line number in one expression, so they stay on one line whatever the formatter does.
    const [y, line] = [x.mul(2).log(), Number(new Error().stack!.split("\n")[1].match(/:(\d+):\d+\)?$/)![1])] as const;
    expect(callSiteOf(y)).toMatch(new RegExp(`sites\\.test\\.ts:${line}:`));
    expect(callSiteOf(y.inputs[0])).toMatch(new RegExp(`sites\\.test\\.ts:${line}:`));
  });
  it("has none for nodes gradfold builds: gradients, and anything inside withoutSites", () => {
    const w = param("sites-w", [3], { init: 1 });
    const [g] = grad(w.exp().sum(), [w]);
    expect(callSiteOf(g)).toBeUndefined();
    expect(callSiteOf(withoutSites(() => w.mul(3)))).toBeUndefined();
  });

  it("a node rebuilt on new operands keeps the original's site, not the line that rebuilt it", () => {
    const a = input("sites-a", [2]);
    const b = a.exp().neg();
    const [rebuilt] = substitute([b], new Map([[a, input("sites-a2", [2])]]));
    expect(rebuilt).not.toBe(b);
    expect(callSiteOf(rebuilt)).toBe(callSiteOf(b));
    expect(callSiteOf(rebuilt.inputs[0])).toBe(callSiteOf(b.inputs[0]));
  });
});
