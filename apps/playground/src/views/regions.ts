import type { LossChoice } from "../models/classifier.ts";
import { datasetNames, type DatasetName } from "../models/datasets.ts";
import type { ActivationChoice } from "../models/network.ts";
import { lineChart, palette } from "../ui/chart.ts";
import { button, choice, el, explain, fmt, numberField, statusLine } from "../ui/dom.ts";
import { extent, grid, type RegionReply, type RegionRequest, type RegionSettings } from "../workers/regions.worker.ts";
import { wire, type View } from "./view.ts";

const size = 360;

/** Parses "8, 8" into hidden widths; an empty field is a linear model. */
function parseLayers(text: string): number[] {
  const parts = text.split(/[\s,]+/).filter(Boolean);
  return parts.map((p) => {
    const n = Number(p);
    if (!Number.isInteger(n) || n < 1 || n > 256) throw new Error(`hidden layers: expected widths from 1 to 256 separated by commas, got "${p}"`);
    return n;
  });
}

export const regionsView: View = {
  id: "regions",
  title: "Decision regions",
  mount(root) {
    const dataset = choice<DatasetName>("data", datasetNames, "spirals", undefined, "dataset");
    const noise = numberField("noise", 0.3, { min: 0, max: 2, id: "noise" });
    const points = numberField("points", 200, { min: 10, max: 2000, step: 10, id: "points" });
    const layersField = el("input", { value: "32, 32", "data-testid": "layers", size: 8 });
    const activation = choice<ActivationChoice>("activation", ["relu", "tanh", "sigmoid"], "relu", undefined, "region-activation");
    const loss = choice<LossChoice>("loss", ["cross-entropy", "hinge", "squared"], "cross-entropy");
    const l1 = numberField("L1", 0, { min: 0, id: "l1" });
    const l2 = numberField("L2", 0, { min: 0, id: "l2" });
    const lr = numberField("Adam learning rate", 0.01, { min: 0, id: "region-lr" });
    const steps = numberField("steps", 1500, { min: 20, max: 100_000, step: 20, id: "region-steps" });
    const status = statusLine("regions-status");
    const canvas = el("canvas", { width: size, height: size, class: "plot", "data-testid": "regions-plot" });
    const ctx = canvas.getContext("2d")!;
    const losses = lineChart({ title: "loss: train vs test", xLabel: "step", logY: true }, "regions-loss");
    const curves = { train: [] as [number, number][], test: [] as [number, number][] };
    let data: Extract<RegionReply, { type: "data" }> | undefined;

    const px = (v: number) => ((v + extent) / (2 * extent)) * size;
    const drawPoints = (set: { x: Float32Array; y: Int32Array }, filled: boolean) => {
      for (let i = 0; i < set.y.length; i++) {
        ctx.beginPath();
        ctx.arc(px(set.x[2 * i]), size - px(set.x[2 * i + 1]), 3.5, 0, 2 * Math.PI);
        ctx.strokeStyle = set.y[i] === 1 ? "#b35806" : "#2d6a9f";
        ctx.fillStyle = set.y[i] === 1 ? "#f1a340" : "#67a9cf";
        if (filled) ctx.fill();
        ctx.stroke();
      }
    };
    const drawRegions = (classOne: Float32Array) => {
      const cell = size / grid;
      for (let r = 0; r < grid; r++) {
        for (let c = 0; c < grid; c++) {
          const p = classOne[r * grid + c];
          ctx.fillStyle = `rgb(${Math.round(200 + 50 * p)}, ${Math.round(225 - 10 * Math.abs(p - 0.5))}, ${Math.round(250 - 80 * p)})`;
          ctx.fillRect(c * cell, r * cell, cell + 1, cell + 1);
        }
      }
      if (data) {
        drawPoints(data.train, true);
        drawPoints(data.test, false);
      }
    };

    const worker = wire<RegionRequest, RegionReply>(
      new Worker(new URL("../workers/regions.worker.ts", import.meta.url), { type: "module" }),
      (reply) => {
        if (reply.type === "data") data = reply;
        else {
          drawRegions(reply.classOne);
          curves.train.push([reply.step, reply.trainLoss]);
          curves.test.push([reply.step, reply.testLoss]);
          losses.draw([
            { name: "train", color: palette[0], points: curves.train },
            { name: "test", color: palette[1], points: curves.test },
          ]);
          const text = `step ${reply.step}: train loss ${fmt(reply.trainLoss)} (accuracy ${fmt(reply.trainAccuracy)}), test loss ${fmt(reply.testLoss)} (accuracy ${fmt(reply.testAccuracy)})`;
          status.root.dataset.testAccuracy = String(reply.testAccuracy);
          if (reply.done) status.done(`${text} — finished`);
          else status.set(text);
        }
      },
      (message) => status.fail(message),
    );
    const start = () => {
      try {
        const settings: RegionSettings = {
          dataset: dataset.get(),
          noise: noise.get(),
          points: points.get(),
          hidden: parseLayers(layersField.value),
          activation: activation.get(),
          loss: loss.get(),
          l1: l1.get(),
          l2: l2.get(),
          lr: lr.get(),
          steps: steps.get(),
        };
        curves.train.length = curves.test.length = 0;
        status.begin("compiling…");
        worker.start({ type: "train", settings });
      } catch (e) {
        status.fail(e);
      }
    };

    root.append(
      explain(
        "A small network learns to separate two classes of 2-D points; the background is its prediction over the " +
          "plane, redrawn as training goes (filled dots: training set, hollow: test set). Training minimises the " +
          "empirical risk on the training points plus the L1/L2 penalty: when the test loss turns up while the training " +
          "loss keeps falling the model overfits the noise, and when both stay high it underfits. Hinge and squared " +
          "error score the classes ±1 with one output; cross-entropy uses two logits.",
      ),
      el("div", { class: "controls" }, [
        dataset.root,
        noise.root,
        points.root,
        el("label", {}, ["hidden layers ", layersField]),
        activation.root,
        loss.root,
        l1.root,
        l2.root,
        lr.root,
        steps.root,
        button("Train", start, "train-regions"),
        button(
          "Stop",
          () => {
            worker.stop({ type: "stop" });
            status.done(`${status.root.textContent} — stopped`);
          },
          "stop-regions",
        ),
      ]),
      status.root,
      el("div", { class: "row" }, [canvas, losses.root]),
    );
    start();
    return () => worker.terminate();
  },
};
