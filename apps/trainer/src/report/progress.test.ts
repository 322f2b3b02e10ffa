import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import type { EpochMetrics } from "../train/run-state.ts";
import { barProgress, epochLine, lineProgress } from "./progress.ts";

const metrics: EpochMetrics = { epoch: 2, step: 20, trainLoss: 0.5, trainAccuracy: 0.875, valLoss: 0.25, valAccuracy: 0.9, seconds: 1.5, examplesPerSecond: 1234.4 };

describe("progress", () => {
  it("formats an epoch line with losses, accuracies, time and throughput", () => {
    expect(epochLine(metrics, 10)).toBe("epoch 2/10  loss 0.5000  acc 87.50%  val_loss 0.2500  val_acc 90.00%  1.5s  1234 ex/s");
    expect(epochLine({ ...metrics, trainAccuracy: null, valAccuracy: null }, 10)).toMatch(/acc - {2}val_loss 0.2500 {2}val_acc -/);
  });

  it("plain lines: about one per tenth of an epoch, then the epoch line", () => {
    const lines: string[] = [];
    const p = lineProgress((l) => lines.push(l));
    p.epochStart(0, 3, 20);
    for (let b = 1; b <= 20; b++) p.batch({ batch: b, batches: 20, loss: 1 / b, accuracy: 0.5, examplesPerSecond: 100 });
    p.epochEnd(metrics, 3);
    expect(lines).toHaveLength(10);
    expect(lines[0]).toBe("epoch 1/3 batch 2/20  loss 0.5000  acc 50.00%  100 ex/s");
    expect(lines[9]).toBe(epochLine(metrics, 3));
  });

  it("the bar shows loss, accuracy, examples/s and ETA on a terminal", () => {
    const stream = Object.assign(new PassThrough(), { isTTY: true, columns: 200, cursorTo: () => true, clearLine: () => true, moveCursor: () => true });
    let out = "";
    stream.on("data", (d) => (out += d));
    const p = barProgress(stream as unknown as NodeJS.WriteStream);
    p.epochStart(0, 1, 4);
    p.batch({ batch: 2, batches: 4, loss: 0.123456, accuracy: 0.75, examplesPerSecond: 2048.4 });
    p.stop();
    expect(out).toMatch(/epoch 1\/1 .* 50% \| loss 0\.1235 \| acc 75\.00% \| 2048 ex\/s \| ETA \d+s/);
  });
});
