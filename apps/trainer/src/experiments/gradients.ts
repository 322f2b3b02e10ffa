import type { TrainConfig } from "../config.ts";
import { lineChartSvg } from "../report/line-chart.ts";
import { cnnLabel, cnnOverrides, experimentConfig, experimentData, markdownTable, sci, trainCurve, writeOutputs, type CurveResult, type ExperimentOptions } from "./common.ts";

/** The networks compared: same depth and width (or the same CNN), different units. */
export function gradientNets(depth: number, width: number, o?: ExperimentOptions): Record<string, Partial<TrainConfig>> {
  if (o?.model === "cnn") {
    const cnn = cnnOverrides(o);
    return { "sigmoid CNN": { ...cnn, activation: "sigmoid" }, "tanh CNN": { ...cnn, activation: "tanh" }, "relu CNN": { ...cnn, activation: "relu" } };
  }
  const hidden = Array.from({ length: depth }, () => width);
  return {
    [`sigmoid MLP (${depth} layers)`]: { model: "mlp", layers: hidden, activation: "sigmoid" },
    [`tanh MLP (${depth} layers)`]: { model: "mlp", layers: hidden, activation: "tanh" },
    [`relu MLP (${depth} layers)`]: { model: "mlp", layers: hidden, activation: "relu" },
    [`relu residual (${depth} blocks)`]: { model: "residual", depth, width, activation: "relu" },
  };
}

/**
 * Vanishing and exploding gradients: per-layer weight-gradient norms of deep nets
 * with sigmoid, tanh and ReLU units and of a residual net (or of the CNN with each
 * unit, conv filters included), at initialisation and during training with plain
 * SGD, on the same MNIST batches.
 */
export async function gradientsExperiment(o: ExperimentOptions, depth = 20, width = 64): Promise<Record<string, CurveResult>> {
  const data = experimentData(o);
  const results: Record<string, CurveResult> = {};
  for (const [label, net] of Object.entries(gradientNets(depth, width, o))) {
    o.log(`gradients: training ${label} for ${o.steps} steps`);
    results[label] = trainCurve(experimentConfig({ ...net, optimizer: "sgd", lr: 0.05 }, o), data, o, (s) => s % 5 === 0);
  }
  const perLayer = (pick: (r: CurveResult) => readonly number[]) => Object.entries(results).flatMap(([series, r]) => pick(r).map((y, i) => ({ x: i + 1, y, series })));
  const files: Record<string, string> = {
    "gradients-at-init.svg": await lineChartSvg({
      title: "Weight-gradient norm per layer at initialisation",
      xTitle: "layer (1 = next to the input)",
      yTitle: "‖∂J/∂W‖",
      logY: true,
      points: perLayer((r) => r.points[0].weightGradNorms),
    }),
    "gradients-after-training.svg": await lineChartSvg({
      title: `Weight-gradient norm per layer after ${o.steps} SGD steps`,
      xTitle: "layer (1 = next to the input)",
      yTitle: "‖∂J/∂W‖",
      logY: true,
      points: perLayer((r) => r.points[r.points.length - 1].weightGradNorms),
    }),
    "gradients-first-layer.svg": await lineChartSvg({
      title: "Gradient norm of the first layer during training",
      xTitle: "step",
      yTitle: "‖∂J/∂W₁‖",
      logY: true,
      points: Object.entries(results).flatMap(([series, r]) => r.points.map((p) => ({ x: p.step, y: p.weightGradNorms[0], series }))),
    }),
    "gradients-loss.svg": await lineChartSvg({
      title: "Training loss (SGD, lr 0.05)",
      xTitle: "step",
      yTitle: "cross-entropy",
      points: Object.entries(results).flatMap(([series, r]) => r.points.map((p) => ({ x: p.step, y: p.loss, series }))),
    }),
  };
  // Per network: the per-layer profile at a few points of training.
  const netFiles: string[] = [];
  for (const [label, r] of Object.entries(results)) {
    const picks = [0, Math.floor(o.steps / 3), Math.floor((2 * o.steps) / 3), o.steps - 1];
    const snapshots = picks.map((s) => r.points.reduce((best, p) => (Math.abs(p.step - s) < Math.abs(best.step - s) ? p : best)));
    const file = `gradients-during-${label.split(" ").slice(0, 2).join("-").toLowerCase()}.svg`;
    netFiles.push(file);
    files[file] = await lineChartSvg({
      title: `${label}: weight-gradient norm per layer during training`,
      xTitle: "layer (1 = next to the input)",
      yTitle: "‖∂J/∂W‖",
      logY: true,
      points: [...new Set(snapshots)].flatMap((p) => p.weightGradNorms.map((y, i) => ({ x: i + 1, y, series: `step ${p.step}` }))),
    });
  }
  const rows = Object.entries(results).map(([label, r]) => {
    const init = r.points[0].weightGradNorms;
    const end = r.points[r.points.length - 1];
    return [
      label,
      sci(init[0]),
      sci(init[init.length - 1]),
      sci(init[0] / init[init.length - 1]),
      sci(end.weightGradNorms[0]),
      end.loss.toFixed(3),
      r.validationAccuracy === null ? "diverged" : `${(100 * r.validationAccuracy).toFixed(1)}%`,
    ];
  });
  files["summary.md"] = [
    "# Experiment: vanishing and exploding gradients",
    "",
    o.model === "cnn"
      ? `The CNN ${cnnLabel(o)} with each unit on MNIST (${o.limitTrain} training examples), plain SGD with lr 0.05, batch ${o.batchSize}, ${o.steps} steps, seed ${o.seed}; Glorot init for sigmoid/tanh, He init for ReLU, both from the fans of the kh×kw×in×out filter. Layers are the convs, then the dense layer and the output layer.`
      : `Networks of ${depth} hidden layers of width ${width} on MNIST (${o.limitTrain} training examples), plain SGD with lr 0.05, batch ${o.batchSize}, ${o.steps} steps, seed ${o.seed}; Glorot init for sigmoid/tanh, He init for ReLU; residual branches scaled by 1/√depth.`,
    "",
    markdownTable(["network", "‖∂J/∂W‖ layer 1 at init", "last layer at init", "ratio first/last", `layer 1 after ${o.steps} steps`, "final loss", "validation accuracy"], rows),
    "",
    `Backpropagation multiplies the error signal by each layer's Jacobian on its way to the input: with sigmoid units (derivative at most 1/4) the product shrinks layer after layer, so the layers next to the input hardly learn; tanh shrinks less, ReLU with He init keeps the scale roughly constant${o.model === "cnn" ? " (a conv layer's Jacobian is a sparse matrix of shared filter weights, and a max pool passes the gradient to one input per window)" : ", and the residual network's identity path carries the gradient to every layer unchanged (∂(h + F(h))/∂h = I + ∂F/∂h)"}.`,
    "",
    `Plots: \`gradients-at-init.svg\`, \`gradients-after-training.svg\`, \`gradients-first-layer.svg\`, \`gradients-loss.svg\`, and per network ${netFiles.map((f) => `\`${f}\``).join(", ")}.`,
    "",
  ].join("\n");
  writeOutputs(o.out, files);
  return results;
}
