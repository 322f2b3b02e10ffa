import { lineChartSvg, type SeriesPoint } from "../report/line-chart.ts";
import type { EpochMetrics } from "./run-state.ts";
import type { RunFolder, StepLoss } from "./run-folder.ts";

/** Means of consecutive windows, about `points` of them: a readable curve from noisy minibatch losses. */
export function smooth(steps: readonly StepLoss[], points = 300): SeriesPoint[] {
  const size = Math.max(1, Math.ceil(steps.length / points));
  const out: SeriesPoint[] = [];
  for (let i = 0; i < steps.length; i += size) {
    const chunk = steps.slice(i, i + size);
    out.push({ x: chunk[chunk.length - 1].step, y: chunk.reduce((s, p) => s + p.loss, 0) / chunk.length, series: size > 1 ? `training (mean of ${size} steps)` : "training" });
  }
  return out;
}

/**
 * loss.svg and (for classification) accuracy.svg: training and validation curves per
 * epoch; steps.svg: the training loss step by step (smoothed).
 */
export async function writeCurves(folder: RunFolder, history: readonly EpochMetrics[], steps: readonly StepLoss[] = []): Promise<string[]> {
  const written: string[] = [];
  if (steps.length > 0) {
    folder.writeFile(
      "steps.svg",
      await lineChartSvg({ title: "Training loss per step", xTitle: "step", yTitle: "loss", points: smooth(steps), logY: steps.every((s) => s.loss > 0) }),
    );
    written.push("steps.svg");
  }
  if (history.length === 0) return written;
  const epochChart = async (file: string, title: string, yTitle: string, train: (m: EpochMetrics) => number | null, val: (m: EpochMetrics) => number | null) => {
    const points: SeriesPoint[] = history.flatMap((m) => [
      { x: m.epoch, y: train(m) ?? Number.NaN, series: "training" },
      { x: m.epoch, y: val(m) ?? Number.NaN, series: "validation" },
    ]);
    folder.writeFile(file, await lineChartSvg({ title, xTitle: "epoch", yTitle, points }));
    written.push(file);
  };
  await epochChart(
    "loss.svg",
    "Loss",
    "loss",
    (m) => m.trainLoss,
    (m) => m.valLoss,
  );
  if (history[0].trainAccuracy !== null)
    await epochChart(
      "accuracy.svg",
      "Accuracy",
      "accuracy",
      (m) => m.trainAccuracy,
      (m) => m.valAccuracy,
    );
  return written;
}
