import { compile } from "@gradfold/codegen";
import { evaluate as interpret, type AnyTensor } from "@gradfold/graph";
import { accuracy, crossEntropy, nameOf, type FloatTensor } from "@gradfold/nn";
import { describe, expect, test } from "vitest";
import { adam, blobs, classifier, network, sgd, x, y, stateOf } from "../test/fixtures.ts";
import { shuffledOrder } from "./data.ts";
import { fit, type BatchLog, type EpochLog } from "./fit.ts";

const state = stateOf;

/** Rows `order[start..start+count)` of a column with `width` values per row. */
function gather<T extends Float32Array | Int32Array>(column: T, width: number, order: Int32Array, start: number, count: number): T {
  const out = new (column.constructor as new (n: number) => T)(count * width);
  for (let i = 0; i < count; i++) out.set(column.subarray(order[start + i] * width, (order[start + i] + 1) * width), i * width);
  return out;
}

describe("fit", () => {
  const data = blobs(100);

  test("the loss curve is a hand-written loop over single compiled steps, last partial batch included", () => {
    const batchLosses: number[] = [];
    const model = classifier();
    const history = fit(model, data, { epochs: 3, seed: 7, callbacks: { onBatchEnd: (b) => batchLosses.push(b.loss) } });
    expect(history.status).toBe("completed");
    expect(history.steps).toBe(3 * 7); // 6 batches of 16 and one of 4 per epoch

    // By hand: one compiled step per batch size, params copied between them by name.
    const net = network().build(x, { training: true });
    const loss = crossEntropy(net.output, y) as FloatTensor;
    const spec = { inputs: [x, y], outputs: { loss }, updates: adam({ lr: 0.05 }).updates(loss, net.params) };
    const full = compile({ ...spec, sizes: { batch: 16 } });
    const last = compile({ ...spec, sizes: { batch: 4 } });
    const expected: number[] = [];
    const epochLosses: number[] = [];
    for (let epoch = 0; epoch < 3; epoch++) {
      const order = shuffledOrder(100, 7, epoch);
      let sum = 0;
      for (let start = 0; start < 100; start += 16) {
        const count = Math.min(16, 100 - start);
        const [step, other] = count === 16 ? [full, last] : [last, full];
        const l = step.run({ x: gather(data.x, 4, order, start, count), y: gather(data.y, 1, order, start, count) }).loss[0];
        for (const n of step.names()) other.write(n, step.read(n));
        expected.push(l);
        sum += l * count;
      }
      epochLosses.push(sum / 100);
    }
    expect(batchLosses).toEqual(expected);
    expect(history.epochs.map((e) => e.loss)).toEqual(epochLosses);
    for (const n of full.names()) expect(model.read(n)).toEqual(full.read(n));
  });

  test("matches the float64 interpreter's SGD loop to float32 accuracy (no shuffle, 37 rows in batches of 16)", () => {
    const small = blobs(37, 4);
    const model = classifier({ optimizer: sgd({ lr: 0.1 }) });
    const history = fit(model, small, { epochs: 4, shuffle: false });

    const net = network().build(x, { training: true });
    const loss = crossEntropy(net.output, y) as FloatTensor;
    const updates = sgd({ lr: 0.1 }).updates(loss, net.params);
    const values: Record<string, Float64Array> = Object.fromEntries(net.params.map((p) => [nameOf(p), interpret(p)]));
    const curve: number[] = [];
    for (let epoch = 0; epoch < 4; epoch++) {
      let sum = 0;
      for (let start = 0; start < 37; start += 16) {
        const count = Math.min(16, 37 - start);
        const feeds = { x: small.x.subarray(start * 4, (start + count) * 4), y: small.y.subarray(start, start + count), ...values };
        const [l, ...next] = interpret([loss, ...updates.map(([, v]) => v as AnyTensor)], feeds, { batch: count });
        updates.forEach(([target], i) => {
          values[nameOf(target as FloatTensor)] = next[i];
        });
        sum += l[0] * count;
      }
      curve.push(sum / 37);
    }
    for (const [i, e] of history.epochs.entries()) expect(Math.abs(e.loss - curve[i])).toBeLessThan(1e-5 * Math.max(1, curve[i]));
    expect(curve[3]).toBeLessThan(curve[0]);
  });

  test("two runs from the same start give the same numbers, dropout masks included", () => {
    const run = () => {
      const model = classifier({ rate: 0.3 });
      const history = fit(model, data, { epochs: 2, seed: 3, validation: blobs(20, 9) });
      return { history, state: state(model) };
    };
    const a = run();
    const b = run();
    expect(a.history).toEqual(b.history);
    expect(a.state).toEqual(b.state);
    // The masks are really fed: the same run without dropout differs.
    const plain = classifier();
    expect(fit(plain, data, { epochs: 2, seed: 3 }).epochs[0].loss).not.toBe(a.history.epochs[0].loss);
  });

  test("resuming at an epoch continues exactly as an unbroken run", () => {
    const unbroken = classifier({ rate: 0.3 });
    const whole = fit(unbroken, data, { epochs: 4, seed: 5 });
    const resumed = classifier({ rate: 0.3 });
    fit(resumed, data, { epochs: 2, seed: 5 });
    const rest = fit(resumed, data, { epochs: 4, seed: 5, initialEpoch: 2 });
    expect(rest.epochs).toEqual(whole.epochs.slice(2));
    expect(rest.steps).toBe(whole.steps);
    expect(state(resumed)).toEqual(state(unbroken));
  });

  test("resuming mid-epoch (initialBatch) continues exactly as an unbroken run", () => {
    const unbroken = classifier({ rate: 0.3 });
    const whole: BatchLog[] = [];
    fit(unbroken, data, { epochs: 3, seed: 5, callbacks: { onBatchEnd: (b) => whole.push({ ...b, outputs: {} }) } });
    const resumed = classifier({ rate: 0.3 });
    const stopped = fit(resumed, data, { epochs: 3, seed: 5, callbacks: { shouldStop: () => true } });
    expect(stopped.steps).toBe(1);
    const rest: BatchLog[] = [];
    const history = fit(resumed, data, { epochs: 3, seed: 5, initialBatch: 1, callbacks: { onBatchEnd: (b) => rest.push({ ...b, outputs: {} }) } });
    expect(rest).toEqual(whole.slice(1));
    expect(history.steps).toBe(whole.length);
    expect(state(resumed)).toEqual(state(unbroken));
    expect(() => fit(resumed, data, { epochs: 3, initialBatch: 7 })).toThrow(/initialBatch 7 is past the 7 batches/);
  });

  test("a non-finite loss hands back the failed batch with its outputs", () => {
    const bad = { x: blobs(20).x.map((v, i) => (i === 5 ? Number.NaN : v)), y: blobs(20).y };
    const history = fit(classifier(), bad, { epochs: 1, shuffle: false });
    expect(history.status).toBe("non-finite-loss");
    expect(history.failed?.batch).toBe(0);
    expect(Number.isNaN(history.failed?.outputs.loss[0])).toBe(true);
  });

  test("callbacks: one onBatchEnd per batch with its rows, onEpochEnd with the row-weighted mean loss and validation", () => {
    const batches: BatchLog[] = [];
    const epochs: EpochLog[] = [];
    const history = fit(classifier(), data, {
      epochs: 2,
      batchSize: 30,
      validation: blobs(23, 8),
      metrics: { accuracy: ({ output }, v) => accuracy(output, v.y as Int32Array) },
      callbacks: { onBatchEnd: (b) => batches.push(b), onEpochEnd: (e) => epochs.push(e) },
    });
    expect(batches.map((b) => b.rows)).toEqual([30, 30, 30, 10, 30, 30, 30, 10]);
    expect(batches.map((b) => b.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(epochs).toEqual(history.epochs);
    const first = batches.slice(0, 4).reduce((s, b) => s + b.loss * b.rows, 0) / 100;
    expect(epochs[0].loss).toBeCloseTo(first, 12);
    expect(epochs[1].validation?.rows).toBe(23);
    expect(epochs[1].validation?.metrics.accuracy).toBeGreaterThanOrEqual(0);
  });

  test("tiny data: fewer rows than a batch is one step at that size", () => {
    const rows: number[] = [];
    const model = classifier();
    const history = fit(model, blobs(3), { epochs: 2, callbacks: { onBatchEnd: (b) => rows.push(b.rows) } });
    expect(rows).toEqual([3, 3]);
    expect(history.steps).toBe(2);
    expect(model.read("adam/step")[0]).toBe(2);
  });

  test("empty or inconsistent data and bad options are errors before any step: nothing changes", () => {
    const model = classifier();
    const before = state(model);
    expect(() => fit(model, { x: new Float32Array(0), y: new Int32Array(0) }, { epochs: 1 })).toThrow(/data has no rows; expected at least one row in \["x","y"\]/);
    expect(() => fit(model, { x: data.x, y: data.y.subarray(1) }, { epochs: 1 })).toThrow(/column "y" has 99 rows, but "x" has 100/);
    expect(() => fit(model, { x: data.x.subarray(1), y: data.y }, { epochs: 1 })).toThrow(/column "x" has 399 values, not a whole number of rows of 4/);
    expect(() => fit(model, { x: data.x }, { epochs: 1 })).toThrow(/no column "y"; expected columns \["x","y"\], got \["x"\]/);
    expect(() => fit(model, { x: data.x, y: [0.5, ...data.y.subarray(1)] }, { epochs: 1 })).toThrow(/column "y" is int32, but element 0 is 0.5/);
    expect(() => fit(model, data, { epochs: 1, batchSize: 0 })).toThrow(/batchSize must be a positive integer, got 0/);
    expect(() => fit(model, data, { epochs: -1 })).toThrow(/epochs must be an integer ≥ 0, got -1/);
    expect(() => fit(model, data, { epochs: 1, validation: { x: data.x } })).toThrow(/validation.*no column "y"/);
    expect(() => fit(model, data, { epochs: 1, earlyStopping: { monitor: "val_loss" } })).toThrow(/monitor "val_loss" is not logged; expected one of \["loss"\]/);
    expect(state(model)).toEqual(before);
  });

  test("shouldStop and an abort signal stop after the current batch, with a status", () => {
    let batches = 0;
    const stopped = fit(classifier(), data, { epochs: 5, callbacks: { onBatchEnd: () => batches++, shouldStop: () => batches === 3 } });
    expect(stopped).toMatchObject({ status: "stopped", steps: 3, epochs: [] });
    const controller = new AbortController();
    const aborted = fit(classifier(), data, { epochs: 5, signal: controller.signal, callbacks: { onBatchEnd: (b) => b.step === 9 && controller.abort() } });
    expect(aborted).toMatchObject({ status: "aborted", steps: 9 });
    expect(aborted.epochs).toHaveLength(1);
  });

  test("a NaN loss stops training with a clear status; 'restore' keeps the last finite params", () => {
    const bad = { x: data.x.slice(), y: data.y };
    bad.x[4 * 20] = Number.NaN; // row 20: in the second batch without shuffling
    const model = classifier();
    const history = fit(model, bad, { epochs: 2, shuffle: false });
    expect(history.status).toBe("non-finite-loss");
    expect(history.message).toMatch(/loss was NaN at epoch 0, batch 1 \(step 2\)/);
    expect(history.steps).toBe(2);
    expect(Array.from(model.read("dense/W")).some(Number.isNaN)).toBe(true);

    const careful = classifier();
    let afterFirst: ReturnType<typeof state> = [];
    const kept = fit(careful, bad, { epochs: 2, shuffle: false, nonFinite: "restore", callbacks: { onBatchEnd: () => (afterFirst = state(careful)) } });
    expect(kept.status).toBe("non-finite-loss");
    expect(kept.message).toMatch(/the params are those before this step/);
    expect(state(careful)).toEqual(afterFirst);
  });

  test("early stopping on a validation metric, restoring the best epoch's params", () => {
    const scores = [0.5, 0.7, 0.6, 0.65, 0.9];
    let i = 0;
    const saved: ReturnType<typeof state>[] = [];
    const model = classifier();
    const history = fit(model, data, {
      epochs: 5,
      validation: blobs(10, 3),
      metrics: { score: () => scores[i++] },
      earlyStopping: { monitor: "val_score", patience: 2, restoreBest: true },
      callbacks: { onEpochEnd: () => saved.push(state(model)) },
    });
    expect(history.status).toBe("early-stopped");
    expect(history.epochs).toHaveLength(4); // best at epoch 1, then two epochs without improvement
    expect(history.restoredEpoch).toBe(1);
    expect(history.message).toMatch(/val_score did not improve for 2 epoch\(s\) after epoch 1/);
    expect(state(model)).toEqual(saved[1]);
  });

  test("early stopping on the training loss with patience 0 stops at the first epoch that is not better", () => {
    const history = fit(classifier({ optimizer: sgd({ lr: 0 }) }), data, { epochs: 5, shuffle: false, earlyStopping: {} });
    // lr 0: every epoch has the same loss, so epoch 1 is not better than epoch 0.
    expect(history.epochs).toHaveLength(2);
    expect(history).toMatchObject({ status: "early-stopped", restoredEpoch: undefined });
  });
});
