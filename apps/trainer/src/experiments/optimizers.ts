import type { TrainConfig } from "../config.ts";
import { lineChartSvg, type SeriesPoint } from "../report/line-chart.ts";
import { experimentConfig, experimentData, markdownTable, trainCurve, writeOutputs, type CurveResult, type ExperimentOptions } from "./common.ts";

/** Each optimizer with the learning rate it is usually run with (PyTorch-style defaults for the adaptive ones). */
export const optimizerLineup: ReadonlyArray<{ label: string; config: Partial<TrainConfig> }> = [
  { label: "SGD (lr 0.1)", config: { optimizer: "sgd", lr: 0.1 } },
  { label: "momentum 0.9 (lr 0.01)", config: { optimizer: "momentum", lr: 0.01, momentum: 0.9 } },
  { label: "Nesterov 0.9 (lr 0.01)", config: { optimizer: "nesterov", lr: 0.01, momentum: 0.9 } },
  { label: "AdaGrad (lr 0.01)", config: { optimizer: "adagrad", lr: 0.01, eps: 1e-10 } },
  { label: "RMSProp (lr 0.001)", config: { optimizer: "rmsprop", lr: 0.001, alpha: 0.99 } },
  { label: "Adam (lr 0.001)", config: { optimizer: "adam", lr: 0.001 } },
  { label: "AdamW (lr 0.001, wd 0.01)", config: { optimizer: "adamw", lr: 0.001, weightDecay: 0.01 } },
];

/** Mean of each window of `size` consecutive values: readable curves from noisy minibatch losses. */
export function windowMeans(points: readonly { step: number; loss: number }[], size: number): { x: number; y: number }[] {
  const out: { x: number; y: number }[] = [];
  for (let i = 0; i < points.length; i += size) {
    const chunk = points.slice(i, i + size);
    out.push({ x: chunk[chunk.length - 1].step + 1, y: chunk.reduce((s, p) => s + p.loss, 0) / chunk.length });
  }
  return out;
}

/** SGD, momentum, Nesterov, AdaGrad, RMSProp, Adam and AdamW on the same model, data order and seed. */
export async function optimizersExperiment(o: ExperimentOptions, layers: readonly number[] = [256, 128]): Promise<Record<string, CurveResult>> {
  const data = experimentData(o);
  const results: Record<string, CurveResult> = {};
  for (const { label, config } of optimizerLineup) {
    o.log(`optimizers: training with ${label} for ${o.steps} steps`);
    results[label] = trainCurve(experimentConfig({ layers, ...config }, o), data, o);
  }
  const window = Math.max(1, Math.round(o.steps / 50));
  const points: SeriesPoint[] = Object.entries(results).flatMap(([series, r]) => windowMeans(r.points, window).map((p) => ({ ...p, series })));
  const files: Record<string, string> = {
    "optimizers-loss.svg": await lineChartSvg({
      title: `Training loss, mean over ${window}-step windows`,
      xTitle: "step",
      yTitle: "cross-entropy",
      logY: true,
      points,
      width: 560,
    }),
  };
  const rows = Object.entries(results).map(([label, r]) => {
    const tail = r.points.slice(-Math.max(1, window));
    const lastLoss = tail.reduce((s, p) => s + p.loss, 0) / tail.length;
    return [
      label,
      r.divergedAt === null ? lastLoss.toFixed(4) : `diverged at step ${r.divergedAt}`,
      r.validationAccuracy === null ? "-" : `${(100 * r.validationAccuracy).toFixed(2)}%`,
      `${r.seconds.toFixed(2)} s`,
      `${r.medianStepMs.toFixed(2)} ms`,
    ];
  });
  files["summary.md"] = [
    "# Experiment: optimizers",
    "",
    `MLP 784-${layers.join("-")}-10 (ReLU, He init) on MNIST (${o.limitTrain} training examples), batch ${o.batchSize}, ${o.steps} steps, seed ${o.seed}: every optimizer starts from the same weights and sees the same batches in the same order. Update rules follow torch.optim (@gradfold/optimizers).`,
    "",
    markdownTable(["optimizer", `training loss (last ${window} steps)`, "validation accuracy (1000 examples)", "wall time (all steps)", "median step"], rows),
    "",
    "Wall time is the training loop alone (each step's forward, backward and update in the compiled step, plus batching), measured once per optimizer in one process; the median step time is the steadier number (the first steps warm up the JIT, and a busy machine adds spikes). The adaptive methods keep one or two extra buffers per parameter (moments), a few more elementwise passes per step.",
    "",
    "Plot: `optimizers-loss.svg` (log scale).",
    "",
  ].join("\n");
  writeOutputs(o.out, files);
  return results;
}
