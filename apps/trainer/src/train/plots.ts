import { lineChartSvg, type SeriesPoint } from "../report/plots.ts";
import type { EpochMetrics } from "./metrics.ts";
import type { RunFolder } from "./run-folder.ts";

/** loss.svg and (for classification) accuracy.svg: training and validation curves per epoch. */
export async function writeCurves(folder: RunFolder, history: readonly EpochMetrics[]): Promise<string[]> {
  if (history.length === 0) return [];
  const series = (pick: (m: EpochMetrics) => number | null, train: string, val: string, valPick: (m: EpochMetrics) => number | null): SeriesPoint[] =>
    history.flatMap((m) => [
      { x: m.epoch, y: pick(m) ?? Number.NaN, series: train },
      { x: m.epoch, y: valPick(m) ?? Number.NaN, series: val },
    ]);
  const written: string[] = [];
  const loss = await lineChartSvg({
    title: "Loss",
    xTitle: "epoch",
    yTitle: "loss",
    points: series((m) => m.trainLoss, "training", "validation", (m) => m.valLoss),
  });
  folder.writeText("loss.svg", loss);
  written.push("loss.svg");
  if (history[0].trainAccuracy !== null) {
    const accuracy = await lineChartSvg({
      title: "Accuracy",
      xTitle: "epoch",
      yTitle: "accuracy",
      points: series((m) => m.trainAccuracy, "training", "validation", (m) => m.valAccuracy),
    });
    folder.writeText("accuracy.svg", accuracy);
    written.push("accuracy.svg");
  }
  return written;
}
