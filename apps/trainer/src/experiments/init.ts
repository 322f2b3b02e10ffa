import type { TrainConfig } from "../config.ts";
import { lineChartSvg } from "../report/line-chart.ts";
import type { InitName } from "../train/network.ts";
import { cnnLabel, cnnOverrides, experimentConfig, experimentData, markdownTable, sci, trainCurve, writeOutputs, type CurveResult, type ExperimentOptions } from "./common.ts";

export const initScales: readonly InitName[] = [0.01, 0.03, "glorot", "he", 0.3, 1];

/**
 * How the initial weight scale decides whether gradients vanish or explode: a deep
 * MLP (or the CNN, with `o.model`), tanh and ReLU, with weights drawn at fixed standard
 * deviations and with the Glorot and He scalings, gradient norms per layer at
 * initialisation and the loss after a short SGD run.
 */
export async function initExperiment(o: ExperimentOptions, depth = 10, width = 128): Promise<Record<string, CurveResult>> {
  const data = experimentData(o);
  const results: Record<string, CurveResult> = {};
  const files: Record<string, string> = {};
  const rows: string[][] = [];
  for (const activation of ["tanh", "relu"] as const) {
    const byScale: Record<string, CurveResult> = {};
    for (const init of initScales) {
      const label = typeof init === "number" ? `std ${init}` : init;
      o.log(`init: ${activation} with ${label} for ${o.steps} steps`);
      const net: Partial<TrainConfig> = o.model === "cnn" ? cnnOverrides(o) : { model: "mlp", layers: Array.from({ length: depth }, () => width) };
      const config: Partial<TrainConfig> = { ...net, activation, init, optimizer: "sgd", lr: 0.01 };
      const r = trainCurve(experimentConfig(config, o), data, o, (s) => s === 0);
      byScale[label] = r;
      results[`${activation} ${label}`] = r;
      const g = r.points[0].weightGradNorms;
      const end = r.points[r.points.length - 1];
      rows.push([
        activation,
        label,
        sci(g[0]),
        sci(g[g.length - 1]),
        sci(g[0] / g[g.length - 1]),
        r.divergedAt === null ? end.loss.toFixed(3) : `diverged at step ${r.divergedAt}`,
      ]);
    }
    files[`init-gradients-${activation}.svg`] = await lineChartSvg({
      title: `${activation}: weight-gradient norm per layer at initialisation`,
      xTitle: "layer (1 = next to the input)",
      yTitle: "‖∂J/∂W‖",
      logY: true,
      points: Object.entries(byScale).flatMap(([series, r]) => r.points[0].weightGradNorms.map((y, i) => ({ x: i + 1, y, series }))),
    });
  }
  files["summary.md"] = [
    "# Experiment: initializer scale",
    "",
    `${o.model === "cnn" ? `CNN ${cnnLabel(o)} (fans of a kh×kw×in×out filter: kh·kw·in and kh·kw·out)` : `MLP with ${depth} hidden layers of width ${width}`} ` +
      `on MNIST (${o.limitTrain} training examples); weights normal with the given standard deviation ` +
      `(Glorot: √(2/(fan_in+fan_out)), He: √(2/fan_in)), zero biases; then ${o.steps} steps of SGD (lr 0.01, batch ${o.batchSize}), seed ${o.seed}.`,
    "",
    markdownTable(["units", "init", "‖∂J/∂W‖ layer 1", o.model === "cnn" ? "last layer" : `layer ${depth + 1}`, "ratio first/last", `loss after ${o.steps} steps`], rows),
    "",
    "The gradient of layer l's weights is h₍ₗ₋₁₎ᵀ·δₗ: the activation coming forward times the error signal coming " +
      "back. Below the variance-preserving scale (Glorot for tanh, He for ReLU) activations shrink layer by layer " +
      "going forward and error signals shrink going backward, so every layer's gradient is vanishingly small and the " +
      "loss stays at log 10 ≈ 2.303; above it both grow geometrically: ReLU nets explode and diverge within a few " +
      "steps, while tanh units saturate (large gradients near the input, yet the loss does not improve). At the " +
      "Glorot/He scale the gradient norms of all layers stay within a small factor of each other and training " +
      "proceeds.",
    "",
    "Plots: `init-gradients-tanh.svg`, `init-gradients-relu.svg`.",
    "",
  ].join("\n");
  writeOutputs(o.out, files);
  return results;
}
