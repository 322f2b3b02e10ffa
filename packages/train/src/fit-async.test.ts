import { describe, expect, test } from "vitest";
import { blobs, classifier, stateOf } from "../test/fixtures.ts";
import { fit } from "./fit.ts";
import { fitAsync } from "./fit-async.ts";

describe("fitAsync", () => {
  const data = blobs(100);

  test("the same loop and the same numbers as fit, pausing between batches", async () => {
    const a = classifier({ rate: 0.3 });
    const b = classifier({ rate: 0.3 });
    const sync = fit(a, data, { epochs: 2, seed: 4, validation: blobs(20, 2) });
    const async = await fitAsync(b, data, { epochs: 2, seed: 4, validation: blobs(20, 2), yieldMs: 0 });
    expect(async).toEqual(sync);
    expect(stateOf(b)).toEqual(stateOf(a));
  });

  test("an AbortSignal fired from outside the loop stops it after the current batch", async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 0); // runs at the first pause
    const history = await fitAsync(classifier(), data, { epochs: 50, signal: controller.signal, yieldMs: 0 });
    expect(history.status).toBe("aborted");
    expect(history.steps).toBeLessThan(50 * 7);
  });

  test("bad calls reject before any step", async () => {
    const model = classifier();
    const before = stateOf(model);
    await expect(fitAsync(model, data, { epochs: 1, yieldMs: -1 })).rejects.toThrow(/yieldMs must be ≥ 0, got -1/);
    await expect(fitAsync(model, { x: data.x }, { epochs: 1 })).rejects.toThrow(/no column "y"/);
    expect(stateOf(model)).toEqual(before);
  });
});
