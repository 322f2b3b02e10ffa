import { describe, expect, test } from "vitest";
import { blobs, classifier, stateOf } from "../test/fixtures.ts";
import { fit } from "./fit.ts";
import { fitAsync, type HostTimers, hostTurn } from "./fit-async.ts";

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
    setImmediate(() => controller.abort()); // runs at the first pause
    const history = await fitAsync(classifier(), data, { epochs: 50, signal: controller.signal, yieldMs: 0 });
    expect(history.status).toBe("aborted");
    expect(history.steps).toBe(1);
  });

  test("bad calls reject before any step", async () => {
    const model = classifier();
    const before = stateOf(model);
    await expect(fitAsync(model, data, { epochs: 1, yieldMs: -1 })).rejects.toThrow(/yieldMs must be ≥ 0, got -1/);
    await expect(fitAsync(model, { x: data.x }, { epochs: 1 })).rejects.toThrow(/no column "y"/);
    expect(stateOf(model)).toEqual(before);
  });

  test("a pause is the host's shortest turn: setImmediate, else a MessageChannel message, else setTimeout(0)", async () => {
    const used: string[] = [];
    // Node's MessagePort has onmessage at run time (as browsers do); its typings only declare on("message").
    const Channel = MessageChannel as unknown as HostTimers["MessageChannel"];
    const setTimeout0 = (fn: () => void, ms: number) => {
      used.push(`setTimeout ${ms}`);
      return setTimeout(fn, ms);
    };
    await hostTurn({ setImmediate: (fn) => used.push("setImmediate") && setImmediate(fn), MessageChannel: Channel, setTimeout: setTimeout0 })();
    await hostTurn({ MessageChannel: Channel, setTimeout: setTimeout0 })();
    await hostTurn({ setTimeout: setTimeout0 })();
    expect(used).toEqual(["setImmediate", "setTimeout 0"]);
  });
});
