import { afterEach, describe, expect, it, vi } from "vitest";
import { adaptiveChoice } from "./adaptive-choice.ts";

/** Two fake kernels that advance a fake clock by their current cost, and log which ran. */
function fakes(cost: { split: number; single: number }) {
  let clock = 0;
  vi.spyOn(performance, "now").mockImplementation(() => clock);
  const log: string[] = [];
  const split = (..._args: number[]) => {
    clock += cost.split;
    log.push("split");
  };
  const single = (..._args: number[]) => {
    clock += cost.single;
    log.push("single");
  };
  return { split, single, log };
}

const alternating = (n: number) => Array.from({ length: n }, (_, i) => (i % 2 === 0 ? "split" : "single"));

describe("adaptiveChoice", () => {
  afterEach(() => vi.restoreAllMocks());

  it("ignores warm-up calls, measures both, and uses the faster until the next round", () => {
    // The split is slow only in its first (warm-up) call, as a Liftoff-tier kernel is.
    const cost = { split: 100, single: 3 };
    const { split, single, log } = fakes(cost);
    const choose = adaptiveChoice(split, single, { warmup: 2, trials: 3, firstPeriod: 10, maxPeriod: 20, singlePeriod: 5 });
    choose(0, 0, 0);
    cost.split = 1;
    for (let i = 1; i < 4 + 6 + 10; i++) choose(0, 0, 0);
    // 4 warm-up and 6 measured calls alternate, starting with the split; then the split only.
    expect(log.slice(0, 10)).toEqual(alternating(10));
    expect(log.slice(10)).toEqual(Array(10).fill("split"));
    expect(choose.usingSplit()).toBe(true);

    // The second core gets busy: the next round (no warm-up) measures again and switches,
    // and measures again after the short caller-only period.
    cost.split = 5;
    log.length = 0;
    for (let i = 0; i < 6 + 5; i++) choose(0, 0, 0);
    expect(log).toEqual([...alternating(6), ...Array(5).fill("single")]);
    expect(choose.usingSplit()).toBe(false);

    // Free again: back to the split, now for a doubled period (20 calls).
    cost.split = 1;
    log.length = 0;
    for (let i = 0; i < 6 + 20 + 1; i++) choose(0, 0, 0);
    expect(log).toEqual([...alternating(6), ...Array(20).fill("split"), "split"]);
    expect(choose.usingSplit()).toBe(true);
  });

  it.each([
    // Within 1.3× of its chosen median (1) the split is kept; past it, with the caller-only kernel about as fast, measured again.
    ["slowdown × its chosen median", { single: 1.1, kept: 1.25, slow: 1.5 }],
    // 2× its chosen median, as cold caches in an interleaved loop make it, but below the caller-only 3: kept; past 3, measured again.
    ["the caller-only kernel's median", { single: 3, kept: 2, slow: 4 }],
  ])("measures a chosen split again at once when it gets slower than %s, not after its whole period", (_, { single: singleCost, kept, slow }) => {
    const cost = { split: 1, single: singleCost };
    const { split, single, log } = fakes(cost);
    const choose = adaptiveChoice(split, single, { warmup: 0, trials: 3, firstPeriod: 100, slowdown: 1.3 });
    for (let i = 0; i < 6 + 10; i++) choose();
    expect(log.slice(6)).toEqual(Array(10).fill("split"));
    cost.split = kept;
    log.length = 0;
    for (let i = 0; i < 20; i++) choose();
    expect(log).toEqual(Array(20).fill("split"));
    // The second core gets busy: once 2 of the last 3 calls are slow their median is, and a
    // round follows at once, which now picks the caller-only kernel.
    cost.split = slow;
    log.length = 0;
    for (let i = 0; i < 2 + 6 + 2; i++) choose();
    expect(log).toEqual([...Array(2).fill("split"), ...alternating(6), "single", "single"]);
    expect(choose.usingSplit()).toBe(false);
  });

  it("runs the split untimed for `delay` calls before its first warm-up (the pool staggers its kernels' rounds)", () => {
    const cost = { split: 1, single: 0.5 };
    const { split, single, log } = fakes(cost);
    const choose = adaptiveChoice(split, single, { delay: 5, warmup: 1, trials: 2, singlePeriod: 3 });
    const measuring: boolean[] = [];
    for (let i = 0; i < 5 + 2 + 4 + 3; i++) {
      choose();
      measuring.push(choose.measuring());
    }
    expect(measuring).toEqual([...Array(5).fill(false), ...Array(2 + 4).fill(true), ...Array(3).fill(false)]);
    expect(log).toEqual([...Array(5).fill("split"), ...alternating(2 + 4), ...Array(3).fill("single")]);
    expect(choose.usingSplit()).toBe(false);
  });

  it("keeps the split unless the caller-only kernel is clearly faster (margin)", () => {
    const cost = { split: 10, single: 9.5 };
    const { split, single } = fakes(cost);
    const choose = adaptiveChoice(split, single, { warmup: 0, trials: 3, margin: 0.9 });
    for (let i = 0; i < 6; i++) choose(0, 0, 0);
    expect(choose.usingSplit()).toBe(true);
    const other = adaptiveChoice(split, single, { warmup: 0, trials: 3, margin: 0.99 });
    for (let i = 0; i < 6; i++) other(0, 0, 0);
    expect(other.usingSplit()).toBe(false);
  });

  it("doubles the caller-only period while it keeps winning, up to maxSinglePeriod, and starts over after the split wins", () => {
    const cost = { split: 5, single: 1 };
    const { split, single, log } = fakes(cost);
    const choose = adaptiveChoice(split, single, { warmup: 0, trials: 1, singlePeriod: 2, maxSinglePeriod: 4, firstPeriod: 1, maxPeriod: 1 });
    const round = (calls: number) => {
      log.length = 0;
      for (let i = 0; i < calls; i++) choose();
      return [...log];
    };
    // Each round: one split and one caller-only call measured, then the period.
    expect(round(2 + 2)).toEqual(["split", "single", "single", "single"]);
    expect(round(2 + 4)).toEqual(["split", "single", ...Array(4).fill("single")]);
    expect(round(2 + 4)).toEqual(["split", "single", ...Array(4).fill("single")]);
    cost.split = 0.5;
    expect(round(2 + 1)).toEqual(["split", "single", "split"]);
    cost.split = 5;
    expect(round(2 + 2)).toEqual(["split", "single", "single", "single"]);
  });

  it("says whether the call in progress is a warm-up or measured one", () => {
    const seen: boolean[] = [];
    let choose: ReturnType<typeof adaptiveChoice<[], void>> | undefined;
    const record = () => {
      seen.push(choose!.measuring());
    };
    choose = adaptiveChoice<[], void>(record, record, { warmup: 1, trials: 1, firstPeriod: 2, maxPeriod: 2, singlePeriod: 2 });
    for (let i = 0; i < 2 + 2 + 2 + 2; i++) choose();
    // 2 warm-up, 2 measured, 2 of the period (whichever won), then the next round's 2 measured.
    expect(seen).toEqual([true, true, true, true, false, false, true, true]);
  });
});
