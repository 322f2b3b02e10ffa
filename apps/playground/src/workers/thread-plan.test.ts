import { describe, expect, it } from "vitest";
import { maxThreads, threadPlan } from "./thread-plan.ts";

describe("threadPlan", () => {
  it("uses one thread, and says why, when the page is not cross-origin isolated", () => {
    expect(threadPlan(false, 8)).toEqual({ threads: 1, text: "1 thread: page not cross-origin isolated" });
  });

  it("uses every core up to the cap when isolated", () => {
    expect(threadPlan(true, 2)).toEqual({ threads: 2, text: "2 threads" });
    expect(threadPlan(true, 3).threads).toBe(3);
    expect(threadPlan(true, 64)).toEqual({ threads: maxThreads, text: `${maxThreads} threads` });
  });

  it("falls back to one thread for one core or a core count that makes no sense", () => {
    for (const cores of [1, 0, -2, 2.5, Number.NaN, Number.POSITIVE_INFINITY, undefined]) {
      expect(threadPlan(true, cores)).toEqual({ threads: 1, text: "1 thread: one core available" });
    }
  });
});
